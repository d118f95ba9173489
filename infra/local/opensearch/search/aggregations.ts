// Aggregations with OpenSearch's response shapes: bucket aggregations (terms, histogram,
// date_histogram, range, date_range, filter, filters, missing, global) with sub-aggregations, and
// metrics (avg, sum, min, max, value_count, cardinality, stats, extended_stats, percentiles, top_hits).
import { formatDate, nextUnit, parseDateMath, roundDown, zoneOffset } from './dates.ts';
import { illegalArgument, parsingError, SearchError } from './errors.ts';
import { isNumericType, type Typed } from './field-values.ts';
import { compileQuery, type Engine } from './query.ts';
import { compareSortValues, parseSort, type Scored, sortValues } from './sort.ts';
import { filterSource, sourceFilter } from './source-filter.ts';
import type { FieldType } from './types.ts';

export interface AggInput {
  engine: Engine;
  /** Every document of the search, for `global` and `min_doc_count: 0` terms. */
  all: Scored[];
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OpenSearch's default `search.max_buckets`. */
const MAX_BUCKETS = 65_535;

const STRUCTURAL = new Set(['aggs', 'aggregations', 'meta']);

export function runAggregations(spec: unknown, hits: Scored[], input: AggInput): Json {
  if (!isObject(spec)) throw parsingError('Expected [START_OBJECT] under [aggregations]');
  const out: Json = {};
  for (const [name, def] of Object.entries(spec)) {
    if (!isObject(def))
      throw parsingError(`Expected [START_OBJECT] under [${name}], but got a [VALUE] in [${name}]`);
    const types = Object.keys(def).filter((k) => !STRUCTURAL.has(k));
    if (types.length === 0) throw parsingError(`Missing definition for aggregation [${name}]`);
    if (types.length > 1) {
      throw parsingError(
        `Found two aggregation type definitions in [${name}]: [${types[0]}] and [${types[1]}]`,
      );
    }
    if (def.aggs !== undefined && def.aggregations !== undefined) {
      throw parsingError(`Found two sub aggregation definitions under [${name}]`);
    }
    const type = types[0] as string;
    const body = def[type];
    if (!isObject(body))
      throw parsingError(`Expected [START_OBJECT] under [${type}], but got a [VALUE] in [${name}]`);
    const run = AGGS[type];
    if (!run) throw parsingError(`Unknown aggregation type [${type}]`);
    const sub = def.aggs ?? def.aggregations;
    const subAggs = (docs: Scored[]): Json => (sub === undefined ? {} : runAggregations(sub, docs, input));
    const result = run(body, hits, input, subAggs);
    out[name] = def.meta === undefined ? result : { meta: def.meta, ...result };
  }
  return out;
}

type AggFn = (body: Json, hits: Scored[], input: AggInput, sub: (docs: Scored[]) => Json) => Json;

/** `doc['field'].value` scripts are just fields; other scripts are not supported. */
function fieldOf(body: Json, agg: string): string {
  if (typeof body.field === 'string') return body.field;
  const script = body.script;
  const source = typeof script === 'string' ? script : isObject(script) ? script.source : undefined;
  const m = typeof source === 'string' ? /^\s*doc\[['"]([^'"]+)['"]\]\.value\s*;?\s*$/.exec(source) : null;
  if (m) return m[1] as string;
  if (source !== undefined)
    throw illegalArgument(`[${agg}] scripts other than doc['field'].value are not supported`);
  throw illegalArgument(`Required one of fields [field, script], but none were specified.`);
}

function fielddataError(field: string): SearchError {
  return new SearchError(
    400,
    'illegal_argument_exception',
    `Text fields are not optimised for operations that require per-document field data like aggregations and sorting, so these operations are disabled by default. Please use a keyword field instead. Alternatively, set fielddata=true on [${field}] in order to load field data by uninverting the inverted index. Note that this can use significant memory.`,
    { wrapperType: 'search_phase_execution_exception' },
  );
}

/** A document's typed values for an aggregation, with `missing` filling in. */
function aggValues(
  input: AggInput,
  hit: Scored,
  field: string,
  missing: unknown,
): { type: FieldType | undefined; values: Typed[] } {
  const fd = input.engine.field(hit.doc, field);
  if (fd.tokens) throw fielddataError(field);
  if (fd.values.length === 0 && missing !== undefined && missing !== null) {
    const type = fd.type;
    if (type === 'date') return { type, values: [parseDateMath(missing, { now: input.engine.ctx.now })] };
    if (isNumericType(type) || typeof missing === 'number') return { type, values: [Number(missing)] };
    return { type, values: [String(missing)] };
  }
  return { type: fd.type, values: fd.values };
}

function numericValues(
  body: Json,
  hits: Scored[],
  input: AggInput,
  agg: string,
): { nums: number[]; type: FieldType | undefined } {
  const field = fieldOf(body, agg);
  const nums: number[] = [];
  let type: FieldType | undefined;
  for (const hit of hits) {
    const v = aggValues(input, hit, field, body.missing);
    type ??= v.type;
    for (const x of v.values) {
      if (typeof x !== 'number') {
        throw illegalArgument(
          `Field [${field}] of type [${String(v.type)}] is not supported for aggregation [${agg}]`,
          true,
        );
      }
      nums.push(x);
    }
  }
  return { nums, type };
}

function withDateString(value: number | null, type: FieldType | undefined, body: Json): Json {
  if (value === null || type !== 'date') return { value };
  return {
    value,
    value_as_string: formatDate(value, typeof body.format === 'string' ? body.format : undefined),
  };
}

/** Java's Double.toString for the values OpenSearch prints as strings (`1900.0`, `0.5`). */
function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
  return Number.isInteger(n) && Math.abs(n) < 1e7 ? `${n}.0` : String(n);
}

