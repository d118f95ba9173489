import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runAlerts } from '../../../functions/alert/run.ts';
import { buildApp, type Env, HOUR, MIN, seed, startEnv, takeEvents } from './support.ts';

let env: Env;
beforeEach(async () => {
  env = await startEnv();
});
afterEach(async () => {
  await env.close();
});

const advance = (ms: number) => env.server.clock.advance(ms);

describe('frequency', () => {
  const rules = {
    rules: [
      {
        name: 'errors',
        type: 'frequency',
        query: 'log.level:error',
        query_key: 'service.name',
        num_events: 3,
        timeframe: '5m',
      },
    ],
  };

  it('fires for the key at the threshold, suppresses repeats within realert, resolves once', async () => {
    await seed(env, [
      ...[1, 2, 3].map((m) => ({
        ago: m * MIN,
        'log.level': 'error',
        service: { name: 'api' },
        message: `db down ${m}`,
      })),
      { ago: MIN, 'log.level': 'error', service: { name: 'web' }, message: 'one error' },
      ...[1, 2].map((m) => ({
        ago: m * MIN,
        'log.level': 'info',
        service: { name: 'web' },
        message: 'fine',
      })),
    ]);
    const { app } = buildApp(env, rules);

    expect((await runAlerts(app)).notifications).toBe(1);
    const [first] = env.receiver.received;
    const body = first?.body as { text: string; rule: string; events: Array<Record<string, unknown>> };
    expect(body.rule).toBe('errors');
    expect(body.text).toContain('FIRING api: 3 (>= 3 events)');
    expect(body.events[0]).toMatchObject({ key: 'api', value: 3, status: 'firing' });
    expect(body.events[0]?.samples).toHaveLength(3);
    expect(takeEvents(env)).toEqual([['api:firing']]);

    advance(MIN);
    await seed(env, [{ ago: 0, 'log.level': 'error', service: { name: 'api' }, message: 'again' }]);
    const second = await runAlerts(app);
    expect(second).toMatchObject({ matches: 1, suppressed: 1, notifications: 0 });
    expect(takeEvents(env)).toEqual([]);

    advance(5 * MIN); // everything has left the 5-minute window
    expect((await runAlerts(app)).notifications).toBe(1);
    expect(takeEvents(env)).toEqual([['api:resolved']]);
    advance(MIN);
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([]);
  });

  it('stays silent below the threshold', async () => {
    await seed(
      env,
      [1, 2].map((m) => ({ ago: m * MIN, 'log.level': 'error', service: { name: 'api' } })),
    );
    const { app } = buildApp(env, rules);
    expect(await runAlerts(app)).toMatchObject({ matches: 0, notifications: 0, ruleErrors: 0 });
    expect(env.receiver.received).toEqual([]);
  });

  it('repeats after realert while the condition holds', async () => {
    const { app } = buildApp(env, rules);
    for (let minute = 0; minute <= 10; minute += 1) {
      // A second old: the window ends just before now (`lt`), as it would on a real cluster.
      await seed(
        env,
        [1, 2, 3].map(() => ({ ago: 1000, 'log.level': 'error', service: { name: 'api' } })),
      );
      await runAlerts(app);
      advance(MIN);
    }
    expect(takeEvents(env)).toEqual([['api:firing'], ['api:firing:repeat']]);
  });
});

describe('flatline', () => {
  it('a 1 h flatline on a 1-minute schedule fires once the last document is an hour old', async () => {
    await seed(env, [{ ago: 50 * MIN, service: { name: 'checkout' }, message: 'order placed' }]);
    const { app } = buildApp(env, {
      rules: [
        {
          name: 'checkout-silent',
          type: 'flatline',
          filter: [{ term: { 'service.name': 'checkout' } }],
          threshold: 1,
          timeframe: '1h',
        },
      ],
    });
    for (let minute = 0; minute < 10; minute += 1) {
      await runAlerts(app);
      advance(MIN);
    }
    expect(takeEvents(env)).toEqual([]); // at 59 minutes old: still inside the hour
    advance(MIN);
    await runAlerts(app); // 61 minutes
    expect(takeEvents(env)).toEqual([['*:firing']]);
    await seed(env, [{ ago: 0, service: { name: 'checkout' }, message: 'order placed' }]);
    advance(MIN);
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([['*:resolved']]);
  });

  it('per service (health.service_flatline): only the service that stopped', async () => {
    await seed(env, [
      { ago: 2 * HOUR, service: { name: 'billing' } },
      { ago: 20 * MIN, service: { name: 'billing' } },
      { ago: 2 * HOUR, service: { name: 'api' } },
      { ago: 3 * MIN, service: { name: 'api' } },
      { ago: 30 * HOUR, service: { name: 'retired' } }, // outside the 24 h key look-back
    ]);
    const { app } = buildApp(env, {
      health: { service_flatline: { timeframe: '15m', key_lookback: '24h' } },
    });
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([['billing:firing']]);
  });
});

