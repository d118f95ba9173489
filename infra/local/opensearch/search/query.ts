// Compiles the query DSL into scorers: a scorer returns the document's score, or null when it does
// not match. Scores are BM25-like for full-text and term queries and constant (boost) for filters.
import { analyze } from './analyze.ts';
import { parseDate, parseDateMath } from './dates.ts';
import { parsingError, SearchError } from './errors.ts';
import { type FieldData, fieldData, isNumericType, leafFields, rawValues, toTyped } from './field-values.ts';
import { type PerField, parseQueryString } from './query-string.ts';
import type { FieldType, SearchContext, SearchDoc } from './types.ts';

export type Scorer = (doc: SearchDoc) => number | null;

interface FieldStats {
  docCount: number;
  avgLen: number;
  df: Map<string, number>;
}

/** Per-search state: the documents (for term statistics) and caches. */
export class Engine {
  readonly docs: SearchDoc[];
  readonly ctx: SearchContext;
  /** False in filter context (bool filter/must_not, constant_score, aggregations): no scores needed. */
  readonly scoring: boolean;
  private readonly data: WeakMap<SearchDoc, Map<string, FieldData>>;
  private readonly stats: Map<string, FieldStats>;
  private filterView: Engine | undefined;

  constructor(docs: SearchDoc[], ctx: SearchContext, shared?: Engine) {
    this.docs = docs;
    this.ctx = ctx;
    this.scoring = shared === undefined;
    this.data = shared?.data ?? new WeakMap();
    this.stats = shared?.stats ?? new Map();
  }

  /** The same engine (and caches) for filter context, where term statistics are not computed. */
  asFilter(): Engine {
    if (!this.scoring) return this;
    this.filterView ??= new Engine(this.docs, this.ctx, this);
    return this.filterView;
  }

  field(doc: SearchDoc, field: string): FieldData {
    let perDoc = this.data.get(doc);
    if (!perDoc) {
      perDoc = new Map();
      this.data.set(doc, perDoc);
    }
    let fd = perDoc.get(field);
    if (!fd) {
      fd = sharedFieldData(doc, field, this.ctx);
      perDoc.set(field, fd);
    }
    return fd;
  }

  /** BM25 of one term in one document's field (k1 1.2, b 0.75; keyword fields have no norms). */
  bm25(doc: SearchDoc, field: string, term: string): number {
    if (!this.scoring) return 1;
    const fd = this.field(doc, field);
    const stats = this.fieldStats(field);
    const n = stats.df.get(term) ?? 0;
    const idf = Math.log(1 + (stats.docCount - n + 0.5) / (n + 0.5));
    const tf = termCounts(fd).get(term) ?? 0;
    if (tf === 0) return 0;
    const norm = fd.tokens ? 1 - 0.75 + (0.75 * docTerms(fd).length) / (stats.avgLen || 1) : 1;
    return (idf * (tf * 2.2)) / (tf + 1.2 * norm);
  }

  private fieldStats(field: string): FieldStats {
    let s = this.stats.get(field);
    if (s) return s;
    s = { docCount: 0, avgLen: 0, df: new Map() };
    let total = 0;
    for (const doc of this.docs) {
      const fd = this.field(doc, field);
      const length = docTerms(fd).length;
      if (length === 0) continue;
      s.docCount++;
      total += length;
      for (const t of termCounts(fd).keys()) s.df.set(t, (s.df.get(t) ?? 0) + 1);
    }
    s.avgLen = s.docCount === 0 ? 1 : total / s.docCount;
    this.stats.set(field, s);
    return s;
  }

  /** Expands `*`, `title*` and `title^2` field specs against a document's fields. */
  expandFields(doc: SearchDoc, specs: string[]): Array<{ field: string; boost: number }> {
    const out: Array<{ field: string; boost: number }> = [];
    let leaves: string[] | undefined;
    for (const spec of specs) {
      const caret = spec.lastIndexOf('^');
      const name = caret === -1 ? spec : spec.slice(0, caret);
      const boost = caret === -1 ? 1 : Number(spec.slice(caret + 1)) || 1;
      if (!name.includes('*')) {
        out.push({ field: name, boost });
        continue;
      }
      leaves ??= leafFields(doc.source);
      const re = wildcardRegex(name, false);
      for (const leaf of leaves) if (re.test(leaf)) out.push({ field: leaf, boost });
    }
    return out;
  }
}

