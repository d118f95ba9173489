// Date math index names: `<logs-{now/d}>` → `logs-2024.03.22`, `<logs-{now-1M/M{yyyy.MM}}>`
// → `logs-2024.02`, resolved against the server clock (UTC unless a `|+02:00` zone is given).
import { illegalArgument } from './errors.ts';

const UNIT_MS: Record<string, number> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  H: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

function round(date: Date, unit: string): void {
  switch (unit) {
    case 'y':
      date.setUTCMonth(0, 1);
      date.setUTCHours(0, 0, 0, 0);
      return;
    case 'M':
      date.setUTCDate(1);
      date.setUTCHours(0, 0, 0, 0);
      return;
    case 'w': {
      const day = (date.getUTCDay() + 6) % 7; // weeks start on Monday
      date.setUTCDate(date.getUTCDate() - day);
      date.setUTCHours(0, 0, 0, 0);
      return;
    }
    case 'd':
      date.setUTCHours(0, 0, 0, 0);
      return;
    case 'h':
    case 'H':
      date.setUTCMinutes(0, 0, 0);
      return;
    case 'm':
      date.setUTCSeconds(0, 0);
      return;
    case 's':
      date.setUTCMilliseconds(0);
      return;
  }
}

function evaluate(expression: string, now: number, offsetMs: number, name: string): Date {
  const match = /^now((?:[+-]\d+[yMwdhHms])*)(?:\/([yMwdhHms]))?$/.exec(expression);
  if (!match) throw illegalArgument(`invalid date math expression [${expression}] in index name [${name}]`);
  // Work in the zone's wall-clock time, as a UTC date shifted by the offset.
  const date = new Date(now + offsetMs);
  for (const step of (match[1] ?? '').matchAll(/([+-])(\d+)([yMwdhHms])/g)) {
    const n = Number(step[2]) * (step[1] === '-' ? -1 : 1);
    const unit = step[3] ?? 'd';
    if (unit === 'y') date.setUTCFullYear(date.getUTCFullYear() + n);
    else if (unit === 'M') date.setUTCMonth(date.getUTCMonth() + n);
    else date.setTime(date.getTime() + n * (UNIT_MS[unit] ?? 0));
  }
  if (match[2]) round(date, match[2]);
  return date;
}

function format(date: Date, pattern: string): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const tokens: Array<[string, () => string]> = [
    ['yyyy', () => String(date.getUTCFullYear())],
    ['uuuu', () => String(date.getUTCFullYear())],
    ['YYYY', () => String(date.getUTCFullYear())],
    ['yy', () => pad(date.getUTCFullYear() % 100)],
    ['MM', () => pad(date.getUTCMonth() + 1)],
    ['dd', () => pad(date.getUTCDate())],
    ['HH', () => pad(date.getUTCHours())],
    ['mm', () => pad(date.getUTCMinutes())],
    ['ss', () => pad(date.getUTCSeconds())],
  ];
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const token = tokens.find(([t]) => pattern.startsWith(t, i));
    if (token) {
      out += token[1]();
      i += token[0].length;
    } else {
      out += pattern[i];
      i++;
    }
  }
  return out;
}

function zoneOffset(zone: string | undefined, name: string): number {
  if (zone === undefined || zone === 'UTC' || zone === 'Z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!m) throw illegalArgument(`unsupported time zone [${zone}] in index name [${name}]`);
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) * 60_000;
}

/** Resolves a date math index name; other names are returned unchanged. */
export function resolveDateMathName(name: string, now: number): string {
  if (!name.startsWith('<') || !name.endsWith('>')) return name;
  const inner = name.slice(1, -1);
  let out = '';
  let i = 0;
  while (i < inner.length) {
    const ch = inner[i] ?? '';
    if (ch === '\\' && i + 1 < inner.length) {
      out += inner[i + 1];
      i += 2;
      continue;
    }
    if (ch !== '{') {
      if (ch === '}')
        throw illegalArgument(
          `invalid dynamic name expression [${inner}]. invalid character at position [${i}].`,
        );
      out += ch;
      i++;
      continue;
    }
    // `{expr}` or `{expr{format|zone}}`
    let depth = 0;
    let end = i;
    for (; end < inner.length; end++) {
      if (inner[end] === '{') depth++;
      else if (inner[end] === '}') {
        depth--;
        if (depth === 0) break;
      }
    }
    if (depth !== 0)
      throw illegalArgument(
        `invalid dynamic name expression [${inner}]. date math placeholder is open ended`,
      );
    const body = inner.slice(i + 1, end);
    const brace = body.indexOf('{');
    const expression = brace === -1 ? body : body.slice(0, brace);
    const spec = brace === -1 ? '' : body.slice(brace + 1, -1);
    const [pattern, zone] = spec.split('|');
    const offset = zoneOffset(zone, name);
    out += format(evaluate(expression, now, offset, name), pattern || 'yyyy.MM.dd');
    i = end + 1;
  }
  return out;
}
