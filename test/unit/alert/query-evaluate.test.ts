import { describe, expect, it } from 'vitest';
import { evaluateRule } from '../../../functions/core/alert/evaluate.ts';
import { buildQuery, ruleWindow } from '../../../functions/core/alert/query.ts';
import { compileAlertConfig } from '../../../functions/core/alert/rules.ts';
import type { LogRule } from '../../../functions/core/alert/types.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const MIN = 60_000;

function rule(spec: Record<string, unknown>): LogRule {
  const compiled = compileAlertConfig({ rules: [{ name: 'r', ...spec }] }).rules[0];
  if (compiled === undefined) throw new Error('no rule');
  return compiled;
}

const hits = (total: number, docs: Record<string, unknown>[] = []) => ({
  hits: {
    total: { value: total, relation: 'eq' },
    hits: docs.map((d, i) => ({ _index: 'logs-x', _id: String(i), _source: d })),
  },
});
const buckets = (list: Record<string, unknown>[]) => ({
  hits: { total: { value: 0, relation: 'eq' }, hits: [] },
  aggregations: { keys: { doc_count_error_upper_bound: 0, sum_other_doc_count: 0, buckets: list } },
});

describe('buildQuery', () => {
  it('uses absolute times from the clock, shifted by delay', () => {
    const r = rule({
      type: 'frequency',
      num_events: 1,
      timeframe: '5m',
      delay: '1m',
      query: 'log.level:error',
    });
    expect(ruleWindow(r, NOW)).toEqual({ from: NOW - 6 * MIN, to: NOW - MIN });
    expect(buildQuery(r, NOW)).toEqual({
      index: 'logs-*',
      body: {
        size: 3,
        track_total_hits: true,
        sort: [{ '@timestamp': { order: 'desc' } }],
        query: {
          bool: {
            filter: [
              {
                range: {
                  '@timestamp': {
                    gte: iso(NOW - 6 * MIN),
                    lt: iso(NOW - MIN),
                    format: 'strict_date_optional_time',
                  },
                },
              },
              { query_string: { query: 'log.level:error', analyze_wildcard: true } },
            ],
          },
        },
      },
    });
  });

  it.each([
    [
      'flatline with key: window plus key look-back',
      { type: 'flatline', threshold: 1, timeframe: '1h', key_lookback: '1d', query_key: 'service.name' },
      NOW - 60 * MIN - 1440 * MIN,
    ],
    [
      'flatline without key: the window only',
      { type: 'flatline', threshold: 1, timeframe: '1h' },
      NOW - 60 * MIN,
    ],
    [
      'spike: the reference window before',
      { type: 'spike', spike_height: 2, timeframe: '10m' },
      NOW - 20 * MIN,
    ],
    [
      'new_term: the look-back before',
      { type: 'new_term', field: 'error.type', lookback: '7d', timeframe: '5m' },
      NOW - 5 * MIN - 7 * 1440 * MIN,
    ],
    [
      'metric: the window',
      { type: 'metric', metric_agg_type: 'avg', metric_agg_key: 'x', max_threshold: 1, timeframe: '10m' },
      NOW - 10 * MIN,
    ],
  ])('%s', (_, spec, start) => {
    const body = buildQuery(rule(spec), NOW).body as {
      query: { bool: { filter: Array<{ range: Record<string, { gte: string; lt: string }> }> } };
    };
    const range = body.query.bool.filter[0]?.range['@timestamp'];
    expect(range).toMatchObject({ gte: iso(start), lt: iso(NOW) });
  });

  it('groups by query_key with samples, and the metric as a sub-aggregation', () => {
    const body = buildQuery(
      rule({
        type: 'metric',
        metric_agg_type: 'cardinality',
        metric_agg_key: 'user.id',
        min_threshold: 2,
        query_key: 'service.name',
        timeframe: '5m',
        sample_size: 1,
      }),
      NOW,
    ).body;
    expect(body.aggs).toEqual({
      keys: {
        terms: { field: 'service.name', size: 100, min_doc_count: 1 },
        aggs: {
          metric: { cardinality: { field: 'user.id' } },
          samples: { top_hits: { size: 1, sort: [{ '@timestamp': { order: 'desc' } }] } },
        },
      },
    });
  });
});

