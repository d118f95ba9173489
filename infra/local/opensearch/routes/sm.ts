// Snapshot Management APIs under `/_plugins/_sm/policies`.
import { json, type Router } from '../router.ts';
import type { RouteContext } from './context.ts';

export function registerSmRoutes(router: Router, ctx: RouteContext): void {
  const sm = ctx.lifecycle.sm;
  const base = '/_plugins/_sm/policies';
  router.add('POST', `${base}/{policy_name}`, (req) =>
    json(201, sm.create(req.params.policy_name ?? '', req.json())),
  );
  router.add('PUT', `${base}/{policy_name}`, (req) =>
    json(200, sm.update(req.params.policy_name ?? '', req.json(), req.query)),
  );
  router.add('GET', `${base}/{policy_name}`, (req) => json(200, sm.get(req.params.policy_name ?? '')));
  router.add('GET', base, (req) => json(200, sm.list(req.query)));
  router.add('DELETE', `${base}/{policy_name}`, (req) => json(200, sm.delete(req.params.policy_name ?? '')));
  router.add('GET', `${base}/{policy_name}/_explain`, (req) =>
    json(200, sm.explain(req.params.policy_name ?? '')),
  );
  router.add('POST', `${base}/{policy_name}/_start`, (req) =>
    json(200, sm.setEnabled(req.params.policy_name ?? '', true)),
  );
  router.add('POST', `${base}/{policy_name}/_stop`, (req) =>
    json(200, sm.setEnabled(req.params.policy_name ?? '', false)),
  );
}