// Field data kept across searches, keyed by the stored `_source` object (the server builds new
// SearchDoc wrappers per search but keeps the sources), while its seqNo, index and the field's mapping
// are unchanged: alert rules search the same documents again and again.
const SHARED = new WeakMap<object, { seqNo: number; index: string; fields: Map<string, FieldData> }>();

function sharedFieldData(doc: SearchDoc, field: string, ctx: SearchContext): FieldData {
  if (field === '_id' || field === '_index') return fieldData(doc, field, ctx);
  let entry = SHARED.get(doc.source);
  if (!entry || entry.seqNo !== doc.seqNo || entry.index !== doc.index) {
    entry = { seqNo: doc.seqNo, index: doc.index, fields: new Map() };
    SHARED.set(doc.source, entry);
  }
  const dot = field.lastIndexOf('.');
  const parentType = dot === -1 ? '' : (ctx.fieldType(doc.index, field.slice(0, dot)) ?? '');
  const key = `${field}\u0000${ctx.fieldType(doc.index, field) ?? ''}\u0000${parentType}`;
  let fd = entry.fields.get(key);
  if (!fd) {
    fd = fieldData(doc, field, ctx);
    entry.fields.set(key, fd);
  }
  return fd;
}

// Flattened terms and their counts, computed once per document and field.
const TERMS = new WeakMap<FieldData, { terms: string[]; counts: Map<string, number> }>();

function termInfo(fd: FieldData): { terms: string[]; counts: Map<string, number> } {
  let info = TERMS.get(fd);
  if (!info) {
    const terms = fd.tokens ? fd.tokens.flat() : fd.values.map(String);
    const counts = new Map<string, number>();
    for (const t of terms) counts.set(t, (counts.get(t) ?? 0) + 1);
    info = { terms, counts };
    TERMS.set(fd, info);
  }
  return info;
}

function docTerms(fd: FieldData): string[] {
  return termInfo(fd).terms;
}

function termCounts(fd: FieldData): Map<string, number> {
  return termInfo(fd).counts;
}

export function wildcardRegex(pattern: string, caseInsensitive: boolean): RegExp {
  let re = '';
  for (const c of pattern) {
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, caseInsensitive ? 'is' : 's');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

function num(value: unknown, fallback: number): number {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  return Number.isFinite(n) ? n : fallback;
}

/** `{ field: value }` or `{ field: { <valueKey>: value, ...options } }`, as term/match/prefix take. */
function singleField(
  type: string,
  body: unknown,
  valueKey: string,
): { field: string; value: unknown; opts: Record<string, unknown> } {
  if (!isObject(body)) throw parsingError(`[${type}] query malformed, no start_object after query name`);
  const fields = Object.keys(body).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length !== 1) {
    throw parsingError(
      fields.length === 0
        ? `[${type}] query doesn't support empty field`
        : `[${type}] query doesn't support multiple fields, found [${fields[0]}] and [${fields[1]}]`,
    );
  }
  const field = fields[0] as string;
  const spec = body[field];
  if (isObject(spec)) {
    if (!(valueKey in spec))
      throw parsingError(`[${type}] query does not have a [${valueKey}] for field [${field}]`);
    return { field, value: spec[valueKey], opts: spec };
  }
  return { field, value: spec, opts: {} };
}

