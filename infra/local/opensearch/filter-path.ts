// `filter_path`: keeps only the parts of a JSON answer the client asked for (`items.*.error`,
// `**.status`, `-took`), as OpenSearch's response filtering does.
import { setOwn } from '../../../functions/core/pipeline/fields.ts';
import { wildcardMatch } from './index-name.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Does a key path match a pattern path (segments with `*`, and `**` for any depth)? */
function matches(pattern: string[], pathSegs: string[], prefixOk: boolean): boolean {
  if (pattern.length === 0) return true;
  if (pathSegs.length === 0) return prefixOk;
  const [head, ...rest] = pattern;
  if (head === '**') {
    for (let i = 0; i <= pathSegs.length; i++) if (matches(rest, pathSegs.slice(i), prefixOk)) return true;
    return false;
  }
  if (!wildcardMatch(head ?? '', pathSegs[0] ?? '')) return false;
  return matches(rest, pathSegs.slice(1), prefixOk);
}

export function filterPath(value: unknown, filter: string | undefined): unknown {
  if (!filter) return value;
  const patterns = filter
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  const includes = patterns.filter((p) => !p.startsWith('-')).map((p) => p.split('.'));
  const excludes = patterns.filter((p) => p.startsWith('-')).map((p) => p.slice(1).split('.'));
  const walk = (node: unknown, path: string[]): unknown => {
    if (Array.isArray(node)) {
      const out = node.map((item) => walk(item, path)).filter((item) => item !== undefined);
      return out.length > 0 ? out : undefined;
    }
    if (!isObject(node)) {
      return includes.length === 0 || includes.some((p) => matches(p, path, false)) ? node : undefined;
    }
    if (path.length > 0 && includes.some((p) => matches(p, path, false)) && excludes.length === 0)
      return node;
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const childPath = [...path, key];
      if (excludes.some((p) => matches(p, childPath, false))) continue;
      if (
        includes.length > 0 &&
        !includes.some((p) => matches(p, childPath, true) || matches(p, childPath, false))
      ) {
        continue;
      }
      const kept = walk(child, childPath);
      if (kept !== undefined) setOwn(out, key, kept);
    }
    return Object.keys(out).length > 0 || path.length === 0 ? out : undefined;
  };
  return walk(value, []);
}
