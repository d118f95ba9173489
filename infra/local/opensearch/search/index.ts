// The search engine of the local OpenSearch-compatible server: query DSL, sorting, paging, `_source`
// filtering and aggregations over the visible documents of the targeted indices. Pure: no I/O, and
// `now` comes from the context.
import { runAggregations } from './aggregations.ts';
import { illegalArgument, parsingError, SearchError } from './errors.ts';
import { compileQuery, Engine } from './query.ts';
import { parseQueryString } from './query-string.ts';
import { checkMapped, compareSortValues, parseSort, type Scored, type SortKey, sortValues } from './sort.ts';
import { filterSource, sourceFilter } from './source-filter.ts';
import type { SearchContext, SearchDoc, SearchHit, SearchParams, SearchResult } from './types.ts';

export { SearchError } from './errors.ts';
export type { FieldType, SearchContext, SearchDoc, SearchHit, SearchParams, SearchResult } from './types.ts';

const MAX_RESULT_WINDOW = 10_000;
const DEFAULT_TRACK_TOTAL_HITS = 10_000;

// Body keys OpenSearch accepts; some are accepted and ignored here (highlight, timeout, …).
const BODY_KEYS = new Set([
  'query',
  'from',
  'size',
  'sort',
  '_source',
  'aggs',
  'aggregations',
  'track_total_hits',
  'track_scores',
  'search_after',
  'terminate_after',
  'timeout',
  'min_score',
  'post_filter',
  'highlight',
  'stored_fields',
  'docvalue_fields',
  'fields',
  'explain',
  'version',
  'seq_no_primary_term',
  'indices_boost',
  'collapse',
  'profile',
  'script_fields',
  'suggest',
  'rescore',
  'stats',
  'ext',
  'slice',
  'include_named_queries_score',
  'verbose_pipeline',
  'pit',
  'search_pipeline',
]);

type Json = Record<string, unknown>;

function parseBody(body: unknown, allowed: Set<string> | undefined): Json {
  if (body === undefined || body === null || body === '') return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new SearchError(400, 'x_content_parse_exception', '[1:1] request body must be a JSON object');
  }
  const json = body as Json;
  if (allowed) {
    for (const key of Object.keys(json)) {
      if (!allowed.has(key)) {
        const kind = typeof json[key] === 'object' && json[key] !== null ? 'START_OBJECT' : 'VALUE';
        throw parsingError(`Unknown key for a ${kind} in [${key}].`);
      }
    }
  }
  return json;
}

function intParam(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === null || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw parsingError(`[${name}] must be an integer, found [${String(value)}]`);
  return n;
}

function boolParam(value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  return value === true || value === 'true';
}

/** The query: the `q` URL parameter (Lucene syntax) wins over the body's `query`. */
function queryOf(body: Json, params: SearchParams): unknown {
  if (params.q === undefined) return body.query;
  const df = params.df;
  return parseQueryString(params.q, {
    mode: 'lucene',
    fields: df === undefined || df === '' ? ['*'] : [df],
    defaultOperator: String(params.default_operator ?? 'or').toLowerCase() === 'and' ? 'and' : 'or',
    lenient: params.lenient === true || df === undefined || df === '',
  });
}

function matchAll(
  docs: SearchDoc[],
  query: unknown,
  engine: Engine,
  terminateAfter: number,
): { hits: Scored[]; terminated: boolean } {
  const scorer = compileQuery(query, engine);
  const hits: Scored[] = [];
  for (let pos = 0; pos < docs.length; pos++) {
    const doc = docs[pos] as SearchDoc;
    const score = scorer(doc);
    if (score === null) continue;
    hits.push({ doc, pos, score });
    if (terminateAfter > 0 && hits.length >= terminateAfter) return { hits, terminated: true };
  }
  return { hits, terminated: false };
}

