import { describe, expect, it } from 'vitest';
import { SearchError, search } from '../../../../infra/local/opensearch/search/index.ts';
import type { SearchParams } from '../../../../infra/local/opensearch/search/types.ts';
import { LOG_CTX, LOGS } from './fixtures.ts';
import { context, docs } from './harness.ts';

const run = (body: unknown, params: SearchParams = {}) => search(LOGS, body, params, LOG_CTX);
const eventIds = (body: unknown, params: SearchParams = {}): string[] =>
  run(body, params).hits.hits.map((h) => (h._source as { event_id: string }).event_id);

describe('sort', () => {
  it.each<[string, unknown, SearchParams, string[]]>([
    ['keyword asc (string form)', { sort: 'event_id' }, {}, ['E1', 'E2', 'E3', 'E4', 'E5', 'E6']],
    ['keyword desc (object form)', { sort: { event_id: 'desc' } }, {}, ['E6', 'E5', 'E4', 'E3', 'E2', 'E1']],
    [
      'array, order object',
      { sort: [{ event_id: { order: 'desc' } }] },
      {},
      ['E6', 'E5', 'E4', 'E3', 'E2', 'E1'],
    ],
    [
      'date desc, ties by index order',
      { sort: [{ '@timestamp': 'desc' }] },
      {},
      ['E6', 'E5', 'E4', 'E1', 'E2', 'E3'],
    ],
    [
      'two keys',
      { sort: [{ level: 'asc' }, { event_id: 'desc' }] },
      {},
      ['E6', 'E5', 'E4', 'E3', 'E2', 'E1'],
    ],
    ['missing last (default)', { sort: [{ child: 'asc' }] }, {}, ['E5', 'E1', 'E2', 'E3', 'E4', 'E6']],
    ['missing last when desc', { sort: [{ child: 'desc' }] }, {}, ['E1', 'E5', 'E2', 'E3', 'E4', 'E6']],
    [
      'missing first',
      { sort: [{ child: { order: 'asc', missing: '_first' } }] },
      {},
      ['E2', 'E3', 'E4', 'E6', 'E5', 'E1'],
    ],
    [
      'missing value',
      { sort: [{ child: { order: 'asc', missing: 2000 } }] },
      {},
      ['E5', 'E2', 'E3', 'E4', 'E6', 'E1'],
    ],
    ['URL form', {}, { sort: 'level:asc,event_id:desc' }, ['E6', 'E5', 'E4', 'E3', 'E2', 'E1']],
    ['_doc', { sort: ['_doc'] }, {}, ['E2', 'E3', 'E1', 'E4', 'E5', 'E6']],
    ['_id desc', { sort: [{ _id: 'desc' }] }, {}, ['E6', 'E5', 'E4', 'E1', 'E3', 'E2']],
    [
      'multi-valued min for asc',
      { sort: [{ tags: 'asc' }, '_doc'] },
      {},
      ['E3', 'E4', 'E2', 'E1', 'E5', 'E6'],
    ],
  ])('%s', (_name, body, params, expected) => {
    expect(eventIds(body, params)).toEqual(expected);
  });

  it('returns sort values (dates as epoch millis) and null scores', () => {
    const result = run({ sort: [{ '@timestamp': 'desc' }, { event_id: 'asc' }], size: 2 });
    expect(result.hits.max_score).toBeNull();
    expect(result.hits.hits).toEqual([
      expect.objectContaining({ _score: null, sort: [1133718192000, 'E6'] }),
      expect.objectContaining({ _score: null, sort: [Date.UTC(2005, 11, 4, 17, 43, 8), 'E5'] }),
    ]);
  });

  it('keeps scores with track_scores or a _score key', () => {
    const tracked = run({ query: { match: { message: 'child' } }, sort: ['event_id'], track_scores: true });
    expect(tracked.hits.hits.every((h) => typeof h._score === 'number' && h._score > 0)).toBe(true);
    const byScore = run({ query: { match_all: {} }, sort: ['_score', { event_id: 'desc' }] });
    expect(byScore.hits.hits[0]).toMatchObject({ _score: 1, sort: [1, 'E6'] });
  });

  it('rejects sorting on text and on unmapped fields, unless unmapped_type', () => {
    expect(() => run({ sort: ['message'] })).toThrow(/Text fields are not optimised/);
    expect(() => run({ sort: ['nope'] })).toThrow(/No mapping found for \[nope\]/);
    expect(eventIds({ sort: [{ nope: { unmapped_type: 'long' } }, 'event_id'] })).toHaveLength(6);
    expect(() => run({ sort: [{ event_id: 'up' }] })).toThrow(SearchError);
  });

  it('search_after continues after the last sort values', () => {
    const first = run({ sort: [{ '@timestamp': 'asc' }, { event_id: 'asc' }], size: 2 });
    const last = first.hits.hits.at(-1)?.sort;
    const next = eventIds({
      sort: [{ '@timestamp': 'asc' }, { event_id: 'asc' }],
      size: 2,
      search_after: last,
    });
    expect(next).toEqual(['E1', 'E4']);
  });
});

