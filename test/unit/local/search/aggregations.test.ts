import { describe, expect, it } from 'vitest';
import { SearchError, search } from '../../../../infra/local/opensearch/search/index.ts';
import { LOG_CTX, LOGS } from './fixtures.ts';
import { context, docs } from './harness.ts';

const aggs = (spec: unknown, query?: unknown): Record<string, unknown> =>
  search(LOGS, { size: 0, query, aggs: spec }, {}, LOG_CTX).aggregations ?? {};

describe('metric aggregations', () => {
  it.each<[string, unknown, unknown]>([
    ['avg', { avg: { field: 'latency_ms' } }, { value: (1.5 + 12.25 + 3 + 40) / 4 }],
    ['sum', { sum: { field: 'latency_ms' } }, { value: 56.75 }],
    ['min', { min: { field: 'latency_ms' } }, { value: 1.5 }],
    ['max', { max: { field: 'child' } }, { value: 6725 }],
    [
      'max of a date',
      { max: { field: '@timestamp' } },
      { value: 1133718192000, value_as_string: '2005-12-04T17:43:12.000Z' },
    ],
    ['min with missing', { min: { field: 'child', missing: 7 } }, { value: 7 }],
    ['value_count (values, not docs)', { value_count: { field: 'tags' } }, { value: 4 }],
    ['cardinality', { cardinality: { field: 'service.name' } }, { value: 2 }],
    ['stats', { stats: { field: 'slot' } }, { count: 1, min: 10, max: 10, avg: 10, sum: 10 }],
    ['script doc value', { max: { script: { source: "doc['slot'].value" } } }, { value: 10 }],
    [
      'percentiles',
      { percentiles: { field: 'latency_ms', percents: [0, 50, 100] } },
      { values: { '0.0': 1.5, '50.0': 7.625, '100.0': 40 } },
    ],
  ])('%s', (_name, spec, expected) => {
    expect(aggs({ a: spec }).a).toEqual(expected);
  });

  it('gives null (sum 0) when no document has the field', () => {
    const none = aggs(
      {
        avg: { avg: { field: 'latency_ms' } },
        min: { min: { field: 'latency_ms' } },
        max: { max: { field: 'latency_ms' } },
        sum: { sum: { field: 'latency_ms' } },
        count: { value_count: { field: 'latency_ms' } },
        stats: { stats: { field: 'latency_ms' } },
      },
      { match_none: {} },
    );
    expect(none).toEqual({
      avg: { value: null },
      min: { value: null },
      max: { value: null },
      sum: { value: 0 },
      count: { value: 0 },
      stats: { count: 0, min: null, max: null, avg: null, sum: 0 },
    });
  });

  it('extended_stats', () => {
    const result = aggs({ e: { extended_stats: { field: 'child' } } }).e as Record<string, unknown>;
    expect(result).toMatchObject({
      count: 2,
      min: 1566,
      max: 6725,
      avg: 4145.5,
      sum: 8291,
      variance: 2579.5 ** 2,
    });
    expect(result.std_deviation).toBeCloseTo(2579.5);
  });

  it('stores float fields in single precision', () => {
    const d = docs('m', [{ v: 200.3 }, { v: 100.5 }]);
    const r = search(
      d,
      { size: 0, aggs: { max: { max: { field: 'v' } }, sum: { sum: { field: 'v' } } } },
      {},
      context({ m: { v: 'float' } }),
    );
    expect(r.aggregations).toEqual({ max: { value: 200.3000030517578 }, sum: { value: 300.8000030517578 } });
  });

  it('rejects metrics on keyword and terms on text', () => {
    expect(() => aggs({ a: { avg: { field: 'level' } } })).toThrow(/not supported for aggregation \[avg\]/);
    expect(() => aggs({ a: { terms: { field: 'message' } } })).toThrow(/fielddata=true/);
  });
});

