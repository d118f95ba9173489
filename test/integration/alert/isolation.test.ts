// A failing notifier, a malformed rule or a failing query never stops the other rules: the error
// is logged and counted. Health checks tolerate APIs the cluster does not have.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertMetrics, runAlerts } from '../../../functions/alert/run.ts';
import {
  buildApp,
  type Env,
  FakeMetrics,
  FakePublisher,
  MIN,
  seed,
  startEnv,
  takeEvents,
} from './support.ts';

let env: Env;
beforeEach(async () => {
  env = await startEnv();
});
afterEach(async () => {
  await env.close();
});

const anyError = { name: 'errors', type: 'any', query: 'log.level:error', timeframe: '5m' };

describe('isolation', () => {
  it('a webhook that keeps failing is retried, logged and counted; SNS still gets the message', async () => {
    await seed(env, [{ ago: MIN, 'log.level': 'error', message: 'boom' }]);
    const publisher = new FakePublisher();
    const { app, logger, counters } = buildApp(
      env,
      { rules: [{ ...anyError, notify: ['hook', 'sns'] }] },
      { publisher },
    );
    env.receiver.failNext(10, 503);
    const summary = await runAlerts(app);
    expect(summary).toMatchObject({ notifications: 1, deliveries: 1, deliveryFailures: 1 });
    expect(env.receiver.received).toHaveLength(2); // one try plus one retry
    expect(publisher.published).toHaveLength(1);
    expect(publisher.published[0]?.subject).toBe('[Sluice] errors: 1 firing');
    expect(publisher.published[0]?.message).toContain('boom');
    expect(counters.totals[AlertMetrics.deliveryFailures]).toBe(1);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'notifier failed',
        extra: expect.objectContaining({ notifier: 'hook' }),
      }),
    );
  });

  it('a webhook that recovers on retry delivers once', async () => {
    await seed(env, [{ ago: MIN, 'log.level': 'error' }]);
    const { app } = buildApp(env, { rules: [anyError] });
    env.receiver.failNext(1, 500);
    expect(await runAlerts(app)).toMatchObject({ deliveries: 1, deliveryFailures: 0 });
    expect(env.receiver.received.map((r) => r.body === null)).toEqual([false, false]);
  });

  it('a stalled webhook times out without holding up the run', async () => {
    await seed(env, [{ ago: MIN, 'log.level': 'error' }]);
    const { app } = buildApp(env, {
      notifiers: [{ name: 'hook', type: 'webhook', url: env.receiver.url, timeout: '200ms', retries: 0 }],
      rules: [anyError],
    });
    env.receiver.stallNext(1, 5000);
    const started = Date.now();
    const summary = await runAlerts(app);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(summary.deliveryFailures).toBe(1);
  });

  it('a malformed rule and a failing query are logged and counted; the other rules still notify', async () => {
    await seed(env, [{ ago: MIN, 'log.level': 'error', message: 'boom' }]);
    const { app, logger, counters } = buildApp(env, {
      rules: [
        { name: 'broken', type: 'frequency', timeframe: 'soon', num_events: 1 },
        // `message` is a text field: a terms aggregation on it is rejected by OpenSearch (400).
        { name: 'bad-query', type: 'frequency', query_key: 'message', num_events: 1, timeframe: '5m' },
        anyError,
      ],
    });
    expect(app.configErrors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^rules\[0\]\.timeframe: must be a positive duration/),
    ]);
    const summary = await runAlerts(app);
    expect(summary).toMatchObject({ rules: 2, ruleErrors: 1, configErrors: 1, notifications: 1 });
    expect(takeEvents(env)).toEqual([['*:firing']]);
    expect(counters.totals).toMatchObject({ [AlertMetrics.ruleErrors]: 1, [AlertMetrics.configErrors]: 1 });
    const errors = logger.lines
      .filter((l) => l.level === 'error')
      .map((l) => [l.message, l.extra.rule ?? l.extra.error]);
    expect(errors).toEqual([
      ['malformed rule skipped', expect.stringContaining('rules[0].timeframe')],
      ['rule evaluation failed', 'bad-query'],
    ]);
  });

  it('a rule whose query fails keeps its firing state (no false resolve)', async () => {
    await seed(env, [{ ago: MIN, 'log.level': 'error' }]);
    const { app } = buildApp(env, { rules: [{ ...anyError, type: 'frequency', num_events: 1 }] });
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([['*:firing']]);
    const search = app.search;
    app.search = { ...search, search: async () => Promise.reject(new Error('cluster unreachable')) };
    env.server.clock.advance(10 * MIN);
    expect((await runAlerts(app)).ruleErrors).toBe(1);
    expect(takeEvents(env)).toEqual([]);
    app.search = search;
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([['*:resolved']]);
  });
});

describe('health checks', () => {
  const health = {
    health: {
      consumer_lag: { function_name: 'sluice-ingest', threshold: 1000 },
      dead_letters: { window: '15m' },
      lambda_throttles: { function_name: 'sluice-ingest' },
      // One node with replicated indices is yellow: only red would page here.
      cluster_health: { status: 'red' },
      node_pressure: {},
      ism_failures: {},
      snapshots: { repository: 'sluice-snapshots' },
    },
  };

  it('fires on CloudWatch values over threshold; absent OpenSearch APIs are tolerated', async () => {
    const metrics = new FakeMetrics();
    metrics.set('OffsetLag', 25_000);
    metrics.set('RecordsDeadLettered', 3);
    metrics.set('Throttles', 0);
    const { app } = buildApp(env, health, { metrics });
    const summary = await runAlerts(app);
    expect(summary.ruleErrors).toBe(0);
    const events = takeEvents(env);
    expect(events).toEqual(expect.arrayContaining([['sluice-ingest:firing'], ['ingest:firing']]));
    expect(events).toHaveLength(2);
    expect(metrics.calls.map((c) => `${c.namespace}/${c.metricName}`).sort()).toEqual([
      'AWS/Lambda/OffsetLag',
      'AWS/Lambda/Throttles',
      'Sluice/RecordsDeadLettered',
    ]);

    metrics.set('OffsetLag', 10);
    env.server.clock.advance(MIN);
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([['sluice-ingest:resolved']]);
  });

  it('cluster health at or above the configured colour fires (from the server)', async () => {
    const { body } = await env.client.cluster.health();
    const status = String(body.status);
    const { app } = buildApp(env, { health: { cluster_health: { status } } });
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([[`${String(body.cluster_name)}:firing`]]);
  });
});
