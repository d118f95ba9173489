import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseDuration } from '../../../functions/core/alert/duration.ts';
import { AlertConfigError } from '../../../functions/core/alert/errors.ts';
import { compileAlertConfig, compileAlertConfigLenient } from '../../../functions/core/alert/rules.ts';

const base = (rule: Record<string, unknown>) => ({
  notifiers: [{ name: 'hook', type: 'webhook', url: 'http://127.0.0.1:1/x' }],
  defaults: { notify: ['hook'] },
  rules: [rule],
});

const frequency = {
  name: 'errors',
  type: 'frequency',
  query: 'log.level:error',
  num_events: 5,
  timeframe: '5m',
};

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['500ms', 500],
    ['1.5h', 5_400_000],
    [{ minutes: 5 }, 300_000],
    [{ hours: 1, minutes: 30 }, 5_400_000],
  ])('%j → %d ms', (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  it.each([['5'], ['m'], ['-5m'], ['0m'], [''], [5], [{ fortnights: 1 }], [{}], [null], [['5m']]])(
    '%j is not a duration',
    (input) => {
      expect(parseDuration(input)).toBeUndefined();
    },
  );
});

describe('compileAlertConfig', () => {
  it('compiles the shipped infra/alerts.yaml', () => {
    const file = path.resolve(import.meta.dirname, '../../../infra/alerts.yaml');
    const config = compileAlertConfig(parse(readFileSync(file, 'utf8')));
    expect(config.rules.map((r) => r.type).sort()).toEqual([
      'any',
      'flatline',
      'flatline',
      'frequency',
      'metric',
      'new_term',
      'spike',
    ]);
    expect(config.health.map((h) => h.type)).toContain('consumer_lag');
    expect(config.notifiers.map((n) => n.name)).toEqual(['ops-sns', 'chat']);
  });

  it('applies defaults and compiles a query string into query_string', () => {
    const config = compileAlertConfig(base(frequency));
    const rule = config.rules[0];
    expect(rule).toMatchObject({
      kind: 'log',
      type: 'frequency',
      numEvents: 5,
      timeframeMs: 300_000,
      index: 'logs-*',
      timestampField: '@timestamp',
      realertMs: 600_000,
      resolve: true,
      notify: ['hook'],
      filter: [{ query_string: { query: 'log.level:error', analyze_wildcard: true } }],
    });
  });

  it('any and new_term do not resolve by default; exponential_realert sets a back-off', () => {
    const config = compileAlertConfig({
      rules: [
        { name: 'a', type: 'any', timeframe: '1m' },
        {
          name: 'b',
          type: 'new_term',
          field: 'error.type',
          lookback: '7d',
          timeframe: '5m',
          realert: '1m',
          exponential_realert: '1h',
        },
      ],
    });
    expect(config.rules.map((r) => r.resolve)).toEqual([false, false]);
    expect(config.rules[1]?.backoff).toEqual({ factor: 2, maxMs: 3_600_000 });
  });

  it.each([
    [{ ...frequency, timeframe: '5 minutes' }, 'rules[0].timeframe', 'positive duration'],
    [{ ...frequency, timeframe: undefined }, 'rules[0].timeframe', 'is required'],
    [{ ...frequency, type: 'threshold' }, 'rules[0].type', 'must be one of frequency'],
    [{ ...frequency, num_events: 0 }, 'rules[0].num_events', '>= 1'],
    [{ ...frequency, num_events: 'ten' }, 'rules[0].num_events', 'must be a number'],
    [{ ...frequency, num_event: 5 }, 'rules[0].num_event', 'unknown key'],
    [{ ...frequency, name: 'has space' }, 'rules[0].name', 'letters, digits'],
    [{ ...frequency, notify: ['pager'] }, 'rules[0].notify[0]', 'names no notifier: pager'],
    [
      { ...frequency, filter: [{ term: { a: 1 }, match: { b: 2 } }] },
      'rules[0].filter[0]',
      'one query DSL clause',
    ],
    [
      { ...frequency, realert: '1h', exponential_realert: '5m' },
      'rules[0].exponential_realert',
      'at least as long as realert',
    ],
    [
      { name: 's', type: 'spike', spike_height: 1, timeframe: '5m' },
      'rules[0].spike_height',
      'greater than 1',
    ],
    [
      { name: 's', type: 'spike', spike_height: 3, spike_type: 'sideways', timeframe: '5m' },
      'rules[0].spike_type',
      'up, down, both',
    ],
    [
      { name: 'm', type: 'metric', metric_agg_key: 'x', max_threshold: 1, timeframe: '5m' },
      'rules[0].metric_agg_type',
      'is required',
    ],
    [
      { name: 'm', type: 'metric', metric_agg_type: 'avg', metric_agg_key: 'x', timeframe: '5m' },
      'rules[0].max_threshold',
      'max_threshold, min_threshold',
    ],
    [{ name: 'n', type: 'new_term', field: 'x', timeframe: '5m' }, 'rules[0].lookback', 'is required'],
  ])('rejects %j at %s', (rule, at, text) => {
    const run = () => compileAlertConfig(base(rule));
    expect(run).toThrow(AlertConfigError);
    try {
      run();
    } catch (error) {
      expect((error as AlertConfigError).path).toBe(at);
      expect((error as Error).message).toContain(text);
      expect((error as Error).message.startsWith(`${at}:`)).toBe(true);
    }
  });

  it('lenient compile keeps the good rules and reports the bad one by index', () => {
    const { config, errors } = compileAlertConfigLenient({
      rules: [
        frequency,
        { name: 'bad', type: 'flatline', timeframe: '1h' },
        { ...frequency, name: 'errors2' },
      ],
    });
    expect(config.rules.map((r) => r.name)).toEqual(['errors', 'errors2']);
    expect(errors.map((e) => e.path)).toEqual(['rules[1].threshold']);
  });

  it('rejects duplicate rule names', () => {
    expect(() => compileAlertConfig({ rules: [frequency, frequency] })).toThrow(
      'rules[1].name: duplicate rule name errors',
    );
  });

  it('health: Lambda metrics need the function name; Sluice metrics get the service dimension', () => {
    expect(() => compileAlertConfig({ health: { lambda_errors: { threshold: 0 } } })).toThrow(
      'health.lambda_errors.function_name: is required',
    );
    const config = compileAlertConfig({
      health: { dead_letters: { window: '10m' }, consumer_lag: { function_name: 'ingest', threshold: 5 } },
    });
    expect(config.health).toEqual([
      expect.objectContaining({
        name: 'health.consumer_lag',
        threshold: 5,
        metric: {
          namespace: 'AWS/Lambda',
          metricName: 'OffsetLag',
          statistic: 'Maximum',
          dimensions: { FunctionName: 'ingest' },
        },
      }),
      expect.objectContaining({
        name: 'health.dead_letters',
        threshold: 0,
        windowMs: 600_000,
        metric: {
          namespace: 'Sluice',
          metricName: 'RecordsDeadLettered',
          statistic: 'Sum',
          dimensions: { service: 'ingest' },
        },
      }),
    ]);
  });

  it('health.service_flatline becomes a flatline rule grouped by service', () => {
    const config = compileAlertConfig({ health: { service_flatline: { timeframe: '1h' } } });
    expect(config.rules[0]).toMatchObject({
      name: 'health.service_flatline',
      type: 'flatline',
      queryKey: 'service.name',
      timeframeMs: 3_600_000,
      threshold: 1,
    });
  });

  it('notifiers: need a target and a known type', () => {
    expect(() => compileAlertConfig({ notifiers: [{ name: 'x', type: 'sns' }] })).toThrow(
      'notifiers[0].topic_arn: is required',
    );
    expect(() => compileAlertConfig({ notifiers: [{ name: 'x', type: 'email' }] })).toThrow(
      'notifiers[0].type: must be sns or webhook',
    );
    expect(() => compileAlertConfig({ notifiers: [{ name: 'x', type: 'webhook', url: 'ftp://x' }] })).toThrow(
      'notifiers[0].url',
    );
  });
});