describe('evaluateRule', () => {
  const doc = { '@timestamp': iso(NOW - MIN), message: 'boom', 'service.name': 'api' };
  const window = { from: NOW - 5 * MIN, to: NOW };

  it.each([
    [
      'frequency: at the threshold fires',
      { type: 'frequency', num_events: 3, timeframe: '5m' },
      hits(3, [doc]),
      [{ key: '*', value: 3 }],
    ],
    [
      'frequency: below stays silent',
      { type: 'frequency', num_events: 3, timeframe: '5m' },
      hits(2, [doc]),
      [],
    ],
    [
      'frequency: total as a bare number (older servers)',
      { type: 'frequency', num_events: 3, timeframe: '5m' },
      { hits: { total: 4, hits: [] } },
      [{ key: '*', value: 4 }],
    ],
    [
      'frequency grouped: only keys at the threshold',
      { type: 'frequency', num_events: 3, timeframe: '5m', query_key: 'service.name' },
      buckets([
        { key: 'api', doc_count: 5 },
        { key: 'web', doc_count: 2 },
      ]),
      [{ key: 'api', value: 5 }],
    ],
    ['any: one event fires', { type: 'any', timeframe: '5m' }, hits(1, [doc]), [{ key: '*', value: 1 }]],
    ['any: none stays silent', { type: 'any', timeframe: '5m' }, hits(0), []],
    [
      'flatline: below fires',
      { type: 'flatline', threshold: 2, timeframe: '5m' },
      hits(1),
      [{ key: '*', value: 1 }],
    ],
    [
      'flatline: zero fires',
      { type: 'flatline', threshold: 1, timeframe: '5m' },
      hits(0),
      [{ key: '*', value: 0 }],
    ],
    ['flatline: at threshold silent', { type: 'flatline', threshold: 2, timeframe: '5m' }, hits(2), []],
    [
      'flatline grouped: keys seen in the look-back but quiet now',
      { type: 'flatline', threshold: 1, timeframe: '5m', query_key: 'service.name' },
      buckets([
        { key: 'api', doc_count: 10, current: { doc_count: 4 }, last_seen: { value: NOW - MIN } },
        { key: 'billing', doc_count: 7, current: { doc_count: 0 }, last_seen: { value: NOW - 30 * MIN } },
      ]),
      [{ key: 'billing', value: 0, samples: [{ last_seen: iso(NOW - 30 * MIN) }] }],
    ],
    [
      'spike up: x3',
      { type: 'spike', spike_height: 3, spike_type: 'up', timeframe: '5m' },
      { aggregations: { current: { doc_count: 30 }, reference: { doc_count: 10 } } },
      [{ key: '*' }],
    ],
    [
      'spike up: x2.9 silent',
      { type: 'spike', spike_height: 3, spike_type: 'up', timeframe: '5m' },
      { aggregations: { current: { doc_count: 29 }, reference: { doc_count: 10 } } },
      [],
    ],
    [
      'spike up: a drop is not an up spike',
      { type: 'spike', spike_height: 3, spike_type: 'up', timeframe: '5m' },
      { aggregations: { current: { doc_count: 1 }, reference: { doc_count: 10 } } },
      [],
    ],
    [
      'spike down: a third',
      { type: 'spike', spike_height: 3, spike_type: 'down', timeframe: '5m' },
      { aggregations: { current: { doc_count: 3 }, reference: { doc_count: 10 } } },
      [{ key: '*' }],
    ],
    [
      'spike down: to zero',
      { type: 'spike', spike_height: 3, spike_type: 'down', timeframe: '5m' },
      { aggregations: { current: { doc_count: 0 }, reference: { doc_count: 10 } } },
      [{ key: '*' }],
    ],
    [
      'spike: no reference, no ratio',
      { type: 'spike', spike_height: 3, timeframe: '5m' },
      { aggregations: { current: { doc_count: 50 }, reference: { doc_count: 0 } } },
      [],
    ],
    [
      'spike: below threshold_cur',
      { type: 'spike', spike_height: 3, threshold_cur: 100, timeframe: '5m' },
      { aggregations: { current: { doc_count: 50 }, reference: { doc_count: 1 } } },
      [],
    ],
    [
      'new_term: first seen inside the window only',
      { type: 'new_term', field: 'error.type', lookback: '7d', timeframe: '5m' },
      buckets([
        {
          key: 'TimeoutError',
          doc_count: 2,
          first_seen: { value: NOW - 2 * MIN, value_as_string: iso(NOW - 2 * MIN) },
        },
        { key: 'IOError', doc_count: 90, first_seen: { value: NOW - 3 * 1440 * MIN } },
      ]),
      [{ key: 'TimeoutError', value: iso(NOW - 2 * MIN) }],
    ],
    [
      'metric max: over',
      { type: 'metric', metric_agg_type: 'max', metric_agg_key: 'd', max_threshold: 10, timeframe: '5m' },
      { ...hits(3), aggregations: { metric: { value: 11 } } },
      [{ key: '*', value: 11 }],
    ],
    [
      'metric max: at is not over',
      { type: 'metric', metric_agg_type: 'max', metric_agg_key: 'd', max_threshold: 10, timeframe: '5m' },
      { ...hits(3), aggregations: { metric: { value: 10 } } },
      [],
    ],
    [
      'metric min: under',
      { type: 'metric', metric_agg_type: 'avg', metric_agg_key: 'd', min_threshold: 10, timeframe: '5m' },
      { ...hits(3), aggregations: { metric: { value: 9.5 } } },
      [{ key: '*', value: 9.5 }],
    ],
    [
      'metric: no documents (null) is silent',
      { type: 'metric', metric_agg_type: 'avg', metric_agg_key: 'd', min_threshold: 10, timeframe: '5m' },
      { ...hits(0), aggregations: { metric: { value: null } } },
      [],
    ],
    [
      'metric grouped cardinality',
      {
        type: 'metric',
        metric_agg_type: 'cardinality',
        metric_agg_key: 'user.id',
        max_threshold: 2,
        query_key: 'service.name',
        timeframe: '5m',
      },
      buckets([
        { key: 'api', doc_count: 9, metric: { value: 3 } },
        { key: 'web', doc_count: 9, metric: { value: 2 } },
      ]),
      [{ key: 'api', value: 3 }],
    ],
  ])('%s', (_, spec, response, expected) => {
    const { matches } = evaluateRule(rule(spec), response, NOW);
    expect(matches).toHaveLength(expected.length);
    expected.forEach((partial, i) => {
      expect(matches[i]).toMatchObject(partial);
      expect(matches[i]?.window).toEqual(window);
    });
  });

  it('keeps samples from hits or top_hits, capped at sample_size', () => {
    const r = rule({
      type: 'frequency',
      num_events: 1,
      timeframe: '5m',
      query_key: 'service.name',
      sample_size: 1,
    });
    const response = buckets([
      { key: 'api', doc_count: 2, samples: hits(2, [doc, { ...doc, message: 'two' }]) },
    ]);
    expect(evaluateRule(r, response, NOW).matches[0]?.samples).toEqual([doc]);
  });

  it('a malformed response yields no matches rather than a throw', () => {
    const r = rule({ type: 'frequency', num_events: 1, timeframe: '5m', query_key: 'k' });
    expect(evaluateRule(r, { aggregations: { keys: { buckets: 'nope' } } }, NOW).matches).toEqual([]);
    expect(evaluateRule(r, null, NOW).matches).toEqual([]);
  });
});
