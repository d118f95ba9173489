// `_reindex` and `_update_by_query` (without scripts): read the refreshed view through the search
// module, as their scroll does, and write through the normal write path.
import { OpenSearchError, toOpenSearchError, validationError } from '../errors.ts';
import { fieldType } from '../mapping.ts';
import { boolParam, json, type Router } from '../router.ts';
import type { SearchContext, SearchDoc } from '../search-engine.ts';
import { PRIMARY_TERM } from '../state.ts';
import { isObject, type RouteContext, resolveOptions } from './context.ts';

function noScripts(body: Record<string, unknown>): void {
  if (body.script !== undefined) {
    throw new OpenSearchError(
      400,
      'unsupported_operation_exception',
      'scripts are not supported by the local OpenSearch server',
    );
  }
}

export function registerReindexRoutes(router: Router, ctx: RouteContext): void {
  const { node } = ctx;

  /** Matching documents of the refreshed view, in search order. */
  const matching = async (expr: string | undefined, query: unknown, maxDocs: number | undefined) => {
    const engine = await ctx.searchEngine();
    const indices = node.resolve(expr, resolveOptions({}, { allowNoIndices: false }));
    const docs: SearchDoc[] = [];
    for (const index of indices) {
      node.checkReadBlock(index);
      for (const d of node.searchable(index)) {
        docs.push({
          index: index.name,
          id: d.id,
          source: d.source,
          seqNo: d.seqNo,
          primaryTerm: PRIMARY_TERM,
          version: d.version,
        });
      }
    }
    const byName = new Map(indices.map((i) => [i.name, i]));
    const context: SearchContext = {
      now: ctx.clock.now(),
      fieldType: (index, field) => {
        const i = byName.get(index);
        return i ? fieldType(i.mappings, field) : undefined;
      },
    };
    const size = Math.min(maxDocs ?? docs.length, docs.length);
    const result = engine.search(
      docs,
      query === undefined ? { size } : { query, size },
      { from: 0, size },
      context,
    );
    const byKey = new Map(docs.map((d) => [`${d.index}\u0000${d.id}`, d]));
    return { indices, hits: result.hits.hits.flatMap((h) => byKey.get(`${h._index}\u0000${h._id}`) ?? []) };
  };

  const summary = (
    started: number,
    total: number,
    counts: Partial<Record<string, number>>,
    failures: unknown[],
  ) => ({
    took: Math.round(performance.now() - started),
    timed_out: false,
    total,
    updated: counts.updated ?? 0,
    created: counts.created ?? 0,
    deleted: 0,
    batches: total > 0 ? 1 : 0,
    version_conflicts: counts.conflicts ?? 0,
    noops: 0,
    retries: { bulk: 0, search: 0 },
    throttled_millis: 0,
    requests_per_second: -1,
    throttled_until_millis: 0,
    failures,
  });

  router.add('POST', '/_reindex', async (req) => {
    const started = performance.now();
    const body = req.json();
    if (!isObject(body) || !isObject(body.source) || !isObject(body.dest)) {
      throw validationError('source index is missing', 'index must be specified');
    }
    noScripts(body);
    const source = body.source;
    const dest = body.dest;
    const sourceIndex = Array.isArray(source.index) ? source.index.join(',') : String(source.index ?? '');
    const destIndex = String(dest.index ?? '');
    if (sourceIndex === '' || destIndex === '') throw validationError('index must be specified');
    const maxDocs = body.max_docs === undefined ? undefined : Number(body.max_docs);
    const { hits } = await matching(sourceIndex, source.query, maxDocs);
    const proceed = body.conflicts === 'proceed';
    const opType = dest.op_type === 'create' ? 'create' : 'index';
    const counts = { created: 0, updated: 0, conflicts: 0 };
    const failures: unknown[] = [];
    for (const hit of hits) {
      try {
        const res = node.write({ op: opType, target: destIndex, id: hit.id, meta: {}, source: hit.source });
        if (res.status === 201) counts.created++;
        else counts.updated++;
      } catch (error) {
        const e = toOpenSearchError(error);
        if (e.status === 409) counts.conflicts++;
        if (e.status === 409 && proceed) continue;
        failures.push({ index: destIndex, id: hit.id, cause: e.detail(), status: e.status });
        if (!proceed) break;
      }
    }
    if (boolParam(req.query, 'refresh')) node.refresh(node.resolve(destIndex, { ignoreUnavailable: true }));
    return json(200, summary(started, hits.length, counts, failures));
  });

  router.add('POST', '/{index}/_update_by_query', async (req) => {
    const started = performance.now();
    const body = req.json() ?? {};
    if (!isObject(body)) throw validationError('body must be an object');
    noScripts(body);
    const maxDocs = req.query.max_docs ?? body.max_docs;
    const { indices, hits } = await matching(
      req.params.index,
      body.query,
      maxDocs === undefined ? undefined : Number(maxDocs),
    );
    const counts = { updated: 0, conflicts: 0 };
    const failures: unknown[] = [];
    for (const hit of hits) {
      try {
        // Without a script every matching document is re-indexed as it is (a new version).
        node.write({
          op: 'index',
          target: hit.index,
          id: hit.id,
          meta: { if_seq_no: hit.seqNo, if_primary_term: PRIMARY_TERM },
          source: hit.source,
        });
        counts.updated++;
      } catch (error) {
        const e = toOpenSearchError(error);
        if (e.status === 409) counts.conflicts++;
        if (!(e.status === 409 && (req.query.conflicts === 'proceed' || body.conflicts === 'proceed'))) {
          failures.push({ index: hit.index, id: hit.id, cause: e.detail(), status: e.status });
        }
      }
    }
    if (boolParam(req.query, 'refresh')) node.refresh(indices);
    return json(200, summary(started, hits.length, counts, failures));
  });
}