describe('spike', () => {
  const rules = {
    rules: [
      {
        name: 'spike',
        type: 'spike',
        query_key: 'service.name',
        spike_height: 3,
        spike_type: 'up',
        timeframe: '10m',
      },
    ],
  };
  const docs = (service: string, count: number, agoFrom: number) =>
    Array.from({ length: count }, (_, i) => ({ ago: agoFrom + (i % 9) * MIN, service: { name: service } }));

  it('fires for x3 against the previous window; silent for x1.2', async () => {
    await seed(env, [
      ...docs('api', 5, 11 * MIN), // reference window (10–20 minutes ago)
      ...docs('api', 15, MIN), // current window
      ...docs('web', 10, 11 * MIN),
      ...docs('web', 12, MIN),
    ]);
    const { app } = buildApp(env, rules);
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([['api:firing']]);
  });

  it('down spikes: a drop to a third', async () => {
    await seed(env, [...docs('api', 30, 11 * MIN), ...docs('api', 9, MIN)]);
    const { app } = buildApp(env, { rules: [{ ...rules.rules[0], spike_type: 'down' }] });
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([['api:firing']]);
  });
});

describe('new_term', () => {
  it('fires for a value unseen in the look-back, not for an old one; no resolve', async () => {
    await seed(env, [
      { ago: 3 * 24 * HOUR, 'log.level': 'error', error: { type: 'IOError' } },
      { ago: MIN, 'log.level': 'error', error: { type: 'IOError' } },
      { ago: 2 * MIN, 'log.level': 'error', error: { type: 'TimeoutError' }, message: 'upstream timed out' },
      { ago: 2 * MIN, 'log.level': 'info', error: { type: 'InfoOnly' } }, // filtered out
    ]);
    const { app } = buildApp(env, {
      rules: [
        {
          name: 'new-error',
          type: 'new_term',
          query: 'log.level:error',
          field: 'error.type',
          lookback: '7d',
          timeframe: '5m',
        },
      ],
    });
    await runAlerts(app);
    const body = env.receiver.received[0]?.body as {
      events: Array<{ samples: Array<{ message?: string }> }>;
    };
    expect(body.events[0]?.samples[0]?.message).toBe('upstream timed out');
    expect(takeEvents(env)).toEqual([['TimeoutError:firing']]);
    advance(10 * MIN);
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([]); // out of the window: not new any more, and nothing to resolve
  });
});

describe('metric', () => {
  it('fires for the key whose average is over the threshold', async () => {
    await seed(env, [
      { ago: MIN, service: { name: 'api' }, event: { duration: 3000 } },
      { ago: 2 * MIN, service: { name: 'api' }, event: { duration: 2000 } },
      { ago: MIN, service: { name: 'web' }, event: { duration: 100 } },
      { ago: 20 * MIN, service: { name: 'web' }, event: { duration: 99_999 } }, // outside the window
    ]);
    const { app } = buildApp(env, {
      rules: [
        {
          name: 'slow',
          type: 'metric',
          metric_agg_type: 'avg',
          metric_agg_key: 'event.duration',
          query_key: 'service.name',
          max_threshold: 1000,
          timeframe: '10m',
        },
      ],
    });
    await runAlerts(app);
    const body = env.receiver.received[0]?.body as { events: Array<{ value: number; threshold: string }> };
    expect(body.events[0]).toMatchObject({ value: 2500, threshold: 'avg(event.duration) > 1000' });
    expect(takeEvents(env)).toEqual([['api:firing']]);
  });

  it('cardinality under a minimum (ungrouped)', async () => {
    await seed(env, [
      { ago: MIN, service: { name: 'api' } },
      { ago: MIN, service: { name: 'api' } },
    ]);
    const { app } = buildApp(env, {
      rules: [
        {
          name: 'few-services',
          type: 'metric',
          metric_agg_type: 'cardinality',
          metric_agg_key: 'service.name',
          min_threshold: 2,
          timeframe: '10m',
        },
      ],
    });
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([['*:firing']]);
  });
});

describe('any', () => {
  it('fires on one matching document and is silent without', async () => {
    const { app } = buildApp(env, {
      rules: [
        {
          name: 'oom',
          type: 'any',
          query: 'message:"OutOfMemoryError"',
          query_key: 'service.name',
          timeframe: '5m',
        },
      ],
    });
    await seed(env, [{ ago: MIN, service: { name: 'api' }, message: 'all good' }]);
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([]);
    await seed(env, [
      { ago: MIN, service: { name: 'api' }, message: 'worker 3 died: OutOfMemoryError (Java heap space)' },
    ]);
    await runAlerts(app);
    expect(takeEvents(env)).toEqual([['api:firing']]);
  });
});
