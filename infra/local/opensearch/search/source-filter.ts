// `_source` filtering: includes/excludes with `*` wildcards on dotted paths, as OpenSearch applies them.
import { type Fields, setOwn } from '../../../../functions/core/pipeline/fields.ts';
import { parsingError } from './errors.ts';
import { wildcardRegex } from './query.ts';
import type { SearchParams } from './types.ts';

export interface SourceFilter {
  fetch: boolean;
  includes: string[];
  excludes: string[];
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === 'string')
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  if (Array.isArray(value)) return value.map(String);
  throw parsingError(`[_source] expected a string or an array of strings, found [${JSON.stringify(value)}]`);
}

/** The effective filter from the body's `_source` and the URL parameters (which win). */
export function sourceFilter(body: unknown, params: SearchParams): SourceFilter {
  const out: SourceFilter = { fetch: true, includes: [], excludes: [] };
  if (body === false || body === 'false') out.fetch = false;
  else if (typeof body === 'string' || Array.isArray(body)) out.includes = list(body);
  else if (typeof body === 'object' && body !== null) {
    const spec = body as Record<string, unknown>;
    out.includes = list(spec.includes ?? spec.include);
    out.excludes = list(spec.excludes ?? spec.exclude);
  } else if (body !== undefined && body !== true && body !== 'true') {
    throw parsingError(`[_source] unsupported value [${String(body)}]`);
  }
  const p = params._source;
  if (p === false || p === 'false') out.fetch = false;
  else if (p === true || p === 'true') out.fetch = true;
  else if (typeof p === 'string' && p !== '') {
    out.fetch = true;
    out.includes = list(p);
  }
  if (params._source_includes !== undefined) {
    out.fetch = true;
    out.includes = list(params._source_includes);
  }
  if (params._source_excludes !== undefined) {
    out.fetch = true;
    out.excludes = list(params._source_excludes);
  }
  return out;
}

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Applies includes/excludes to a source; returns a new object (the original is not modified). */
export function filterSource(source: Fields, filter: SourceFilter): Fields {
  if (filter.includes.length === 0 && filter.excludes.length === 0) return source;
  const inc = filter.includes.map((p) => ({ full: wildcardRegex(p, false), pattern: p }));
  const exc = filter.excludes.map((p) => wildcardRegex(p, false));
  // A path may lead to an include if some pattern matches a longer path starting with it.
  const mayLeadTo = (path: string): boolean =>
    inc.some(({ pattern }) => {
      const star = pattern.indexOf('*');
      const fixed = star === -1 ? pattern : pattern.slice(0, star);
      return star === -1
        ? pattern.startsWith(`${path}.`)
        : `${path}.`.startsWith(fixed) || fixed.startsWith(`${path}.`);
    });
  const walk = (obj: Fields, prefix: string, included: boolean): Fields => {
    const out: Fields = {};
    for (const key of Object.keys(obj)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      if (exc.some((re) => re.test(path))) continue;
      const isIncluded = included || inc.length === 0 || inc.some(({ full }) => full.test(path));
      const value = obj[key];
      const descend = (v: unknown): unknown => {
        if (isPlainObject(v)) {
          if (!isIncluded && !mayLeadTo(path)) return undefined;
          const sub = walk(v, path, isIncluded);
          return isIncluded || Object.keys(sub).length > 0 ? sub : undefined;
        }
        if (Array.isArray(v)) {
          const items = v.map(descend).filter((x) => x !== undefined);
          return isIncluded || items.length > 0 ? items : undefined;
        }
        return isIncluded ? v : undefined;
      };
      const kept = descend(value);
      if (kept !== undefined) setOwn(out, key, kept);
    }
    return out;
  };
  return walk(source, '', false);
}