describe('paging and totals', () => {
  it.each<[unknown, SearchParams, string[]]>([
    [{ size: 2 }, {}, ['E2', 'E3']],
    [{ from: 2, size: 2 }, {}, ['E1', 'E4']],
    [{ from: 5 }, {}, ['E6']],
    [{ from: 10 }, {}, []],
    [{ size: 0 }, {}, []],
    [{ size: 1 }, { from: 1 }, ['E3']],
  ])('%j %j', (body, params, expected) => {
    expect(eventIds(body, params)).toEqual(expected);
  });

  it('defaults to 10 hits with an exact total', () => {
    const many = docs(
      'big',
      Array.from({ length: 25 }, (_, i) => ({ n: i })),
    );
    const result = search(many, {}, {}, context({ big: { n: 'long' } }));
    expect(result.hits.hits).toHaveLength(10);
    expect(result.hits.total).toEqual({ value: 25, relation: 'eq' });
  });

  it('tracks totals up to the limit, then gte; false leaves total out', () => {
    const many = docs(
      'big',
      Array.from({ length: 25 }, (_, i) => ({ n: i })),
    );
    const ctx = context({ big: { n: 'long' } });
    expect(search(many, { track_total_hits: 20 }, {}, ctx).hits.total).toEqual({
      value: 20,
      relation: 'gte',
    });
    expect(search(many, {}, { track_total_hits: true }, ctx).hits.total).toEqual({
      value: 25,
      relation: 'eq',
    });
    expect(search(many, { track_total_hits: false }, {}, ctx).hits.total).toBeUndefined();
  });

  it('size 0 gives max_score null', () => {
    expect(run({ size: 0 }).hits).toEqual({ total: { value: 6, relation: 'eq' }, max_score: null, hits: [] });
  });

  it('terminate_after stops collecting', () => {
    const result = run({ terminate_after: 2 });
    expect(result.terminated_early).toBe(true);
    expect(result.hits.total).toEqual({ value: 2, relation: 'eq' });
  });

  it('post_filter narrows hits but not aggregations; min_score drops low scores', () => {
    const result = run({
      post_filter: { term: { level: 'notice' } },
      aggs: { levels: { terms: { field: 'level' } } },
    });
    expect(result.hits.total?.value).toBe(2);
    expect((result.aggregations!.levels as { buckets: unknown[] }).buckets).toHaveLength(2);
    expect(run({ query: { bool: { filter: { match_all: {} } } }, min_score: 0.5 }).hits.hits).toEqual([]);
  });

  it('adds _version, _seq_no and _primary_term on request', () => {
    const [hit] = run({ size: 1, version: true, seq_no_primary_term: true }).hits.hits;
    expect(hit).toMatchObject({ _index: 'logs', _id: '1', _version: 1, _seq_no: 0, _primary_term: 1 });
  });

  it.each<[unknown, SearchParams, string, string | undefined]>([
    [{ from: 9990, size: 11 }, {}, 'illegal_argument_exception', 'search_phase_execution_exception'],
    [{}, { from: 10_000, size: 1 }, 'illegal_argument_exception', 'search_phase_execution_exception'],
    [{ from: -1 }, {}, 'illegal_argument_exception', undefined],
    [{ size: -1 }, {}, 'illegal_argument_exception', undefined],
    [{ bogus: 1 }, {}, 'parsing_exception', undefined],
    ['not json object', {}, 'x_content_parse_exception', undefined],
    [[1, 2], {}, 'x_content_parse_exception', undefined],
  ])('rejects %j %j', (body, params, type, wrapper) => {
    try {
      run(body, params);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SearchError);
      expect((e as SearchError).status).toBe(400);
      expect((e as SearchError).type).toBe(type);
      expect((e as SearchError).wrapperType).toBe(wrapper);
    }
  });

  it('allows exactly the result window', () => {
    expect(run({ from: 9990, size: 10 }).hits.hits).toEqual([]);
  });
});

describe('_source filtering', () => {
  const first = (body: unknown, params: SearchParams = {}) =>
    run({ size: 1, ...(body as object) }, params).hits.hits[0];

  it.each<[unknown, SearchParams, unknown]>([
    [{ _source: false }, {}, undefined],
    [{}, { _source: 'false' }, undefined],
    [{ _source: 'level' }, {}, { level: 'notice' }],
    [{ _source: ['level', 'service.name'] }, {}, { level: 'notice', service: { name: 'httpd' } }],
    [{ _source: 'serv*' }, {}, { service: { name: 'httpd' } }],
    // An included object stays, even when excludes empty it (as XContentMapValues.filter does).
    [{ _source: { includes: ['service'], excludes: ['*.name'] } }, {}, { service: {} }],
    [
      { _source: { excludes: ['message', 'tags', 'latency_ms', 'retried', 'service'] } },
      {},
      { '@timestamp': '2005-12-04T04:47:44.000Z', level: 'notice', event_id: 'E2' },
    ],
    [{}, { _source_includes: 'event_id,level' }, { level: 'notice', event_id: 'E2' }],
    [
      {},
      { _source_excludes: 'message,@timestamp,tags,latency_ms,retried,service.*' },
      { level: 'notice', event_id: 'E2', service: {} },
    ],
  ])('%j %j', (body, params, expected) => {
    const hit = first(body, params);
    if (expected === undefined) expect(hit).not.toHaveProperty('_source');
    else expect(hit?._source).toEqual(expected);
  });

  it('filters literal dotted keys and arrays of objects', () => {
    const d = docs('x', [{ 'a.b': 1, a: { c: 2 }, list: [{ k: 1, v: 2 }, { k: 3 }] }]);
    const ctx = context({});
    expect(search(d, { _source: ['a.b', 'list.k'] }, {}, ctx).hits.hits[0]?._source).toEqual({
      'a.b': 1,
      list: [{ k: 1 }, { k: 3 }],
    });
  });

  it('does not modify the stored document', () => {
    const before = JSON.stringify(LOGS);
    run({ _source: { excludes: ['service.name'] } });
    expect(JSON.stringify(LOGS)).toBe(before);
  });
});
