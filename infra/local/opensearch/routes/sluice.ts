// Test controls under `/_sluice/`: fault injection, the server clock, the request log.
import { illegalArgument } from '../errors.ts';
import { json, type Router } from '../router.ts';
import { parseDuration } from '../units.ts';
import { isObject, type RouteContext } from './context.ts';

export function registerSluiceRoutes(router: Router, ctx: RouteContext): void {
  router.add('GET', '/_sluice/faults', () => json(200, ctx.faults.config));
  router.add(['PUT', 'POST'], '/_sluice/faults', (req) => json(200, ctx.faults.set(req.json())));
  router.add('DELETE', '/_sluice/faults', () => {
    ctx.faults.reset();
    return json(200, ctx.faults.config);
  });

  const clockBody = () => {
    const now = ctx.clock.now();
    return { now: new Date(now).toISOString(), epoch_ms: now, manual: ctx.clock.manual };
  };
  router.add('GET', '/_sluice/clock', () => json(200, clockBody()));
  router.add(['PUT', 'POST'], '/_sluice/clock', async (req) => {
    const body = req.json();
    if (!isObject(body)) throw illegalArgument('expected {"now": ...} or {"advance": ...}');
    if (body.now !== undefined) {
      const ms =
        typeof body.now === 'number'
          ? body.now
          : /^-?\d+$/.test(String(body.now))
            ? Number(body.now)
            : Date.parse(String(body.now));
      if (!Number.isFinite(ms)) throw illegalArgument(`cannot parse [now] value [${String(body.now)}]`);
      ctx.clock.set(ms);
    }
    if (body.advance !== undefined) ctx.clock.advance(parseDuration(body.advance));
    if (body.now === undefined && body.advance === undefined)
      throw illegalArgument('expected [now] or [advance]');
    // The lifecycle jobs the move triggered are done before the answer.
    await ctx.lifecycle.settle();
    return json(200, clockBody());
  });

  // Runs the lifecycle jobs (ISM, SM) once now, without moving the clock.
  router.add('POST', '/_sluice/lifecycle/run', async () => {
    ctx.lifecycle.runOnce();
    ctx.node.flush();
    await ctx.lifecycle.settle();
    return json(200, { acknowledged: true });
  });

  router.add('GET', '/_sluice/requests', () => json(200, { requests: ctx.log.list() }));
  router.add('DELETE', '/_sluice/requests', () => {
    ctx.log.clear();
    return json(200, { acknowledged: true });
  });
}
