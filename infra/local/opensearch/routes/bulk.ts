// `_bulk`: per-item results with OpenSearch's statuses and errors; injected item faults are
// decided before an item runs, so a rejected item is never applied.
import { parseBulkBody } from '../bulk-parser.ts';
import { toOpenSearchError } from '../errors.ts';
import { json, type RestRequest, type Router } from '../router.ts';
import type { IndexState } from '../state.ts';
import type { RouteContext } from './context.ts';
import { refreshAfterWrite } from './documents.ts';

export function registerBulkRoutes(router: Router, ctx: RouteContext): void {
  const { node } = ctx;

  const bulk = (req: RestRequest) => {
    const started = performance.now();
    const actions = parseBulkBody(req.text(), req.params.index);
    const touched = new Map<string, IndexState>();
    let errors = false;
    const items = actions.map((action) => {
      const target = action.index ?? '';
      const fault = ctx.faults.itemFault(req.path);
      if (fault) {
        errors = true;
        return {
          [action.op]: { _index: target, _id: action.id ?? null, status: fault.status, error: fault.error },
        };
      }
      try {
        const meta = { ...action.meta };
        if (req.query.require_alias === 'true' && meta.require_alias === undefined) meta.require_alias = true;
        const result = node.write({
          op: action.op,
          target,
          id: action.id,
          meta,
          ...(action.source === undefined ? {} : { source: action.source }),
          ...(action.sourceError === undefined ? {} : { sourceError: action.sourceError }),
        });
        touched.set(result.index.name, result.index);
        return { [action.op]: { ...result.body, status: result.status } };
      } catch (error) {
        const e = toOpenSearchError(error);
        errors = true;
        const indexName =
          typeof e.extra.index === 'string' && e.type !== 'index_not_found_exception'
            ? e.extra.index
            : target;
        return {
          [action.op]: { _index: indexName, _id: action.id ?? null, status: e.status, error: e.detail() },
        };
      }
    });
    refreshAfterWrite(node, req.query, [...touched.values()]);
    return json(200, { took: Math.round(performance.now() - started), errors, items });
  };
  router.add(['POST', 'PUT'], '/_bulk', bulk);
  router.add(['POST', 'PUT'], '/{index}/_bulk', bulk);
}
