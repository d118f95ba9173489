// Single-document APIs: _doc (index/get/exists/delete), _create, _update, _source, _mget.
import { setOwn } from '../../../../functions/core/pipeline/fields.ts';
import { indexNotFound, OpenSearchError, validationError } from '../errors.ts';
import type { LocalNode, WriteRequest } from '../node.ts';
import { boolParam, json, type RestRequest, type RestResponse, type Router } from '../router.ts';
import { filterSource } from '../source-filter.ts';
import { type IndexState, PRIMARY_TERM } from '../state.ts';
import { isObject, type RouteContext } from './context.ts';

/** Applies `?refresh=true|wait_for` after a write; returns whether a forced refresh happened. */
export function refreshAfterWrite(
  node: LocalNode,
  query: Record<string, string>,
  indices: IndexState[],
): boolean {
  const refresh = query.refresh;
  if (refresh === undefined || refresh === 'false') return false;
  if (refresh !== '' && refresh !== 'true' && refresh !== 'wait_for') {
    throw new OpenSearchError(400, 'illegal_argument_exception', `Unknown value for refresh: [${refresh}].`);
  }
  node.refresh(indices);
  return refresh !== 'wait_for';
}

function writeMeta(query: Record<string, string>): Record<string, unknown> {
  const meta: Record<string, unknown> = {};
  for (const key of [
    'if_seq_no',
    'if_primary_term',
    'version',
    'version_type',
    'op_type',
    'routing',
    'pipeline',
    'require_alias',
  ]) {
    if (query[key] !== undefined) setOwn(meta, key, query[key]);
  }
  return meta;
}

function sourceParams(query: Record<string, string>): {
  enabled: boolean;
  includes?: string;
  excludes?: string;
} {
  const s = query._source;
  if (s === 'false') return { enabled: false };
  const includes = query._source_includes ?? (s !== undefined && s !== 'true' && s !== '' ? s : undefined);
  const excludes = query._source_excludes;
  return {
    enabled: true,
    ...(includes === undefined ? {} : { includes }),
    ...(excludes === undefined ? {} : { excludes }),
  };
}

export function registerDocumentRoutes(router: Router, ctx: RouteContext): void {
  const { node } = ctx;

  const write = (req: RestRequest, op: WriteRequest['op'], id: string | undefined): RestResponse => {
    const source = op === 'delete' ? undefined : req.json();
    const request: WriteRequest = { op, target: req.params.index ?? '', id, meta: writeMeta(req.query) };
    if (source !== undefined) request.source = source;
    if (op !== 'delete' && source === undefined)
      throw validationError('source is missing', 'content type is missing');
    const result = node.write(request);
    const forced = refreshAfterWrite(node, req.query, [result.index]);
    const body = forced ? { ...result.body, forced_refresh: true } : result.body;
    return json(
      result.status,
      body,
      result.status === 201
        ? { location: `/${result.index.name}/_doc/${encodeURIComponent(String(result.body._id))}` }
        : undefined,
    );
  };

  // An auto-generated id makes the request a `create`, as OpenSearch's REST layer does.
  router.add('POST', '/{index}/_doc', (req) => write(req, 'create', undefined));
  router.add(['PUT', 'POST'], '/{index}/_doc/{id}', (req) =>
    write(req, req.query.op_type === 'create' ? 'create' : 'index', req.params.id),
  );
  router.add(['PUT', 'POST'], '/{index}/_create/{id}', (req) => write(req, 'create', req.params.id));
  router.add('DELETE', '/{index}/_doc/{id}', (req) => write(req, 'delete', req.params.id));
  router.add('POST', '/{index}/_update/{id}', (req) => {
    const body = req.json();
    if (!isObject(body)) throw validationError('script or doc is missing');
    const meta = writeMeta(req.query);
    if (req.query._source !== undefined) meta._source = req.query._source !== 'false';
    const result = node.write({
      op: 'update',
      target: req.params.index ?? '',
      id: req.params.id,
      meta,
      source: body,
    });
    const forced = refreshAfterWrite(node, req.query, [result.index]);
    return json(result.status, forced ? { ...result.body, forced_refresh: true } : result.body);
  });

  const getDoc = (req: RestRequest, sourceOnly: boolean): RestResponse => {
    const index = node.resolveSingle(req.params.index ?? '');
    node.checkReadBlock(index);
    if (boolParam(req.query, 'refresh')) node.refresh([index]);
    const id = req.params.id ?? '';
    const doc = boolParam(req.query, 'realtime', true)
      ? index.docs.get(id)
      : node.searchable(index).find((d) => d.id === id);
    if (sourceOnly) {
      if (!doc) {
        throw new OpenSearchError(
          404,
          'resource_not_found_exception',
          `Document not found [${index.name}]/[${id}]`,
        );
      }
      const s = sourceParams(req.query);
      return json(200, filterSource(doc.source, s.includes, s.excludes));
    }
    if (!doc) return json(404, { _index: index.name, _id: id, found: false });
    const body: Record<string, unknown> = {
      _index: index.name,
      _id: id,
      _version: doc.version,
      _seq_no: doc.seqNo,
      _primary_term: PRIMARY_TERM,
      found: true,
    };
    const s = sourceParams(req.query);
    if (s.enabled) body._source = filterSource(doc.source, s.includes, s.excludes);
    return json(200, body);
  };
  router.add('GET', '/{index}/_doc/{id}', (req) => getDoc(req, false));
  router.add('GET', '/{index}/_source/{id}', (req) => getDoc(req, true));

  const mget = (req: RestRequest, defaultIndex: string | undefined): RestResponse => {
    const body = req.json();
    if (!isObject(body)) throw validationError('no documents to get');
    const docsSpec: Array<{ _index?: string; _id?: string; _source?: unknown }> = Array.isArray(body.docs)
      ? (body.docs as Array<{ _index?: string; _id?: string }>)
      : Array.isArray(body.ids)
        ? (body.ids as unknown[]).map((id) => ({ _id: String(id) }))
        : [];
    if (docsSpec.length === 0) throw validationError('no documents to get');
    const s = sourceParams(req.query);
    const docs = docsSpec.map((spec) => {
      const indexName = spec._index ?? defaultIndex;
      const id = String(spec._id ?? '');
      if (indexName === undefined)
        return {
          _index: null,
          _id: id,
          error: {
            type: 'action_request_validation_exception',
            reason: 'Validation Failed: 1: index is missing;',
          },
        };
      let index: IndexState;
      try {
        index = node.resolveSingle(indexName);
      } catch (error) {
        const e = error instanceof OpenSearchError ? error : indexNotFound(indexName);
        return { _index: indexName, _id: id, error: e.detail() };
      }
      const doc = index.docs.get(id);
      if (!doc) return { _index: index.name, _id: id, found: false };
      const out: Record<string, unknown> = {
        _index: index.name,
        _id: id,
        _version: doc.version,
        _seq_no: doc.seqNo,
        _primary_term: PRIMARY_TERM,
        found: true,
      };
      const wantSource = spec._source === false ? false : s.enabled;
      if (wantSource) {
        out._source = Array.isArray(spec._source)
          ? filterSource(doc.source, spec._source as string[], undefined)
          : filterSource(doc.source, s.includes, s.excludes);
      }
      return out;
    });
    return json(200, { docs });
  };
  router.add(['GET', 'POST'], '/_mget', (req) => mget(req, undefined));
  router.add(['GET', 'POST'], '/{index}/_mget', (req) => mget(req, req.params.index));
}