describe('terms', () => {
  it('counts documents per value, by count desc then key asc', () => {
    expect(aggs({ levels: { terms: { field: 'level' } } }).levels).toEqual({
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: 0,
      buckets: [
        { key: 'error', doc_count: 4 },
        { key: 'notice', doc_count: 2 },
      ],
    });
  });

  it.each<[string, Record<string, unknown>, unknown[], number]>([
    [
      'size',
      { field: 'event_id', size: 2 },
      [
        { key: 'E1', doc_count: 1 },
        { key: 'E2', doc_count: 1 },
      ],
      4,
    ],
    [
      'order _key desc',
      { field: 'level', order: { _key: 'desc' } },
      [
        { key: 'notice', doc_count: 2 },
        { key: 'error', doc_count: 4 },
      ],
      0,
    ],
    [
      'order _count asc',
      { field: 'level', order: [{ _count: 'asc' }] },
      [
        { key: 'notice', doc_count: 2 },
        { key: 'error', doc_count: 4 },
      ],
      0,
    ],
    ['min_doc_count', { field: 'level', min_doc_count: 3 }, [{ key: 'error', doc_count: 4 }], 0],
    ['missing', { field: 'child', missing: 0, size: 1 }, [{ key: 0, doc_count: 4 }], 2],
    [
      'numeric keys',
      { field: 'child', order: { _key: 'asc' } },
      [
        { key: 1566, doc_count: 1 },
        { key: 6725, doc_count: 1 },
      ],
      0,
    ],
    [
      'boolean keys',
      { field: 'retried' },
      [
        { key: 1, key_as_string: 'true', doc_count: 2 },
        { key: 0, key_as_string: 'false', doc_count: 1 },
      ],
      0,
    ],
    [
      'array values count once per doc',
      { field: 'tags' },
      [
        { key: 'mod_jk', doc_count: 1 },
        { key: 'security', doc_count: 1 },
        { key: 'startup', doc_count: 1 },
        { key: 'state', doc_count: 1 },
      ],
      0,
    ],
    [
      'include regex',
      { field: 'event_id', include: 'E[12]' },
      [
        { key: 'E1', doc_count: 1 },
        { key: 'E2', doc_count: 1 },
      ],
      0,
    ],
    ['exclude list', { field: 'level', exclude: ['error'] }, [{ key: 'notice', doc_count: 2 }], 0],
    [
      'multi-field keyword',
      { field: 'message.keyword', size: 1 },
      [{ key: '[client 222.166.160.184] Directory index forbidden by rule: /var/www/html/', doc_count: 1 }],
      5,
    ],
  ])('%s', (_name, spec, buckets, other) => {
    expect(aggs({ t: { terms: spec } }).t).toEqual({
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: other,
      buckets,
    });
  });

  it('orders by a sub-aggregation and nests', () => {
    const result = aggs({
      services: {
        terms: { field: 'service.name', order: { slowest: 'desc' } },
        aggs: { slowest: { max: { field: 'latency_ms' } }, levels: { terms: { field: 'level' } } },
      },
    });
    expect(result.services).toEqual({
      doc_count_error_upper_bound: 0,
      sum_other_doc_count: 0,
      buckets: [
        {
          key: 'httpd',
          doc_count: 4,
          slowest: { value: 40 },
          levels: {
            doc_count_error_upper_bound: 0,
            sum_other_doc_count: 0,
            buckets: [
              { key: 'error', doc_count: 3 },
              { key: 'notice', doc_count: 1 },
            ],
          },
        },
        {
          key: 'jk2',
          doc_count: 2,
          slowest: { value: 3 },
          levels: {
            doc_count_error_upper_bound: 0,
            sum_other_doc_count: 0,
            buckets: [
              { key: 'error', doc_count: 1 },
              { key: 'notice', doc_count: 1 },
            ],
          },
        },
      ],
    });
  });

  it('min_doc_count 0 shows values of non-matching documents', () => {
    const result = aggs(
      { l: { terms: { field: 'level', min_doc_count: 0 } } },
      { term: { level: 'notice' } },
    );
    expect((result.l as { buckets: unknown[] }).buckets).toEqual([
      { key: 'notice', doc_count: 2 },
      { key: 'error', doc_count: 0 },
    ]);
  });
});

