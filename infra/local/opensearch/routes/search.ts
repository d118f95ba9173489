// `_search` and `_count`: resolve targets, apply the refresh rule, delegate to the search module.
import { illegalArgument, OpenSearchError, toOpenSearchError, validationError } from '../errors.ts';
import { fieldType } from '../mapping.ts';
import { boolParam, json, type RestRequest, type Router } from '../router.ts';
import type { SearchContext, SearchDoc, SearchEngine, SearchParams } from '../search-engine.ts';
import { PRIMARY_TERM } from '../state.ts';
import { isObject, type RouteContext, resolveOptions } from './context.ts';

const NUMERIC_PARAMS = new Set(['from', 'size', 'terminate_after']);
const BOOLEAN_PARAMS = new Set([
  'version',
  'seq_no_primary_term',
  'track_scores',
  'analyze_wildcard',
  'lenient',
]);

export function registerSearchRoutes(router: Router, ctx: RouteContext): void {
  const { node } = ctx;

  const gather = (req: Pick<RestRequest, 'params' | 'query'>, engine: SearchEngine) => {
    const indices = node.resolve(req.params.index, resolveOptions(req.query, { allowNoIndices: true }));
    for (const index of indices) node.checkReadBlock(index);
    const byName = new Map(indices.map((i) => [i.name, i]));
    const context: SearchContext = {
      now: ctx.clock.now(),
      fieldType: (index, field) => {
        const i = byName.get(index);
        return i ? fieldType(i.mappings, field) : undefined;
      },
    };
    const filters = node.aliasFilters(req.params.index);
    const docs: SearchDoc[] = [];
    for (const index of indices) {
      let indexDocs: SearchDoc[] = node.searchable(index).map((d) => ({
        index: index.name,
        id: d.id,
        source: d.source,
        seqNo: d.seqNo,
        primaryTerm: PRIMARY_TERM,
        version: d.version,
      }));
      const filter = filters.get(index.name);
      if (filter && indexDocs.length > 0) {
        // Reading through a filtered alias sees only what the alias filter matches.
        const size = indexDocs.length;
        const query = filter.length === 1 ? filter[0] : { bool: { should: filter, minimum_should_match: 1 } };
        const kept = engine.search(indexDocs, { query, size, _source: false }, { from: 0, size }, context);
        const ids = new Set(kept.hits.hits.map((h) => h._id));
        indexDocs = indexDocs.filter((d) => ids.has(d.id));
      }
      docs.push(...indexDocs);
    }
    const params: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(req.query)) {
      if (NUMERIC_PARAMS.has(key)) {
        const n = Number(value);
        if (!Number.isInteger(n))
          throw illegalArgument(`Failed to parse int parameter [${key}] with value [${value}]`);
        params[key] = n;
      } else if (BOOLEAN_PARAMS.has(key)) {
        params[key] = value === '' || value === 'true';
      } else if (key === '_source' && (value === 'true' || value === 'false')) {
        params[key] = value === 'true';
      } else if (key === 'track_total_hits') {
        params[key] = value === 'true' || value === '' ? true : value === 'false' ? false : Number(value);
      } else {
        params[key] = value;
      }
    }
    return { indices, docs, context, params: params as SearchParams };
  };

  const runSearch = (req: Pick<RestRequest, 'params' | 'query'>, body: unknown, engine: SearchEngine) => {
    const started = performance.now();
    const { indices, docs, context, params } = gather(req, engine);
    const result = engine.search(docs, body, params, context);
    const n = indices.length;
    const out: Record<string, unknown> = {
      took: Math.round(performance.now() - started),
      timed_out: false,
      _shards: { total: n, successful: n, skipped: 0, failed: 0 },
      ...result,
    };
    if (boolParam(req.query, 'rest_total_hits_as_int') && result.hits.total) {
      out.hits = { ...result.hits, total: result.hits.total.value };
    }
    return out;
  };
  const search = async (req: RestRequest) => {
    const engine = await ctx.searchEngine();
    return json(200, runSearch(req, req.json() ?? {}, engine));
  };

  // _msearch: header/body line pairs; each search answers on its own, errors included.
  const msearch = async (req: RestRequest) => {
    const started = performance.now();
    const engine = await ctx.searchEngine();
    const lines = req
      .text()
      .split('\n')
      .filter((l) => l.trim() !== '');
    if (lines.length === 0) throw validationError('no requests added');
    const responses: unknown[] = [];
    for (let i = 0; i < lines.length; i += 2) {
      let header: unknown;
      let body: unknown;
      try {
        header = JSON.parse(lines[i] ?? '{}');
        body = JSON.parse(lines[i + 1] ?? '{}');
      } catch (error) {
        throw new OpenSearchError(
          400,
          'json_parse_exception',
          error instanceof Error ? error.message : String(error),
        );
      }
      const h = isObject(header) ? header : {};
      const index =
        h.index === undefined
          ? req.params.index
          : Array.isArray(h.index)
            ? h.index.join(',')
            : String(h.index);
      const query: Record<string, string> = { ...req.query };
      for (const [k, v] of Object.entries(h)) if (k !== 'index') query[k] = String(v);
      try {
        responses.push({
          ...runSearch({ params: index === undefined ? {} : { index }, query }, body, engine),
          status: 200,
        });
      } catch (error) {
        const e = toOpenSearchError(error);
        responses.push({ error: { root_cause: [e.detail()], ...e.detail() }, status: e.status });
      }
    }
    return json(200, { took: Math.round(performance.now() - started), responses });
  };
  router.add(['GET', 'POST'], '/_msearch', msearch);
  router.add(['GET', 'POST'], '/{index}/_msearch', msearch);
  router.add(['GET', 'POST'], '/_search', search);
  router.add(['GET', 'POST'], '/{index}/_search', search);

  const count = async (req: RestRequest) => {
    const engine = await ctx.searchEngine();
    const { indices, docs, context, params } = gather(req, engine);
    const n = indices.length;
    return json(200, {
      count: engine.count(docs, req.json() ?? {}, params, context),
      _shards: { total: n, successful: n, skipped: 0, failed: 0 },
    });
  };
  router.add(['GET', 'POST'], '/_count', count);

  // _delete_by_query: deletes what a search of the refreshed view matches, like a scroll + bulk.
  router.add('POST', '/{index}/_delete_by_query', async (req) => {
    const started = performance.now();
    const engine = await ctx.searchEngine();
    const { indices, docs, context, params } = gather(req, engine);
    const body = req.json() ?? {};
    if (isObject(body) && body.script !== undefined) {
      throw new OpenSearchError(
        400,
        'unsupported_operation_exception',
        'scripts are not supported by the local OpenSearch server',
      );
    }
    const query = isObject(body) && body.query !== undefined ? { query: body.query } : {};
    const maxDocs = Number(req.query.max_docs ?? (isObject(body) ? body.max_docs : undefined) ?? docs.length);
    const result = engine.search(
      docs,
      { ...query, size: Math.min(maxDocs, docs.length), _source: false },
      { ...params, from: 0, size: Math.min(maxDocs, docs.length) },
      context,
    );
    let deleted = 0;
    const failures: unknown[] = [];
    for (const hit of result.hits.hits) {
      try {
        const res = node.write({ op: 'delete', target: hit._index, id: hit._id, meta: {} });
        if (res.status === 200) deleted++;
      } catch (error) {
        const e = toOpenSearchError(error);
        failures.push({ index: hit._index, id: hit._id, cause: e.detail(), status: e.status });
      }
    }
    if (boolParam(req.query, 'refresh')) node.refresh(indices);
    return json(200, {
      took: Math.round(performance.now() - started),
      timed_out: false,
      total: result.hits.hits.length,
      deleted,
      batches: result.hits.hits.length > 0 ? 1 : 0,
      version_conflicts: 0,
      noops: 0,
      retries: { bulk: 0, search: 0 },
      throttled_millis: 0,
      requests_per_second: -1,
      throttled_until_millis: 0,
      failures,
    });
  });
  router.add(['GET', 'POST'], '/{index}/_count', count);
}