/** minimum_should_match: `2`, `-1`, `75%`, `-25%`, `3<90%`. */
export function minimumShouldMatch(spec: unknown, optional: number): number {
  if (spec === undefined || spec === null) return -1;
  const text = String(spec).trim();
  const applyOne = (s: string): number => {
    if (s.endsWith('%')) {
      const p = Number(s.slice(0, -1));
      const v = Math.floor((optional * Math.abs(p)) / 100);
      return p < 0 ? optional - v : v;
    }
    const n = Number(s);
    if (!Number.isFinite(n)) throw parsingError(`Invalid minimum_should_match [${text}]`);
    return n < 0 ? optional + n : n;
  };
  let result: number;
  if (text.includes('<')) {
    result = optional;
    for (const part of text.split(/\s+/)) {
      const [upTo, rule] = part.split('<');
      if (optional > Number(upTo)) result = applyOne(rule ?? '');
    }
  } else {
    result = applyOne(text);
  }
  return Math.max(0, result);
}

const MATCH_ALL: Scorer = () => 1;

export function compileQuery(query: unknown, engine: Engine): Scorer {
  if (query === undefined || query === null) return MATCH_ALL;
  if (!isObject(query)) throw parsingError('query malformed, must start with start_object');
  const keys = Object.keys(query);
  if (keys.length === 0) return MATCH_ALL;
  if (keys.length > 1) {
    throw parsingError(`[${keys[0]}] malformed query, expected [END_OBJECT] but found [FIELD_NAME]`);
  }
  const type = keys[0] as string;
  const body = query[type];
  const compiler = COMPILERS[type];
  if (!compiler) throw parsingError(`unknown query [${type}]`);
  return compiler(body, engine);
}

function boosted(scorer: Scorer, boost: number): Scorer {
  if (boost === 1) return scorer;
  return (doc) => {
    const s = scorer(doc);
    return s === null ? null : s * boost;
  };
}

function typeError(type: FieldType | undefined, field: string, value: unknown): SearchError {
  return new SearchError(
    400,
    'query_shard_exception',
    `failed to create query: For input string: "${String(value)}" (field [${field}] of type [${type}])`,
    { wrapperType: 'search_phase_execution_exception' },
  );
}

/** Converts a query value to the field's typed form; undefined (with lenient) or throws when it cannot. */
function queryValue(
  type: FieldType | undefined,
  field: string,
  value: unknown,
  lenient: boolean,
): number | string | undefined {
  if (type === 'date' || type === 'date_nanos') {
    const ms = typeof value === 'number' ? value : parseDate(value);
    if (ms === undefined && !lenient) throw typeError(type, field, value);
    return ms;
  }
  if (isNumericType(type) || type === 'boolean') {
    const t = toTyped(value, type);
    if (t === undefined && !lenient) throw typeError(type, field, value);
    return t;
  }
  return typeof value === 'string' ? value : String(value);
}

interface TermOpts {
  caseInsensitive: boolean;
  lenient: boolean;
}

/** term semantics: exact value (not analysed) against keyword values or text tokens. */
function termScore(
  engine: Engine,
  doc: SearchDoc,
  field: string,
  value: unknown,
  opts: TermOpts,
): number | null {
  const fd = engine.field(doc, field);
  if (fd.values.length === 0) return null;
  if (fd.tokens) {
    const want = opts.caseInsensitive ? String(value).toLowerCase() : String(value);
    return termCounts(fd).has(want) ? engine.bm25(doc, field, want) : null;
  }
  const want = queryValue(fd.type, field, value, opts.lenient);
  if (want === undefined) return null;
  if (typeof want === 'string') {
    const hit = opts.caseInsensitive
      ? fd.values.some((v) => String(v).toLowerCase() === want.toLowerCase())
      : fd.values.includes(want);
    return hit ? engine.bm25(doc, field, want) : null;
  }
  return fd.values.includes(want) ? 1 : null;
}

interface MatchOpts {
  operator: 'or' | 'and';
  fuzziness?: unknown;
  msm: unknown;
  lenient: boolean;
  zeroTermsAll: boolean;
}