export function search(
  docs: SearchDoc[],
  body: unknown,
  params: SearchParams,
  ctx: SearchContext,
): SearchResult {
  const json = parseBody(body, BODY_KEYS);
  const engine = new Engine(docs, ctx);
  const from = intParam(params.from ?? json.from, 'from', 0);
  const size = intParam(params.size ?? json.size, 'size', 10);
  if (from < 0) throw illegalArgument('[from] parameter cannot be negative');
  if (size < 0) throw illegalArgument(`[size] parameter cannot be negative, found [${size}]`);
  if (from + size > MAX_RESULT_WINDOW) {
    throw illegalArgument(
      `Result window is too large, from + size must be less than or equal to: [${MAX_RESULT_WINDOW}] but was [${from + size}]. See the scroll api for a more efficient way to request large data sets. This limit can be set by changing the [index.max_result_window] index level setting.`,
      true,
    );
  }
  const terminateAfter = intParam(params.terminate_after ?? json.terminate_after, 'terminate_after', 0);
  const { hits: matched, terminated } = matchAll(docs, queryOf(json, params), engine, terminateAfter);

  let aggregations: Json | undefined;
  const aggSpec = json.aggs ?? json.aggregations;
  if (json.aggs !== undefined && json.aggregations !== undefined) {
    throw parsingError('Found two aggregation definitions: [aggs] and [aggregations]');
  }
  if (aggSpec !== undefined) {
    const all = docs.map((doc, pos) => ({ doc, pos, score: 1 }));
    aggregations = runAggregations(aggSpec, matched, { engine, all });
  }

  let hits = matched;
  if (json.post_filter !== undefined) {
    const post = compileQuery(json.post_filter, engine.asFilter());
    hits = hits.filter((h) => post(h.doc) !== null);
  }
  if (json.min_score !== undefined) {
    const min = Number(json.min_score);
    hits = hits.filter((h) => h.score >= min);
  }

  const keys = parseSort(json.sort, params.sort);
  const sorted =
    keys !== undefined && !(keys.length === 1 && keys[0]?.field === '_score' && keys[0].order === 'desc');
  const trackScores =
    !sorted ||
    boolParam(params.track_scores ?? json.track_scores) === true ||
    (keys ?? []).some((k) => k.field === '_score');
  let ordered: Array<{ hit: Scored; sort?: Array<number | string | null> }>;
  if (keys && sorted) {
    checkMapped(keys, engine, [...new Set(docs.map((d) => d.index))]);
    ordered = hits.map((hit) => ({ hit, sort: sortValues(keys, hit, engine) }));
    ordered.sort((a, b) => compareSortValues(a.sort ?? [], b.sort ?? [], keys) || a.hit.pos - b.hit.pos);
  } else {
    ordered = [...hits].sort((a, b) => b.score - a.score || a.pos - b.pos).map((hit) => ({ hit }));
    // An explicit `_score` sort still returns sort values.
    if (keys) for (const o of ordered) o.sort = [o.hit.score];
  }
  if (json.search_after !== undefined) {
    ordered = applySearchAfter(ordered, json.search_after, keys);
  }

  const filter = sourceFilter(json._source, params);
  const withVersion = boolParam(params.version ?? json.version) === true;
  const withSeqNo = boolParam(params.seq_no_primary_term ?? json.seq_no_primary_term) === true;
  const page: SearchHit[] = ordered.slice(from, from + size).map(({ hit, sort }) => {
    const out: SearchHit = {
      _index: hit.doc.index,
      _id: hit.doc.id,
      ...(withVersion ? { _version: hit.doc.version } : {}),
      ...(withSeqNo ? { _seq_no: hit.doc.seqNo, _primary_term: hit.doc.primaryTerm } : {}),
      _score: trackScores ? hit.score : null,
    };
    if (filter.fetch) out._source = filterSource(hit.doc.source, filter);
    if (sort !== undefined) out.sort = sort;
    return out;
  });

  const maxScore =
    trackScores && size > 0 && hits.length > 0
      ? hits.reduce((m, h) => Math.max(h.score, m), -Infinity)
      : null;
  const result: SearchResult = { hits: { max_score: maxScore, hits: page } };
  const total = totalHits(params.track_total_hits ?? json.track_total_hits, hits.length);
  if (total) result.hits = { total, ...result.hits };
  if (terminateAfter > 0) result.terminated_early = terminated;
  if (aggregations !== undefined) result.aggregations = aggregations;
  return result;
}

function totalHits(track: unknown, count: number): { value: number; relation: 'eq' | 'gte' } | undefined {
  let limit: number;
  if (track === undefined || track === null) limit = DEFAULT_TRACK_TOTAL_HITS;
  else if (track === true || track === 'true') limit = Number.POSITIVE_INFINITY;
  else if (track === false || track === 'false') return undefined;
  else {
    limit = Number(track);
    if (!Number.isInteger(limit) || limit < -1) {
      throw illegalArgument(
        `[track_total_hits] parameter must be positive or equals to -1, got ${String(track)}`,
      );
    }
    if (limit === -1) return undefined;
  }
  return count > limit ? { value: limit, relation: 'gte' } : { value: count, relation: 'eq' };
}

function applySearchAfter<T extends { hit: Scored; sort?: Array<number | string | null> }>(
  ordered: T[],
  after: unknown,
  keys: SortKey[] | undefined,
): T[] {
  if (!keys) throw illegalArgument('Sort must contain at least one field.', true);
  if (!Array.isArray(after)) throw parsingError('[search_after] must be an array');
  if (after.length !== keys.length) {
    throw illegalArgument(`search_after has ${after.length} value(s) but sort has ${keys.length}.`, true);
  }
  const values = after as Array<number | string | null>;
  return ordered.filter((o) => compareSortValues(o.sort ?? [], values, keys) > 0);
}

/** `_count`: the number of documents the query (body `query` or `q`) matches. */
export function count(docs: SearchDoc[], body: unknown, params: SearchParams, ctx: SearchContext): number {
  const json = parseBody(body, new Set(['query']));
  const engine = new Engine(docs, ctx);
  const terminateAfter = intParam(params.terminate_after, 'terminate_after', 0);
  return matchAll(docs, queryOf(json, params), engine, terminateAfter).hits.length;
}