describe('histograms', () => {
  it('date_histogram with calendar_interval fills gaps', () => {
    expect(aggs({ h: { date_histogram: { field: '@timestamp', calendar_interval: 'hour' } } }).h).toEqual({
      buckets: Array.from({ length: 14 }, (_, i) => {
        const key = Date.UTC(2005, 11, 4, 4 + i);
        const count = i === 0 ? 3 : i === 1 || i === 13 ? 1 : 0;
        return { key_as_string: new Date(key).toISOString(), key, doc_count: i === 13 ? 2 : count };
      }),
    });
  });

  it.each<[string, Record<string, unknown>, unknown[]]>([
    [
      'fixed_interval with format and min_doc_count',
      { fixed_interval: '6h', format: 'yyyy-MM-dd HH:mm', min_doc_count: 1 },
      [
        { key_as_string: '2005-12-04 00:00', key: Date.UTC(2005, 11, 4, 0), doc_count: 4 },
        { key_as_string: '2005-12-04 12:00', key: Date.UTC(2005, 11, 4, 12), doc_count: 2 },
      ],
    ],
    [
      'calendar day with time_zone',
      { calendar_interval: '1d', time_zone: '-05:00' },
      [
        // Local midnight is 05:00Z: the three events before 05:00Z fall on the 3rd.
        { key_as_string: '2005-12-03T00:00:00.000-05:00', key: Date.UTC(2005, 11, 3, 5), doc_count: 3 },
        { key_as_string: '2005-12-04T00:00:00.000-05:00', key: Date.UTC(2005, 11, 4, 5), doc_count: 3 },
      ],
    ],
    [
      'extended_bounds',
      { calendar_interval: 'day', extended_bounds: { min: '2005-12-03', max: '2005-12-05' } },
      [
        { key_as_string: '2005-12-03T00:00:00.000Z', key: Date.UTC(2005, 11, 3), doc_count: 0 },
        { key_as_string: '2005-12-04T00:00:00.000Z', key: Date.UTC(2005, 11, 4), doc_count: 6 },
        { key_as_string: '2005-12-05T00:00:00.000Z', key: Date.UTC(2005, 11, 5), doc_count: 0 },
      ],
    ],
    [
      'month',
      { calendar_interval: 'month' },
      [{ key_as_string: '2005-12-01T00:00:00.000Z', key: Date.UTC(2005, 11, 1), doc_count: 6 }],
    ],
  ])('date_histogram %s', (_name, spec, buckets) => {
    expect(aggs({ h: { date_histogram: { field: '@timestamp', ...spec } } }).h).toEqual({ buckets });
  });

  it('refuses more than search.max_buckets buckets', () => {
    expect(() => aggs({ h: { date_histogram: { field: '@timestamp', fixed_interval: '100ms' } } })).toThrow(
      /too many buckets/,
    );
  });

  it('rejects a bad calendar interval', () => {
    expect(() => aggs({ h: { date_histogram: { field: '@timestamp', calendar_interval: '2d' } } })).toThrow(
      SearchError,
    );
  });

  it('histogram with sub-aggregation', () => {
    expect(
      aggs({
        h: {
          histogram: { field: 'latency_ms', interval: 20 },
          aggs: { c: { value_count: { field: 'event_id' } } },
        },
      }).h,
    ).toEqual({
      buckets: [
        { key: 0, doc_count: 3, c: { value: 3 } },
        { key: 20, doc_count: 0, c: { value: 0 } },
        { key: 40, doc_count: 1, c: { value: 1 } },
      ],
    });
  });
});

describe('other bucket aggregations', () => {
  it('range and date_range', () => {
    const result = aggs({
      r: {
        range: { field: 'latency_ms', ranges: [{ to: 10 }, { from: 10, to: 40 }, { from: 40, key: 'slow' }] },
      },
      d: { date_range: { field: '@timestamp', ranges: [{ from: 'now-1h' }] } },
    });
    expect(result.r).toEqual({
      buckets: [
        { key: '*-10.0', to: 10, doc_count: 2 },
        { key: '10.0-40.0', from: 10, to: 40, doc_count: 1 },
        { key: 'slow', from: 40, doc_count: 1 },
      ],
    });
    const from = Date.UTC(2005, 11, 4, 17);
    expect(result.d).toEqual({
      buckets: [
        { key: '2005-12-04T17:00:00.000Z-*', from, from_as_string: '2005-12-04T17:00:00.000Z', doc_count: 2 },
      ],
    });
  });

  it('filter, filters, missing, global with meta', () => {
    const result = aggs(
      {
        errors: {
          filter: { term: { level: 'error' } },
          aggs: { n: { cardinality: { field: 'service.name' } } },
        },
        by: {
          filters: {
            filters: {
              httpd: { term: { 'service.name': 'httpd' } },
              slow: { range: { latency_ms: { gte: 10 } } },
            },
            other_bucket: true,
          },
        },
        list: { filters: { filters: [{ term: { level: 'notice' } }] } },
        no_child: { missing: { field: 'child' } },
        everything: { global: {}, meta: { why: 'test' } },
      },
      { term: { level: 'error' } },
    );
    expect(result).toEqual({
      errors: { doc_count: 4, n: { value: 2 } },
      by: { buckets: { httpd: { doc_count: 3 }, slow: { doc_count: 2 }, _other_: { doc_count: 1 } } },
      list: { buckets: [{ doc_count: 0 }] },
      no_child: { doc_count: 3 },
      everything: { meta: { why: 'test' }, doc_count: 6 },
    });
  });

  it('top_hits', () => {
    const result = aggs({
      latest: { top_hits: { size: 1, sort: [{ '@timestamp': 'desc' }], _source: ['event_id'] } },
    });
    expect(result.latest).toEqual({
      hits: {
        total: { value: 6, relation: 'eq' },
        max_score: null,
        hits: [
          { _index: 'logs', _id: '6', _score: null, _source: { event_id: 'E6' }, sort: [1133718192000] },
        ],
      },
    });
  });

  it.each<[unknown, string]>([
    [{ a: { foo: {} } }, 'Unknown aggregation type [foo]'],
    [{ a: {} }, 'Missing definition for aggregation [a]'],
    [{ a: { avg: { field: 'x' }, max: { field: 'x' } } }, 'Found two aggregation type definitions'],
    [{ a: 'avg' }, 'Expected [START_OBJECT]'],
    [{ a: { terms: { field: 'level', include: '(' } } }, 'invalid regular expression'],
  ])('rejects %j', (spec, message) => {
    expect(() => aggs(spec)).toThrow(message);
  });
});