/** match semantics on one field: analysed for text, exact for keyword, parsed for numbers/dates. */
function matchScore(
  engine: Engine,
  doc: SearchDoc,
  field: string,
  text: unknown,
  opts: MatchOpts,
): number | null {
  const fd = engine.field(doc, field);
  if (fd.values.length === 0) return null;
  if (!fd.tokens)
    return termScore(engine, doc, field, text, { caseInsensitive: false, lenient: opts.lenient });
  const qTokens = analyze(String(text));
  if (qTokens.length === 0) return opts.zeroTermsAll ? 1 : null;
  const present = termCounts(fd);
  let matched = 0;
  let score = 0;
  for (const t of qTokens) {
    if (present.has(t)) {
      matched++;
      score += engine.bm25(doc, field, t);
    } else if (opts.fuzziness !== undefined) {
      const max = fuzziness(opts.fuzziness, t);
      const near = [...present.keys()].find((p) => levenshtein(p, t, max) <= max);
      if (near !== undefined) {
        matched++;
        // Lucene scores a fuzzy match below an exact one.
        score += engine.bm25(doc, field, near) * (1 - levenshtein(near, t, max) / Math.max(t.length, 1));
      }
    }
  }
  const required =
    opts.operator === 'and' ? qTokens.length : Math.max(1, minimumShouldMatch(opts.msm, qTokens.length));
  return matched >= required && matched > 0 ? score : null;
}

/** Consecutive tokens (within `slop` extra positions) in one value of a text field. */
function phraseScore(
  engine: Engine,
  doc: SearchDoc,
  field: string,
  text: unknown,
  slop: number,
  lastIsPrefix: boolean,
): number | null {
  const fd = engine.field(doc, field);
  if (fd.values.length === 0) return null;
  if (!fd.tokens) {
    if (lastIsPrefix) return fd.values.some((v) => String(v).startsWith(String(text))) ? 1 : null;
    return termScore(engine, doc, field, text, { caseInsensitive: false, lenient: true });
  }
  const q = analyze(String(text));
  if (q.length === 0) return null;
  const eq = (token: string | undefined, i: number): boolean =>
    token !== undefined &&
    (lastIsPrefix && i === q.length - 1 ? token.startsWith(q[i] as string) : token === q[i]);
  for (const tokens of fd.tokens) {
    for (let start = 0; start < tokens.length; start++) {
      if (!eq(tokens[start], 0)) continue;
      let pos = start;
      let gaps = 0;
      let ok = true;
      for (let i = 1; i < q.length && ok; i++) {
        let next = pos + 1;
        while (next < tokens.length && !eq(tokens[next], i) && gaps + (next - pos - 1) < slop) next++;
        if (!eq(tokens[next], i)) ok = false;
        else {
          gaps += next - pos - 1;
          pos = next;
        }
      }
      if (ok) return q.reduce((s, t) => s + engine.bm25(doc, field, t), 0);
    }
  }
  return null;
}

function rangeBounds(
  type: FieldType | undefined,
  field: string,
  spec: Record<string, unknown>,
  engine: Engine,
): { lower?: number | string; upper?: number | string; incLower: boolean; incUpper: boolean } {
  let lower: unknown;
  let upper: unknown;
  let incLower = spec.include_lower !== false;
  let incUpper = spec.include_upper !== false;
  if (spec.from !== undefined && spec.from !== null) lower = spec.from;
  if (spec.to !== undefined && spec.to !== null) upper = spec.to;
  if (spec.gte !== undefined && spec.gte !== null) {
    lower = spec.gte;
    incLower = true;
  }
  if (spec.gt !== undefined && spec.gt !== null) {
    lower = spec.gt;
    incLower = false;
  }
  if (spec.lte !== undefined && spec.lte !== null) {
    upper = spec.lte;
    incUpper = true;
  }
  if (spec.lt !== undefined && spec.lt !== null) {
    upper = spec.lt;
    incUpper = false;
  }
  const convert = (v: unknown, roundUp: boolean): number | string | undefined => {
    if (v === undefined) return undefined;
    if (type === 'date' || type === 'date_nanos') {
      return parseDateMath(v, {
        now: engine.ctx.now,
        roundUp,
        format: typeof spec.format === 'string' ? spec.format : undefined,
        timeZone: typeof spec.time_zone === 'string' ? spec.time_zone : undefined,
      });
    }
    if (isNumericType(type)) {
      const n = Number(v);
      if (typeof v === 'boolean' || !Number.isFinite(n)) throw typeError(type, field, v);
      return n;
    }
    if (type === 'boolean') return toTyped(v, type);
    return String(v);
  };
  const out: { lower?: number | string; upper?: number | string; incLower: boolean; incUpper: boolean } = {
    incLower,
    incUpper,
  };
  // gt rounds up (past the unit), gte down; lt rounds down, lte up — as OpenSearch date math does.
  const lo = convert(lower, !incLower);
  const hi = convert(upper, incUpper);
  if (lo !== undefined) out.lower = lo;
  if (hi !== undefined) out.upper = hi;
  return out;
}

