// The semver ranges used by stories' `version` (`>= 2.4 < 2.19`, `>=2.1`, `< 2.0`, `2.x`, `a || b`).

type Triple = [number, number, number];

function parseVersion(text: string): { v: Triple; given: number } | undefined {
  const m = /^v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(?:[-+].*)?$/.exec(text.trim());
  if (m === null) return undefined;
  const parts = [m[1], m[2], m[3]];
  let given = 0;
  const v: Triple = [0, 0, 0];
  for (let i = 0; i < 3; i++) {
    const p = parts[i];
    if (p === undefined || /[xX*]/.test(p)) break;
    v[i] = Number(p);
    given++;
  }
  return { v, given };
}

function compare(a: Triple, b: Triple): number {
  for (let i = 0; i < 3; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The version just above every version that `partial` (given `given` parts) names. */
function upper(v: Triple, given: number): Triple {
  if (given === 0) return [Number.MAX_SAFE_INTEGER, 0, 0];
  if (given === 1) return [v[0] + 1, 0, 0];
  if (given === 2) return [v[0], v[1] + 1, 0];
  return [v[0], v[1], v[2] + 1];
}

function satisfiesComparator(version: Triple, comparator: string): boolean {
  const m = /^(>=|<=|>|<|=|~|\^)?\s*(.+)$/.exec(comparator);
  if (m === null) return false;
  const op = m[1] ?? '=';
  const parsed = parseVersion(m[2] ?? '');
  if (parsed === undefined) return false;
  const { v, given } = parsed;
  const c = compare(version, v);
  const hi = upper(v, given);
  switch (op) {
    case '>=':
      return c >= 0;
    case '>':
      // `> 2.13` means above every 2.13.x.
      return compare(version, hi) >= 0;
    case '<':
      return c < 0;
    case '<=':
      return compare(version, hi) < 0;
    case '~':
      return c >= 0 && compare(version, given >= 2 ? [v[0], v[1] + 1, 0] : hi) < 0;
    case '^':
      return c >= 0 && compare(version, v[0] > 0 || given === 1 ? [v[0] + 1, 0, 0] : [0, v[1] + 1, 0]) < 0;
    default:
      return c >= 0 && compare(version, hi) < 0;
  }
}

/** Whether `version` (e.g. '2.19.0') satisfies a range; an empty range matches everything. */
export function satisfies(version: string, range: string | undefined): boolean {
  if (range === undefined || range.trim() === '') return true;
  const parsed = parseVersion(version);
  if (parsed === undefined) return false;
  return range.split('||').some((alternative) => {
    const comparators = alternative
      .trim()
      .replace(/(>=|<=|>|<|=|~|\^)\s+/g, '$1')
      .split(/\s+/)
      .filter(Boolean);
    return comparators.every((c) => satisfiesComparator(parsed.v, c));
  });
}
