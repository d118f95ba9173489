// `_source` filtering for GET-by-id style answers: includes/excludes with `*` wildcards on dotted paths.
import { setOwn } from '../../../functions/core/pipeline/fields.ts';
import { wildcardMatch } from './index-name.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

export function filterSource(
  source: Record<string, unknown>,
  includes: string | string[] | undefined,
  excludes: string | string[] | undefined,
): Record<string, unknown> {
  const inc = list(includes);
  const exc = list(excludes);
  if (inc.length === 0 && exc.length === 0) return source;
  const matches = (patterns: string[], path: string) =>
    patterns.some((p) => wildcardMatch(p, path) || wildcardMatch(`${p}.*`, path));
  // A parent path may be kept because one of its children is included.
  const couldInclude = (path: string) =>
    inc.some(
      (p) =>
        p.startsWith(`${path}.`) ||
        wildcardMatch(p.split('.').slice(0, path.split('.').length).join('.'), path),
    );
  const walk = (obj: Record<string, unknown>, prefix: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(obj)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (exc.length > 0 && matches(exc, path)) continue;
      const included = inc.length === 0 || matches(inc, path);
      if (isObject(value)) {
        if (included || couldInclude(path)) {
          const child = walk(value, path);
          if (included || Object.keys(child).length > 0) setOwn(out, key, child);
        }
      } else if (included) {
        setOwn(out, key, value);
      }
    }
    return out;
  };
  return walk(source, '');
}