describe('compileAlertConfigLenient: what is isolated and what is fatal', () => {
  it('a malformed health block is left out; the other blocks compile', () => {
    const { config, errors } = compileAlertConfigLenient({
      health: { snapshots: { max_age: '1d' }, ism_failures: null, cluster_health: { status: 'orange' } },
    });
    expect(config.health.map((h) => h.type)).toEqual(['ism_failures']);
    expect(errors.map((e) => e.path)).toEqual([
      'health.cluster_health.status',
      'health.snapshots.repository',
    ]);
  });

  it.each([
    [null, '(root): must be a mapping'],
    [{ rules: 5 }, 'rules: must be a list of rules'],
    [{ rulez: [] }, 'rulez: unknown key'],
    [{ defaults: { realert: 'often' } }, 'defaults.realert: must be a positive duration'],
    [{ defaults: { notify: ['nobody'] } }, 'defaults.notify[0]: names no notifier: nobody'],
    [
      {
        notifiers: [
          { name: 'a', type: 'sns', topic_arn: 'x' },
          { name: 'a', type: 'sns', topic_arn: 'y' },
        ],
      },
      'notifiers[1].name: duplicate',
    ],
  ])('throws for a malformed top level %j', (raw, message) => {
    expect(() => compileAlertConfigLenient(raw)).toThrow(message);
  });

  it('new_term rejects query_key (its key is the field)', () => {
    expect(() =>
      compileAlertConfig({
        rules: [{ name: 'n', type: 'new_term', field: 'x', lookback: '1d', timeframe: '5m', query_key: 'y' }],
      }),
    ).toThrow('rules[0].query_key: is not used by new_term');
  });
});