function inRange(
  v: number | string,
  b: { lower?: number | string; upper?: number | string; incLower: boolean; incUpper: boolean },
): boolean {
  if (b.lower !== undefined && (b.incLower ? v < b.lower : v <= b.lower)) return false;
  if (b.upper !== undefined && (b.incUpper ? v > b.upper : v >= b.upper)) return false;
  return true;
}

function rangeScorer(body: unknown, engine: Engine): Scorer {
  if (!isObject(body)) throw parsingError('[range] query malformed, no start_object after query name');
  const fields = Object.keys(body).filter((k) => k !== 'boost' && k !== '_name');
  if (fields.length !== 1) throw parsingError('[range] query does not support multiple fields');
  const field = fields[0] as string;
  const opts = body[field];
  if (!isObject(opts)) throw parsingError(`[range] query malformed, no start_object after query name`);
  const boost = num(opts.boost, 1);
  const byType = new Map<string, ReturnType<typeof rangeBounds>>();
  return (doc) => {
    const fd = engine.field(doc, field);
    if (fd.values.length === 0) return null;
    const key = String(fd.type);
    let bounds = byType.get(key);
    if (!bounds) {
      bounds = rangeBounds(fd.type, field, opts, engine);
      byType.set(key, bounds);
    }
    const b = bounds;
    const values: Array<number | string> = fd.tokens ? docTerms(fd) : fd.values;
    return values.some((v) => inRange(v, b)) ? boost : null;
  };
}

/** Values a multi-term query (prefix, wildcard, regexp) tests: text tokens or keyword strings. */
function stringTerms(engine: Engine, doc: SearchDoc, field: string): string[] {
  return docTerms(engine.field(doc, field));
}

function patternScorer(
  engine: Engine,
  field: string,
  boost: number,
  test: (term: string, isText: boolean) => boolean,
): Scorer {
  return (doc) => {
    const fd = engine.field(doc, field);
    if (fd.values.length === 0) return null;
    return stringTerms(engine, doc, field).some((t) => test(t, fd.tokens !== undefined)) ? boost : null;
  };
}

