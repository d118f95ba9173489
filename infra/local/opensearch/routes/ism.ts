// Index State Management APIs under `/_plugins/_ism` (and the older `/_opendistro/_ism`).
import { json, type Router } from '../router.ts';
import { settingString } from '../settings.ts';
import type { IndexState } from '../state.ts';
import type { RouteContext } from './context.ts';

/** Analyzers of an index that use an `updateable` filter (the ones a refresh reloads). */
export function updateableAnalyzers(index: IndexState): string[] {
  const out: string[] = [];
  const prefix = 'index.analysis.analyzer.';
  const names = new Set(
    Object.keys(index.settings)
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length).split('.')[0] ?? ''),
  );
  for (const analyzer of [...names].sort()) {
    const raw = index.settings[`${prefix}${analyzer}.filter`];
    const filters = raw === undefined ? [] : Array.isArray(raw) ? raw : raw.split(',');
    if (
      filters.some((f) => settingString(index.settings, `index.analysis.filter.${f}.updateable`) === 'true')
    )
      out.push(analyzer);
  }
  return out;
}

export function registerIsmRoutes(router: Router, ctx: RouteContext): void {
  const ism = ctx.lifecycle.ism;
  for (const base of ['/_plugins/_ism', '/_opendistro/_ism']) {
    router.add('PUT', `${base}/policies/{policy_id}`, (req) => {
      const r = ism.putPolicy(req.params.policy_id ?? '', req.json(), req.query);
      return json(r.status, r.body);
    });
    router.add('PUT', `${base}/policies`, (req) => {
      const r = ism.putPolicy(req.query.policyID ?? req.query.policy_id ?? '', req.json(), req.query);
      return json(r.status, r.body);
    });
    router.add('GET', `${base}/policies/{policy_id}`, (req) =>
      json(200, ism.getPolicy(req.params.policy_id ?? '')),
    );
    router.add('GET', `${base}/policies`, (req) => json(200, ism.listPolicies(req.query)));
    router.add('DELETE', `${base}/policies/{policy_id}`, (req) => {
      const r = ism.deletePolicy(req.params.policy_id ?? '');
      return json(r.status, r.body);
    });
    const change = (name: string, run: (expression: string | undefined, body: unknown) => unknown): void => {
      router.add('POST', `${base}/${name}`, (req) => json(200, run(req.query.index, req.json())));
      router.add('POST', `${base}/${name}/{index}`, (req) => json(200, run(req.params.index, req.json())));
    };
    change('add', (e, b) => ism.add(e, b));
    change('remove', (e) => ism.remove(e));
    change('change_policy', (e, b) => ism.changePolicy(e, b));
    change('retry', (e, b) => ism.retry(e, b));
    router.add(['GET', 'POST'], `${base}/explain`, (req) =>
      json(200, ism.explain(undefined, req.query, req.json())),
    );
    router.add(['GET', 'POST'], `${base}/explain/{index}`, (req) =>
      json(200, ism.explain(req.params.index, req.query, req.json())),
    );
  }
  router.add('POST', '/_plugins/_refresh_search_analyzers/{index}', (req) => {
    const indices = ctx.node.resolve(req.params.index, { allowNoIndices: false });
    const details = indices
      .map((index) => ({ index: index.name, refreshed_analyzers: updateableAnalyzers(index) }))
      .filter((d) => d.refreshed_analyzers.length > 0);
    return json(200, {
      _shards: { total: indices.length, successful: indices.length, failed: 0 },
      successful_refresh_details: details,
    });
  });
}