/** DecimalFormat-style numeric formats (`##0.0`, `#,##0.00`, `0`). */
export function formatDecimal(n: number, pattern: string): string {
  const [intPart = '', frac = ''] = pattern.split('.');
  const minFrac = (frac.match(/0/g) ?? []).length;
  const maxFrac = (frac.match(/[0#]/g) ?? []).length;
  let text = n.toFixed(maxFrac);
  if (maxFrac > minFrac) {
    const [i, f = ''] = text.split('.');
    let trimmed = f;
    while (trimmed.length > minFrac && trimmed.endsWith('0')) trimmed = trimmed.slice(0, -1);
    text = trimmed === '' ? (i as string) : `${i}.${trimmed}`;
  }
  if (intPart.includes(',')) {
    const [i = '', f] = text.split('.');
    const grouped = i.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
    text = f === undefined ? grouped : `${grouped}.${f}`;
  }
  return text;
}

function formatKey(key: number, type: FieldType | undefined, body: Json): string | undefined {
  const format = typeof body.format === 'string' ? body.format : undefined;
  if (type === 'date')
    return formatDate(key, format, typeof body.time_zone === 'string' ? body.time_zone : undefined);
  if (format !== undefined) return formatDecimal(key, format);
  return undefined;
}

function percentile(sorted: number[], p: number): number | null {
  const n = sorted.length;
  if (n === 0) return null;
  // TDigest with one centroid per value: centroids sit at (i + 0.5) / n, linear in between.
  const q = (p / 100) * n;
  if (q <= 0.5) return sorted[0] as number;
  if (q >= n - 0.5) return sorted[n - 1] as number;
  const i = Math.floor(q - 0.5);
  const frac = q - 0.5 - i;
  const a = sorted[i] as number;
  const b = sorted[i + 1] as number;
  return a + (b - a) * frac;
}

interface Bucket {
  key: Typed;
  keyAsString?: string;
  docs: Scored[];
  extra?: Json;
}

function renderBucket(b: Bucket, sub: (docs: Scored[]) => Json): Json {
  const out: Json = {};
  if (b.keyAsString !== undefined) out.key_as_string = b.keyAsString;
  out.key = b.key;
  Object.assign(out, b.extra ?? {});
  out.doc_count = b.docs.length;
  return Object.assign(out, sub(b.docs));
}

function keyedOrList(buckets: Json[], keyed: boolean): unknown {
  if (!keyed) return buckets;
  const out: Json = {};
  for (const b of buckets) out[String(b.key_as_string ?? b.key)] = b;
  return out;
}

/** Sorts rendered buckets by `order` (`_count`, `_key`, a sub-aggregation metric), ties by key. */
function orderBuckets(buckets: Json[], order: unknown, defaultOrder: Json[]): Json[] {
  const specs = order === undefined ? defaultOrder : Array.isArray(order) ? order : [order];
  const criteria: Array<{ path: string; dir: number }> = [];
  for (const spec of specs) {
    if (!isObject(spec)) throw parsingError('[order] must be an object');
    for (const [path, dir] of Object.entries(spec)) {
      const d = String(dir).toLowerCase();
      if (d !== 'asc' && d !== 'desc') throw parsingError(`Unknown order direction [${String(dir)}]`);
      criteria.push({ path: path === '_term' ? '_key' : path, dir: d === 'asc' ? 1 : -1 });
    }
  }
  if (!criteria.some((c) => c.path === '_key')) criteria.push({ path: '_key', dir: 1 });
  const valueAt = (b: Json, path: string): unknown => {
    if (path === '_count') return b.doc_count;
    if (path === '_key') return b.key;
    const [agg = '', metric] = path.split(/[.>]/);
    const v = b[agg];
    if (!isObject(v))
      throw new SearchError(
        400,
        'aggregation_execution_exception',
        `Invalid aggregation order path [${path}]`,
      );
    if (metric !== undefined) return v[metric];
    return 'value' in v ? v.value : v.doc_count;
  };
  return [...buckets].sort((a, b) => {
    for (const { path, dir } of criteria) {
      const x = valueAt(a, path);
      const y = valueAt(b, path);
      if (x === y) continue;
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x) < String(y) ? -1 : 1;
      if (c !== 0) return c * dir;
    }
    return 0;
  });
}

function termKey(v: Typed, type: FieldType | undefined, body: Json): { key: Typed; keyAsString?: string } {
  if (type === 'boolean') return { key: v, keyAsString: v === 1 ? 'true' : 'false' };
  if (type === 'date' && typeof v === 'number') {
    return { key: v, keyAsString: formatDate(v, typeof body.format === 'string' ? body.format : undefined) };
  }
  return { key: v };
}

function includeFilter(body: Json): (key: Typed) => boolean {
  const toTest = (spec: unknown): ((k: string) => boolean) | undefined => {
    if (spec === undefined) return undefined;
    if (Array.isArray(spec)) {
      const set = new Set(spec.map(String));
      return (k) => set.has(k);
    }
    if (typeof spec === 'string') {
      let re: RegExp;
      try {
        re = new RegExp(`^(?:${spec})$`, 's');
      } catch (cause) {
        throw new SearchError(400, 'illegal_argument_exception', `invalid regular expression [${spec}]`, {
          cause,
        });
      }
      return (k) => re.test(k);
    }
    throw parsingError(
      '[include]/[exclude] must be a regular expression or an array of values (partitions are not supported)',
    );
  };
  const inc = toTest(body.include);
  const exc = toTest(body.exclude);
  return (key) => (!inc || inc(String(key))) && !exc?.(String(key));
}

const terms: AggFn = (body, hits, input, sub) => {
  const field = fieldOf(body, 'terms');
  const size = body.size === undefined ? 10 : Number(body.size);
  if (!Number.isInteger(size) || size < 1)
    throw illegalArgument(`[size] must be greater than 0. Found [${String(body.size)}] in [terms]`);
  const minDocCount = body.min_doc_count === undefined ? 1 : Number(body.min_doc_count);
  const keep = includeFilter(body);
  const buckets = new Map<Typed, Bucket>();
  let _type: FieldType | undefined;
  const add = (hit: Scored | undefined, v: Typed, t: FieldType | undefined): void => {
    if (!keep(v)) return;
    let b = buckets.get(v);
    if (!b) {
      b = { ...termKey(v, t, body), docs: [] };
      if (body.show_term_doc_count_error === true) b.extra = { doc_count_error_upper_bound: 0 };
      buckets.set(v, b);
    }
    if (hit) b.docs.push(hit);
  };
  for (const hit of hits) {
    const { type: t, values } = aggValues(input, hit, field, body.missing);
    _type ??= t;
    for (const v of new Set(values)) add(hit, v, t);
  }
  if (minDocCount === 0) {
    for (const hit of input.all) {
      const { type: t, values } = aggValues(input, hit, field, undefined);
      for (const v of values) add(undefined, v, t);
    }
  }
  const rendered = orderBuckets(
    [...buckets.values()].filter((b) => b.docs.length >= minDocCount).map((b) => renderBucket(b, sub)),
    body.order,
    [{ _count: 'desc' }],
  );
  const shown = rendered.slice(0, size);
  const other = rendered.slice(size).reduce((s, b) => s + (b.doc_count as number), 0);
  return { doc_count_error_upper_bound: 0, sum_other_doc_count: other, buckets: shown };
};

function fillGaps(
  buckets: Map<number, Bucket>,
  bounds: { min?: number; max?: number },
  next: (key: number) => number,
  make: (key: number) => Bucket,
): void {
  const keys = [...buckets.keys()];
  if (bounds.min !== undefined) keys.push(bounds.min);
  if (bounds.max !== undefined) keys.push(bounds.max);
  if (keys.length === 0) return;
  const lo = keys.reduce((a, b) => Math.min(b, a));
  const hi = keys.reduce((a, b) => Math.max(b, a));
  let guard = 0;
  for (let k = lo; k <= hi; k = next(k)) {
    if (!buckets.has(k)) buckets.set(k, make(k));
    if (++guard > MAX_BUCKETS) {
      throw new SearchError(
        400,
        'too_many_buckets_exception',
        `Trying to create too many buckets. Must be less than or equal to: [${MAX_BUCKETS}] but was [${MAX_BUCKETS + 1}]. This limit can be set by changing the [search.max_buckets] cluster level setting.`,
        { wrapperType: 'search_phase_execution_exception' },
      );
    }
  }
}

const histogram: AggFn = (body, hits, input, sub) => {
  const field = fieldOf(body, 'histogram');
  const interval = Number(body.interval);
  if (!(interval > 0)) throw illegalArgument('[interval] must be >0 for histogram aggregation [histogram]');
  const offset = Number(body.offset ?? 0);
  const minDocCount = Number(body.min_doc_count ?? 0);
  const keyOf = (v: number): number => Math.floor((v - offset) / interval) * interval + offset;
  const buckets = new Map<number, Bucket>();
  let type: FieldType | undefined;
  const make = (k: number): Bucket => {
    const ks = formatKey(k, type, body);
    return ks === undefined ? { key: k, docs: [] } : { key: k, keyAsString: ks, docs: [] };
  };
  for (const hit of hits) {
    const { type: t, values } = aggValues(input, hit, field, body.missing);
    type ??= t;
    for (const k of new Set(values.map((v) => keyOf(Number(v))))) {
      let b = buckets.get(k);
      if (!b) {
        b = make(k);
        buckets.set(k, b);
      }
      b.docs.push(hit);
    }
  }
  if (minDocCount === 0) {
    const eb = isObject(body.extended_bounds) ? body.extended_bounds : {};
    const bounds: { min?: number; max?: number } = {};
    if (eb.min !== undefined) bounds.min = keyOf(Number(eb.min));
    if (eb.max !== undefined) bounds.max = keyOf(Number(eb.max));
    fillGaps(buckets, bounds, (k) => k + interval, make);
  }
  const rendered = orderBuckets(
    [...buckets.values()].filter((b) => b.docs.length >= minDocCount).map((b) => renderBucket(b, sub)),
    body.order,
    [{ _key: 'asc' }],
  );
  return { buckets: keyedOrList(rendered, body.keyed === true) };
};

const CALENDAR: Record<string, string> = {
  minute: 'm',
  '1m': 'm',
  hour: 'h',
  '1h': 'h',
  day: 'd',
  '1d': 'd',
  week: 'w',
  '1w': 'w',
  month: 'M',
  '1M': 'M',
  quarter: 'q',
  '1q': 'q',
  year: 'y',
  '1y': 'y',
};

const FIXED_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function fixedMillis(spec: string, what: string): number {
  const m = /^(\d+)(ms|s|m|h|d)$/.exec(spec);
  if (!m) throw illegalArgument(`failed to parse setting [${what}] with value [${spec}] as a time value`);
  return Number(m[1]) * (FIXED_UNITS[m[2] as string] as number);
}

function signedDuration(spec: unknown): number {
  if (spec === undefined) return 0;
  if (typeof spec === 'number') return spec;
  const text = String(spec);
  const sign = text.startsWith('-') ? -1 : 1;
  return sign * fixedMillis(text.replace(/^[+-]/, ''), 'offset');
}

const dateHistogram: AggFn = (body, hits, input, sub) => {
  const field = fieldOf(body, 'date_histogram');
  const tz = typeof body.time_zone === 'string' ? body.time_zone : undefined;
  const offset = signedDuration(body.offset);
  let unit: string | undefined;
  let fixed: number | undefined;
  if (body.calendar_interval !== undefined) {
    unit = CALENDAR[String(body.calendar_interval)];
    if (!unit)
      throw illegalArgument(
        `The supplied interval [${String(body.calendar_interval)}] could not be parsed as a calendar interval.`,
      );
  } else if (body.fixed_interval !== undefined) {
    fixed = fixedMillis(String(body.fixed_interval), 'date_histogram.fixedInterval');
  } else if (body.interval !== undefined) {
    unit = CALENDAR[String(body.interval)];
    if (!unit) fixed = fixedMillis(String(body.interval), 'date_histogram.interval');
  } else {
    throw illegalArgument('Invalid interval specified, must be non-null and non-empty');
  }
  const round = (v: number): number => {
    const t = v - offset;
    if (unit !== undefined) return roundDown(t, unit, tz) + offset;
    const off = zoneOffset(tz, t);
    const step = fixed as number;
    return Math.floor((t + off) / step) * step - off + offset;
  };
  const next = (k: number): number =>
    unit !== undefined ? nextUnit(k - offset, unit, tz) + offset : k + (fixed as number);
  const format = typeof body.format === 'string' ? body.format : undefined;
  const make = (k: number): Bucket => ({ key: k, keyAsString: formatDate(k, format, tz), docs: [] });
  const minDocCount = Number(body.min_doc_count ?? 0);
  const buckets = new Map<number, Bucket>();
  for (const hit of hits) {
    const { values } = aggValues(input, hit, field, body.missing);
    for (const k of new Set(values.filter((v): v is number => typeof v === 'number').map(round))) {
      let b = buckets.get(k);
      if (!b) {
        b = make(k);
        buckets.set(k, b);
      }
      b.docs.push(hit);
    }
  }
  if (minDocCount === 0) {
    const eb = isObject(body.extended_bounds) ? body.extended_bounds : {};
    const bounds: { min?: number; max?: number } = {};
    const opts = { now: input.engine.ctx.now, format, timeZone: tz };
    if (eb.min !== undefined) bounds.min = round(parseDateMath(eb.min, opts));
    if (eb.max !== undefined) bounds.max = round(parseDateMath(eb.max, opts));
    fillGaps(buckets, bounds, next, make);
  }
  const rendered = orderBuckets(
    [...buckets.values()].filter((b) => b.docs.length >= minDocCount).map((b) => renderBucket(b, sub)),
    body.order,
    [{ _key: 'asc' }],
  );
  return { buckets: keyedOrList(rendered, body.keyed === true) };
};

function rangeAgg(dates: boolean): AggFn {
  return (body, hits, input, sub) => {
    const field = fieldOf(body, dates ? 'date_range' : 'range');
    if (!Array.isArray(body.ranges) || body.ranges.length === 0)
      throw illegalArgument('No [ranges] specified for the [range] aggregation');
    const format = typeof body.format === 'string' ? body.format : undefined;
    const tz = typeof body.time_zone === 'string' ? body.time_zone : undefined;
    const bound = (v: unknown): number | undefined => {
      if (v === undefined || v === null) return undefined;
      if (dates) return parseDateMath(v, { now: input.engine.ctx.now, format, timeZone: tz });
      const n = Number(v);
      if (!Number.isFinite(n)) throw parsingError(`[range] bound [${String(v)}] is not a number`);
      return n;
    };
    const ranges = body.ranges.map((r: unknown, i: number) => {
      if (!isObject(r)) throw parsingError('[ranges] must contain objects');
      return {
        from: bound(r.from),
        to: bound(r.to),
        key: r.key === undefined ? undefined : String(r.key),
        i,
      };
    });
    ranges.sort(
      (a, b) =>
        (a.from ?? Number.NEGATIVE_INFINITY) - (b.from ?? Number.NEGATIVE_INFINITY) ||
        (a.to ?? Number.POSITIVE_INFINITY) - (b.to ?? Number.POSITIVE_INFINITY) ||
        a.i - b.i,
    );
    const valuesPerHit = hits.map((hit) => aggValues(input, hit, field, body.missing).values.map(Number));
    const text = (n: number | undefined): string | undefined => {
      if (n === undefined) return undefined;
      if (dates) return formatDate(n, format, tz);
      return format === undefined ? undefined : formatDecimal(n, format);
    };
    const buckets = ranges.map((r) => {
      const docs = hits.filter((_, i) =>
        (valuesPerHit[i] ?? []).some(
          (v) => (r.from === undefined || v >= r.from) && (r.to === undefined || v < r.to),
        ),
      );
      const fromText = text(r.from);
      const toText = text(r.to);
      const key =
        r.key ??
        `${r.from === undefined ? '*' : (fromText ?? javaDouble(r.from))}-${r.to === undefined ? '*' : (toText ?? javaDouble(r.to))}`;
      const out: Json = { key };
      if (r.from !== undefined) {
        out.from = r.from;
        if (fromText !== undefined) out.from_as_string = fromText;
      }
      if (r.to !== undefined) {
        out.to = r.to;
        if (toText !== undefined) out.to_as_string = toText;
      }
      out.doc_count = docs.length;
      return Object.assign(out, sub(docs));
    });
    if (body.keyed === true) {
      const keyed: Json = {};
      for (const b of buckets) {
        const { key, ...rest } = b;
        keyed[String(key)] = rest;
      }
      return { buckets: keyed };
    }
    return { buckets };
  };
}

const filterAgg: AggFn = (body, hits, input, sub) => {
  const scorer = compileQuery(body, input.engine.asFilter());
  const docs = hits.filter((h) => scorer(h.doc) !== null);
  return { doc_count: docs.length, ...sub(docs) };
};

const filtersAgg: AggFn = (body, hits, input, sub) => {
  const filters = body.filters;
  const otherKey = typeof body.other_bucket_key === 'string' ? body.other_bucket_key : '_other_';
  const other = body.other_bucket === true || body.other_bucket_key !== undefined;
  const matchedAny = new Set<Scored>();
  const run = (q: unknown): Json => {
    const scorer = compileQuery(q, input.engine.asFilter());
    const docs = hits.filter((h) => scorer(h.doc) !== null);
    for (const d of docs) matchedAny.add(d);
    return { doc_count: docs.length, ...sub(docs) };
  };
  if (Array.isArray(filters)) {
    const buckets = filters.map(run);
    if (other)
      buckets.push({
        doc_count: hits.filter((h) => !matchedAny.has(h)).length,
        ...sub(hits.filter((h) => !matchedAny.has(h))),
      });
    return { buckets };
  }
  if (!isObject(filters)) throw parsingError('[filters] must be an object or an array');
  const buckets: Json = {};
  for (const [key, q] of Object.entries(filters)) buckets[key] = run(q);
  if (other) {
    const rest = hits.filter((h) => !matchedAny.has(h));
    buckets[otherKey] = { doc_count: rest.length, ...sub(rest) };
  }
  // keyed: false turns the object into a list with keys.
  if (body.keyed === false)
    return { buckets: Object.entries(buckets).map(([key, b]) => ({ key, ...(b as Json) })) };
  return { buckets };
};

function statsOf(nums: number[]): {
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  sum: number;
} {
  const count = nums.length;
  const sum = nums.reduce((a, b) => a + b, 0);
  return {
    count,
    min: count ? nums.reduce((a, b) => Math.min(b, a)) : null,
    max: count ? nums.reduce((a, b) => Math.max(b, a)) : null,
    avg: count ? sum / count : null,
    sum,
  };
}

const topHits: AggFn = (body, hits, input) => {
  const size = Number(body.size ?? 3);
  const from = Number(body.from ?? 0);
  const keys = parseSort(body.sort, undefined);
  let ordered: Array<{ hit: Scored; sort?: Array<number | string | null> }>;
  if (keys) {
    ordered = hits.map((hit) => ({ hit, sort: sortValues(keys, hit, input.engine) }));
    ordered.sort((a, b) => compareSortValues(a.sort ?? [], b.sort ?? [], keys) || a.hit.pos - b.hit.pos);
  } else {
    ordered = [...hits].sort((a, b) => b.score - a.score || a.pos - b.pos).map((hit) => ({ hit }));
  }
  const filter = sourceFilter(body._source, {});
  const trackScores = !keys || keys.some((k) => k.field === '_score') || body.track_scores === true;
  const page = ordered.slice(from, from + size).map(({ hit, sort }) => {
    const out: Json = { _index: hit.doc.index, _id: hit.doc.id, _score: trackScores ? hit.score : null };
    if (filter.fetch) out._source = filterSource(hit.doc.source, filter);
    if (sort) out.sort = sort;
    return out;
  });
  const maxScore =
    trackScores && hits.length > 0 ? hits.reduce((m, h) => Math.max(h.score, m), -Infinity) : null;
  return { hits: { total: { value: hits.length, relation: 'eq' }, max_score: maxScore, hits: page } };
};

const AGGS: Record<string, AggFn> = {
  terms,
  histogram,
  date_histogram: dateHistogram,
  range: rangeAgg(false),
  date_range: rangeAgg(true),
  filter: filterAgg,
  filters: filtersAgg,
  missing: (body, hits, input, sub) => {
    const field = fieldOf(body, 'missing');
    const docs = hits.filter((h) => input.engine.field(h.doc, field).values.length === 0);
    return { doc_count: docs.length, ...sub(docs) };
  },
  global: (_body, _hits, input, sub) => ({ doc_count: input.all.length, ...sub(input.all) }),
  // Objects are flattened here, so nested/reverse_nested keep the same documents.
  nested: (_body, hits, _input, sub) => ({ doc_count: hits.length, ...sub(hits) }),
  reverse_nested: (_body, hits, _input, sub) => ({ doc_count: hits.length, ...sub(hits) }),
  avg: (body, hits, input) => {
    const { nums, type } = numericValues(body, hits, input, 'avg');
    return withDateString(statsOf(nums).avg, type, body);
  },
  sum: (body, hits, input) => ({ value: statsOf(numericValues(body, hits, input, 'sum').nums).sum }),
  min: (body, hits, input) => {
    const { nums, type } = numericValues(body, hits, input, 'min');
    return withDateString(statsOf(nums).min, type, body);
  },
  max: (body, hits, input) => {
    const { nums, type } = numericValues(body, hits, input, 'max');
    return withDateString(statsOf(nums).max, type, body);
  },
  value_count: (body, hits, input) => {
    const field = fieldOf(body, 'value_count');
    let value = 0;
    for (const h of hits)
      value += input.engine.field(h.doc, field).tokens ? 0 : input.engine.field(h.doc, field).values.length;
    return { value };
  },
  cardinality: (body, hits, input) => {
    const field = fieldOf(body, 'cardinality');
    const seen = new Set<Typed>();
    for (const h of hits) for (const v of aggValues(input, h, field, body.missing).values) seen.add(v);
    return { value: seen.size };
  },
  stats: (body, hits, input) => statsOf(numericValues(body, hits, input, 'stats').nums),
  extended_stats: (body, hits, input) => {
    const { nums } = numericValues(body, hits, input, 'extended_stats');
    const s = statsOf(nums);
    const sigma = Number(body.sigma ?? 2);
    const sumSq = nums.reduce((a, b) => a + b * b, 0);
    const variance = s.count ? sumSq / s.count - (s.avg as number) ** 2 : null;
    const varianceSampling = s.count > 1 ? (sumSq - s.count * (s.avg as number) ** 2) / (s.count - 1) : null;
    const std = variance === null ? null : Math.sqrt(Math.max(0, variance));
    const stdS = varianceSampling === null ? null : Math.sqrt(Math.max(0, varianceSampling));
    const bound = (sd: number | null, dir: number): number | null =>
      sd === null || s.avg === null ? null : s.avg + dir * sigma * sd;
    return {
      ...s,
      sum_of_squares: s.count ? sumSq : null,
      variance,
      variance_population: variance,
      variance_sampling: varianceSampling,
      std_deviation: std,
      std_deviation_population: std,
      std_deviation_sampling: stdS,
      std_deviation_bounds: {
        upper: bound(std, 1),
        lower: bound(std, -1),
        upper_population: bound(std, 1),
        lower_population: bound(std, -1),
        upper_sampling: bound(stdS, 1),
        lower_sampling: bound(stdS, -1),
      },
    };
  },
  percentiles: (body, hits, input) => {
    const { nums } = numericValues(body, hits, input, 'percentiles');
    const sorted = [...nums].sort((a, b) => a - b);
    const percents = Array.isArray(body.percents) ? body.percents.map(Number) : [1, 5, 25, 50, 75, 95, 99];
    if (body.keyed === false)
      return { values: percents.map((p) => ({ key: p, value: percentile(sorted, p) })) };
    const values: Json = {};
    for (const p of percents) values[javaDouble(p)] = percentile(sorted, p);
    return { values };
  },
  top_hits: topHits,
};