function levenshtein(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

function fuzziness(spec: unknown, term: string): number {
  if (spec === undefined || String(spec).toUpperCase().startsWith('AUTO')) {
    return term.length < 3 ? 0 : term.length < 6 ? 1 : 2;
  }
  return Math.min(2, num(spec, 0));
}

function boolScorer(body: unknown, engine: Engine): Scorer {
  if (!isObject(body)) throw parsingError('[bool] query malformed, no start_object after query name');
  for (const key of Object.keys(body)) {
    if (
      ![
        'must',
        'filter',
        'should',
        'must_not',
        'minimum_should_match',
        'boost',
        '_name',
        'adjust_pure_negative',
      ].includes(key)
    ) {
      throw parsingError(`[bool] query does not support [${key}]`);
    }
  }
  const must = asArray(body.must).map((q) => compileQuery(q, engine));
  const filter = asArray(body.filter).map((q) => compileQuery(q, engine.asFilter()));
  const should = asArray(body.should).map((q) => compileQuery(q, engine));
  const mustNot = asArray(body.must_not).map((q) => compileQuery(q, engine.asFilter()));
  const boost = num(body.boost, 1);
  if (must.length + filter.length + should.length + mustNot.length === 0) return () => boost;
  const explicit = minimumShouldMatch(body.minimum_should_match, should.length);
  const msm = explicit >= 0 ? explicit : must.length + filter.length === 0 ? (should.length > 0 ? 1 : 0) : 0;
  return (doc) => {
    let score = 0;
    for (const q of must) {
      const s = q(doc);
      if (s === null) return null;
      score += s;
    }
    for (const q of filter) if (q(doc) === null) return null;
    for (const q of mustNot) if (q(doc) !== null) return null;
    let matched = 0;
    for (const q of should) {
      const s = q(doc);
      if (s !== null) {
        matched++;
        score += s;
      }
    }
    if (matched < msm) return null;
    return score * boost;
  };
}

type MultiMatchType =
  | 'best_fields'
  | 'most_fields'
  | 'cross_fields'
  | 'phrase'
  | 'phrase_prefix'
  | 'bool_prefix';

function multiMatchScorer(body: unknown, engine: Engine): Scorer {
  if (!isObject(body)) throw parsingError('[multi_match] query malformed, no start_object after query name');
  if (body.query === undefined) throw parsingError('No text specified for multi_match query');
  const fields = asArray(body.fields ?? '*').map(String);
  const type = String(body.type ?? 'best_fields') as MultiMatchType;
  const tie = num(body.tie_breaker, type === 'most_fields' ? 1 : 0);
  const boost = num(body.boost, 1);
  const opts: MatchOpts = {
    operator: String(body.operator ?? 'or').toLowerCase() === 'and' ? 'and' : 'or',
    msm: body.minimum_should_match,
    lenient: body.lenient === true || fields.some((f) => f.includes('*')),
    zeroTermsAll: body.zero_terms_query === 'all',
  };
  const perField = (doc: SearchDoc, field: string): number | null => {
    if (type === 'phrase' || type === 'phrase_prefix') {
      return phraseScore(engine, doc, field, body.query, num(body.slop, 0), type === 'phrase_prefix');
    }
    return matchScore(engine, doc, field, body.query, opts);
  };
  if (type === 'cross_fields') {
    const tokens = analyze(String(body.query));
    return (doc) => {
      const fs = engine.expandFields(doc, fields);
      let matched = 0;
      let score = 0;
      for (const t of tokens) {
        let best: number | null = null;
        for (const { field, boost: fb } of fs) {
          const s = termScore(engine, doc, field, t, { caseInsensitive: false, lenient: true });
          if (s !== null && (best === null || s * fb > best)) best = s * fb;
        }
        if (best !== null) {
          matched++;
          score += best;
        }
      }
      const required =
        opts.operator === 'and' ? tokens.length : Math.max(1, minimumShouldMatch(opts.msm, tokens.length));
      return matched >= required && matched > 0 ? score * boost : null;
    };
  }
  return (doc) => {
    let best: number | null = null;
    let sum = 0;
    for (const { field, boost: fb } of engine.expandFields(doc, fields)) {
      const s = perField(doc, field);
      if (s === null) continue;
      const v = s * fb;
      sum += v;
      if (best === null || v > best) best = v;
    }
    if (best === null) return null;
    return (best + tie * (sum - best)) * boost;
  };
}

const COMPILERS: Record<string, (body: unknown, engine: Engine) => Scorer> = {
  match_all: (body) => () => num(isObject(body) ? body.boost : undefined, 1),
  match_none: () => () => null,
  term: (body, engine) => {
    const { field, value, opts } = singleField('term', body, 'value');
    if (isObject(value) || Array.isArray(value))
      throw parsingError('[term] query does not support array of values');
    const to: TermOpts = { caseInsensitive: opts.case_insensitive === true, lenient: false };
    return boosted((doc) => termScore(engine, doc, field, value, to), num(opts.boost, 1));
  },
  terms: (body, engine) => {
    if (!isObject(body)) throw parsingError('[terms] query malformed, no start_object after query name');
    const fields = Object.keys(body).filter((k) => k !== 'boost' && k !== '_name' && k !== 'value_type');
    if (fields.length !== 1) throw parsingError('[terms] query does not support multiple fields');
    const field = fields[0] as string;
    const values = body[field];
    if (!Array.isArray(values)) {
      throw parsingError(
        `[terms] query does not support [${field}] without an array of values (terms lookup is not supported)`,
      );
    }
    const boost = num(body.boost, 1);
    const to: TermOpts = { caseInsensitive: false, lenient: false };
    return (doc) => (values.some((v) => termScore(engine, doc, field, v, to) !== null) ? boost : null);
  },
  match: (body, engine) => {
    const { field, value, opts } = singleField('match', body, 'query');
    const mo: MatchOpts = {
      operator: String(opts.operator ?? 'or').toLowerCase() === 'and' ? 'and' : 'or',
      msm: opts.minimum_should_match,
      lenient: opts.lenient === true,
      zeroTermsAll: opts.zero_terms_query === 'all',
      fuzziness: opts.fuzziness,
    };
    return boosted((doc) => matchScore(engine, doc, field, value, mo), num(opts.boost, 1));
  },
  match_phrase: (body, engine) => {
    const { field, value, opts } = singleField('match_phrase', body, 'query');
    const slop = num(opts.slop, 0);
    return boosted((doc) => phraseScore(engine, doc, field, value, slop, false), num(opts.boost, 1));
  },
  match_phrase_prefix: (body, engine) => {
    const { field, value, opts } = singleField('match_phrase_prefix', body, 'query');
    const slop = num(opts.slop, 0);
    return boosted((doc) => phraseScore(engine, doc, field, value, slop, true), num(opts.boost, 1));
  },
  multi_match: multiMatchScorer,
  range: rangeScorer,
  exists: (body, engine) => {
    if (!isObject(body) || typeof body.field !== 'string')
      throw parsingError('[exists] must be provided with a [field]');
    const field = body.field;
    const boost = num(body.boost, 1);
    return (doc) => (rawValues(doc, field, engine.ctx).length > 0 ? boost : null);
  },
  ids: (body) => {
    if (!isObject(body)) throw parsingError('[ids] query malformed, no start_object after query name');
    const ids = new Set(asArray(body.values).map(String));
    const boost = num(body.boost, 1);
    return (doc) => (ids.has(doc.id) ? boost : null);
  },
  prefix: (body, engine) => {
    const { field, value, opts } = singleField('prefix', body, 'value');
    const ci = opts.case_insensitive === true;
    const prefix = ci ? String(value).toLowerCase() : String(value);
    return patternScorer(engine, field, num(opts.boost, 1), (t) =>
      (ci ? t.toLowerCase() : t).startsWith(prefix),
    );
  },
  wildcard: (body, engine) => {
    const parsed = singleField(
      'wildcard',
      body,
      isObject(body) && isObject(Object.values(body)[0]) && 'wildcard' in (Object.values(body)[0] as object)
        ? 'wildcard'
        : 'value',
    );
    const { field, value, opts } = parsed;
    const ci = opts.case_insensitive === true;
    // query_string lowercases wildcard terms for text fields (the analyzer's normalizer).
    const normalize = opts._normalize === true;
    const re = wildcardRegex(String(value), ci);
    const lowered = wildcardRegex(String(value).toLowerCase(), ci);
    return patternScorer(engine, field, num(opts.boost, 1), (t, isText) =>
      (normalize && isText ? lowered : re).test(t),
    );
  },
  regexp: (body, engine) => {
    const { field, value, opts } = singleField('regexp', body, 'value');
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${String(value)})$`, opts.case_insensitive === true ? 'is' : 's');
    } catch (cause) {
      throw new SearchError(
        400,
        'illegal_argument_exception',
        `invalid regular expression [${String(value)}]`,
        { cause },
      );
    }
    return patternScorer(engine, field, num(opts.boost, 1), (t) => re.test(t));
  },
  fuzzy: (body, engine) => {
    const { field, value, opts } = singleField('fuzzy', body, 'value');
    const term = String(value);
    const max = fuzziness(opts.fuzziness, term);
    return patternScorer(engine, field, num(opts.boost, 1), (t) => levenshtein(t, term, max) <= max);
  },
  bool: boolScorer,
  constant_score: (body, engine) => {
    if (!isObject(body) || body.filter === undefined)
      throw parsingError("[constant_score] requires a 'filter' element");
    const filter = compileQuery(body.filter, engine.asFilter());
    const boost = num(body.boost, 1);
    return (doc) => (filter(doc) === null ? null : boost);
  },
  dis_max: (body, engine) => {
    if (!isObject(body)) throw parsingError('[dis_max] query malformed');
    const queries = asArray(body.queries).map((q) => compileQuery(q, engine));
    const tie = num(body.tie_breaker, 0);
    const boost = num(body.boost, 1);
    return (doc) => {
      let best: number | null = null;
      let sum = 0;
      for (const q of queries) {
        const s = q(doc);
        if (s === null) continue;
        sum += s;
        if (best === null || s > best) best = s;
      }
      return best === null ? null : (best + tie * (sum - best)) * boost;
    };
  },
  boosting: (body, engine) => {
    if (!isObject(body)) throw parsingError('[boosting] query malformed');
    const positive = compileQuery(body.positive, engine);
    const negative = compileQuery(body.negative, engine);
    const factor = num(body.negative_boost, 1);
    return (doc) => {
      const s = positive(doc);
      if (s === null) return null;
      return negative(doc) === null ? s : s * factor;
    };
  },
  // Objects are flattened in this engine, so a nested query is its inner query.
  nested: (body, engine) => {
    if (!isObject(body)) throw parsingError('[nested] query malformed');
    return compileQuery(body.query, engine);
  },
  // Internal (never from JSON): query_string terms over several or wildcard fields.
  _per_field: (body, engine) => {
    const spec = body as PerField;
    // Built by the query_string parser only; JSON cannot carry the function.
    if (typeof spec?.build !== 'function') throw parsingError('unknown query [_per_field]');
    const cache = new Map<string, Scorer>();
    return (doc) => {
      let best: number | null = null;
      for (const { field, boost } of engine.expandFields(doc, spec.fields)) {
        let scorer = cache.get(field);
        if (!scorer) {
          scorer = compileQuery(spec.build(field), engine);
          cache.set(field, scorer);
        }
        let s: number | null;
        try {
          s = scorer(doc);
        } catch (error) {
          if (!spec.lenient || !(error instanceof SearchError)) throw error;
          s = null;
        }
        if (s !== null && (best === null || s * boost > best)) best = s * boost;
      }
      return best;
    };
  },
  query_string: (body, engine) => {
    if (!isObject(body) || typeof body.query !== 'string')
      throw parsingError('[query_string] must be provided with a [query]');
    return compileQuery(parseQueryString(body.query, queryStringOptions(body, 'lucene')), engine);
  },
  simple_query_string: (body, engine) => {
    if (!isObject(body) || typeof body.query !== 'string') {
      throw parsingError('[simple_query_string] must be provided with a [query]');
    }
    return compileQuery(parseQueryString(body.query, queryStringOptions(body, 'simple')), engine);
  },
};

function queryStringOptions(body: Record<string, unknown>, mode: 'lucene' | 'simple') {
  const fields =
    body.fields !== undefined
      ? asArray(body.fields).map(String)
      : body.default_field !== undefined
        ? [String(body.default_field)]
        : ['*'];
  return {
    mode,
    fields,
    defaultOperator:
      String(body.default_operator ?? 'or').toLowerCase() === 'and' ? ('and' as const) : ('or' as const),
    lenient: body.lenient === true || fields.some((f) => f.includes('*')),
  };
}
