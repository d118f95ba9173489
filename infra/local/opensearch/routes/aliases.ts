// Alias APIs: `_aliases` actions, `_alias` get/put/delete/exists.
import { setOwn } from '../../../../functions/core/pipeline/fields.ts';
import { validationError } from '../errors.ts';
import { wildcardMatch } from '../index-name.ts';
import { json, type RestResponse, type Router } from '../router.ts';
import { isObject, type RouteContext, resolveOptions } from './context.ts';

export function registerAliasRoutes(router: Router, ctx: RouteContext): void {
  const { node } = ctx;

  router.add('POST', '/_aliases', (req) => {
    const body = req.json();
    node.updateAliases(isObject(body) ? body.actions : undefined);
    return json(200, { acknowledged: true });
  });

  const getAliases = (
    expr: string | undefined,
    names: string | undefined,
    query: Record<string, string>,
  ): RestResponse => {
    const indices = node.resolve(expr, resolveOptions(query, { hidden: expr !== undefined }));
    const patterns = names && names !== '_all' && names !== '*' ? names.split(',') : undefined;
    const body: Record<string, unknown> = {};
    const found = new Set<string>();
    for (const index of indices) {
      const aliases: Record<string, unknown> = {};
      for (const [alias, meta] of Object.entries(index.aliases)) {
        if (patterns && !patterns.some((p) => wildcardMatch(p, alias))) continue;
        setOwn(aliases, alias, meta);
        found.add(alias);
      }
      if (patterns && Object.keys(aliases).length === 0) continue;
      setOwn(body, index.name, { aliases });
    }
    const missing = (patterns ?? []).filter((p) => !p.includes('*') && !found.has(p));
    if (missing.length > 0) {
      // OpenSearch answers the aliases it found, plus a plain error naming the missing ones.
      return json(404, { ...body, error: `alias [${missing.join(',')}] missing`, status: 404 });
    }
    return json(200, body);
  };
  router.add('GET', '/_alias', (req) => getAliases(undefined, undefined, req.query));
  router.add('GET', '/_alias/{name}', (req) => getAliases(undefined, req.params.name, req.query));
  router.add('GET', '/{index}/_alias', (req) => getAliases(req.params.index, undefined, req.query));
  router.add('GET', '/{index}/_alias/{name}', (req) =>
    getAliases(req.params.index, req.params.name, req.query),
  );
  router.add('HEAD', '/_alias/{name}', (req) => ({
    status: getAliases(undefined, req.params.name, req.query).status,
  }));
  router.add('HEAD', '/{index}/_alias/{name}', (req) => {
    try {
      return { status: getAliases(req.params.index, req.params.name, req.query).status };
    } catch {
      return { status: 404 };
    }
  });

  const putAlias = (index: string, name: string, body: unknown) => {
    node.updateAliases([{ add: { ...(isObject(body) ? body : {}), index, alias: name } }]);
    return json(200, { acknowledged: true });
  };
  for (const segment of ['_alias', '_aliases']) {
    router.add(['PUT', 'POST'], `/{index}/${segment}/{name}`, (req) =>
      putAlias(req.params.index ?? '', req.params.name ?? '', req.json()),
    );
    router.add('DELETE', `/{index}/${segment}/{name}`, (req) => {
      node.updateAliases([{ remove: { index: req.params.index, alias: req.params.name } }]);
      return json(200, { acknowledged: true });
    });
  }
  // The index (and maybe the alias) in the body.
  router.add(['PUT', 'POST'], ['/_alias/{name}', '/_aliases/{name}'], (req) => {
    const body = req.json();
    const raw = isObject(body) ? body : {};
    const index = raw.index ?? raw.indices;
    if (index === undefined) throw validationError('One of [index] or [indices] is required');
    const { index: _i, indices: _is, ...rest } = raw;
    node.updateAliases([
      {
        add: { ...rest, ...(Array.isArray(index) ? { indices: index } : { index }), alias: req.params.name },
      },
    ]);
    return json(200, { acknowledged: true });
  });
  router.add(['PUT', 'POST'], '/_alias', (req) => {
    const body = req.json();
    const raw = isObject(body) ? body : {};
    node.updateAliases([{ add: raw }]);
    return json(200, { acknowledged: true });
  });
  router.add(['PUT', 'POST'], ['/{index}/_alias', '/{index}/_aliases'], (req) => {
    const body = req.json();
    const name = isObject(body) ? String(body.alias ?? body.name ?? '') : '';
    return putAlias(req.params.index ?? '', name, body);
  });
}
