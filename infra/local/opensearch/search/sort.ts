// Sort specs (`"field"`, `{field: "desc"}`, `{field: {order, missing, mode, unmapped_type}}`,
// `field:desc` URL form) and the comparator over hits, with OpenSearch's sort values.
import { illegalArgument, parsingError, SearchError } from './errors.ts';
import type { Engine } from './query.ts';
import type { SearchDoc } from './types.ts';

export interface SortKey {
  field: string;
  order: 'asc' | 'desc';
  missing: '_last' | '_first' | number | string;
  mode: 'min' | 'max' | 'sum' | 'avg' | 'median' | undefined;
  unmappedType: string | undefined;
}

export interface Scored {
  doc: SearchDoc;
  /** Position in the input (index order), the final tie-breaker. */
  pos: number;
  score: number;
}

function key(field: string, spec: unknown): SortKey {
  const isSpecial = field === '_score' || field === '_doc';
  const defaultOrder = field === '_score' ? 'desc' : 'asc';
  if (typeof spec === 'string') {
    return { field, order: order(spec, field), missing: '_last', mode: undefined, unmappedType: undefined };
  }
  const o = (spec ?? {}) as Record<string, unknown>;
  if (typeof o !== 'object' || Array.isArray(o)) throw parsingError(`[sort] malformed sort for [${field}]`);
  const mode = o.mode === undefined ? undefined : String(o.mode);
  if (mode !== undefined && !['min', 'max', 'sum', 'avg', 'median'].includes(mode)) {
    throw illegalArgument(`Unknown SortMode [${mode}]`);
  }
  return {
    field,
    order: o.order === undefined ? defaultOrder : order(o.order, field),
    missing: isSpecial ? '_last' : ((o.missing as SortKey['missing'] | undefined) ?? '_last'),
    mode: mode as SortKey['mode'],
    unmappedType: typeof o.unmapped_type === 'string' ? o.unmapped_type : undefined,
  };
}

function order(value: unknown, field: string): 'asc' | 'desc' {
  const v = String(value).toLowerCase();
  if (v !== 'asc' && v !== 'desc')
    throw illegalArgument(`Unknown SortOrder [${String(value)}] for [${field}]`);
  return v;
}

/** Parses the body `sort` (string, object or array) or the URL `sort` parameter (`a:desc,b`). */
export function parseSort(body: unknown, param: string | undefined): SortKey[] | undefined {
  if (param !== undefined && param !== '') {
    return param.split(',').map((part) => {
      const colon = part.lastIndexOf(':');
      return colon === -1
        ? key(part.trim(), undefined)
        : key(part.slice(0, colon).trim(), part.slice(colon + 1).trim());
    });
  }
  if (body === undefined || body === null) return undefined;
  const items = Array.isArray(body) ? body : [body];
  const keys: SortKey[] = [];
  for (const item of items) {
    if (typeof item === 'string') {
      keys.push(key(item, item === '_score' ? 'desc' : 'asc'));
    } else if (typeof item === 'object' && item !== null) {
      for (const [field, spec] of Object.entries(item)) keys.push(key(field, spec));
    } else {
      throw parsingError('[sort] malformed, expected a string, an object or an array');
    }
  }
  return keys;
}

const TEXT_SORT =
  'Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead.';

/** Computes each hit's sort values (dates as epoch millis, booleans as 1/0, missing as null). */
export function sortValues(keys: SortKey[], hit: Scored, engine: Engine): Array<number | string | null> {
  return keys.map((k) => {
    if (k.field === '_score') return hit.score;
    if (k.field === '_doc') return hit.pos;
    const fd = engine.field(hit.doc, k.field);
    if (fd.tokens) {
      throw new SearchError(
        400,
        'illegal_argument_exception',
        `${TEXT_SORT} Alternatively, set fielddata=true on [${k.field}] in order to load field data by uninverting the inverted index.`,
        {
          wrapperType: 'search_phase_execution_exception',
        },
      );
    }
    const values = fd.values;
    if (values.length === 0) {
      if (k.missing === '_last' || k.missing === '_first') return null;
      return k.missing;
    }
    if (typeof values[0] === 'string') {
      const sorted = [...values].map(String).sort();
      return (
        (k.mode === 'max' || (k.mode === undefined && k.order === 'desc')
          ? sorted[sorted.length - 1]
          : sorted[0]) ?? null
      );
    }
    const nums = values as number[];
    const mode = k.mode ?? (k.order === 'desc' ? 'max' : 'min');
    switch (mode) {
      case 'max':
        return Math.max(...nums);
      case 'sum':
        return nums.reduce((a, b) => a + b, 0);
      case 'avg':
        return nums.reduce((a, b) => a + b, 0) / nums.length;
      case 'median': {
        const s = [...nums].sort((a, b) => a - b);
        const mid = Math.floor(s.length / 2);
        return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
      }
      default:
        return Math.min(...nums);
    }
  });
}

/** Rejects sorting on a field no targeted index maps, unless `unmapped_type` is given. */
export function checkMapped(keys: SortKey[], engine: Engine, indices: string[]): void {
  for (const k of keys) {
    if (
      ['_score', '_doc', '_id', '_index'].includes(k.field) ||
      k.unmappedType !== undefined ||
      indices.length === 0
    ) {
      continue;
    }
    if (indices.every((index) => engine.ctx.fieldType(index, k.field) === undefined)) {
      const hasValues = engine.docs.some((d) => engine.field(d, k.field).values.length > 0);
      if (!hasValues) {
        throw new SearchError(
          400,
          'query_shard_exception',
          `No mapping found for [${k.field}] in order to sort on`,
          {
            wrapperType: 'search_phase_execution_exception',
          },
        );
      }
    }
  }
}

function compareValue(a: number | string | null, b: number | string | null, k: SortKey): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    // Missing values go last (or first) whatever the order.
    const aMissingFirst = k.missing === '_first';
    return a === null ? (aMissingFirst ? -1 : 1) : aMissingFirst ? 1 : -1;
  }
  let c: number;
  if (typeof a === 'number' && typeof b === 'number') c = a - b;
  else c = String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
  return k.order === 'desc' ? -c : c;
}

export function compareSortValues(
  a: Array<number | string | null>,
  b: Array<number | string | null>,
  keys: SortKey[],
): number {
  for (let i = 0; i < keys.length; i++) {
    const c = compareValue(a[i] ?? null, b[i] ?? null, keys[i] as SortKey);
    if (c !== 0) return c;
  }
  return 0;
}
