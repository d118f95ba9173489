import { describe, expect, it } from 'vitest';
import { count, SearchError, search } from '../../../../infra/local/opensearch/search/index.ts';
import { LOG_CTX, LOGS } from './fixtures.ts';

/** Event ids (E1…E6) of the documents a query matches, in the engine's order. */
function ids(query: unknown): string[] {
  const result = search(LOGS, { query, size: 100 }, {}, LOG_CTX);
  return result.hits.hits.map((h) => (h._source as { event_id: string }).event_id);
}

const sorted = (query: unknown): string[] => ids(query).sort();

describe('queries', () => {
  it.each<[string, unknown, string[]]>([
    ['match_all', { match_all: {} }, ['E1', 'E2', 'E3', 'E4', 'E5', 'E6']],
    ['match_none', { match_none: {} }, []],
    ['term on keyword', { term: { level: 'notice' } }, ['E1', 'E2']],
    ['term on keyword is exact (case)', { term: { level: 'NOTICE' } }, []],
    ['term case_insensitive', { term: { level: { value: 'NOTICE', case_insensitive: true } } }, ['E1', 'E2']],
    ['term on a literal dotted key and a nested object', { term: { 'service.name': 'jk2' } }, ['E1', 'E5']],
    ['term on text matches a token', { term: { message: 'scoreboard' } }, ['E1', 'E5']],
    ['term on text is not analysed', { term: { message: 'Scoreboard' } }, []],
    ['term on long', { term: { child: 6725 } }, ['E1']],
    ['term on long from a string', { term: { child: '1566' } }, ['E5']],
    ['term on boolean', { term: { retried: true } }, ['E3', 'E6']],
    ['term on an array of keywords', { term: { tags: 'state' } }, ['E3']],
    ['term on date', { term: { '@timestamp': '2005-12-04T17:43:12Z' } }, ['E6']],
    ['terms', { terms: { event_id: ['E1', 'E4', 'E9'] } }, ['E1', 'E4']],
    // `workerEnv.init()` is one token (`workerenv.init`): UAX#29 does not split letters around a dot.
    ['match on text, or', { match: { message: 'Scoreboard WORKERENV' } }, ['E1', 'E3', 'E5']],
    [
      'match on text, and',
      { match: { message: { query: 'child scoreboard', operator: 'and' } } },
      ['E1', 'E5'],
    ],
    [
      'match minimum_should_match',
      { match: { message: { query: 'child scoreboard slot', minimum_should_match: '3' } } },
      ['E1'],
    ],
    ['match on keyword is exact', { match: { 'message.keyword': 'mod_jk child init 1 -2' } }, ['E6']],
    ['match on keyword does not split', { match: { 'message.keyword': 'mod_jk' } }, []],
    ['match tokens keep dots inside words', { match: { message: 'workerenv.init' } }, ['E2']],
    ['match_phrase', { match_phrase: { message: 'in error state' } }, ['E3']],
    ['match_phrase needs consecutive tokens', { match_phrase: { message: 'child state' } }, []],
    ['match_phrase with slop', { match_phrase: { message: { query: 'child state', slop: 4 } } }, ['E3']],
    ['match_phrase_prefix', { match_phrase_prefix: { message: 'found chi' } }, ['E1']],
    ['multi_match', { multi_match: { query: 'jk2', fields: ['service.name', 'message'] } }, ['E1', 'E5']],
    ['multi_match wildcard fields', { multi_match: { query: 'security', fields: ['ta*'] } }, ['E4']],
    ['range on long', { range: { child: { gte: 1566, lt: 6725 } } }, ['E5']],
    ['range on double', { range: { latency_ms: { gt: 3, lte: 40 } } }, ['E3', 'E4']],
    ['range on keyword', { range: { event_id: { gte: 'E2', lte: 'E3' } } }, ['E2', 'E3']],
    ['range on date', { range: { '@timestamp': { gte: '2005-12-04T05:00:00Z' } } }, ['E4', 'E5', 'E6']],
    ['range on date with date math', { range: { '@timestamp': { gte: 'now-1h' } } }, ['E5', 'E6']],
    ['range on date rounded to the day', { range: { '@timestamp': { lt: 'now/d' } } }, []],
    [
      'range on date, lte rounds up',
      { range: { '@timestamp': { lte: '2005-12-04T04||/h' } } },
      ['E1', 'E2', 'E3'],
    ],
    [
      'range on date with format',
      { range: { '@timestamp': { gte: '04/12/2005 17:00', format: 'dd/MM/yyyy HH:mm' } } },
      ['E5', 'E6'],
    ],
    [
      'range on date with time_zone',
      { range: { '@timestamp': { gte: '2005-12-04T18:43:00', time_zone: '+01:00' } } },
      ['E5', 'E6'],
    ],
    ['range from/to include_upper false', { range: { slot: { from: 1, to: 10, include_upper: false } } }, []],
    ['exists', { exists: { field: 'child' } }, ['E1', 'E5']],
    ['exists on an object', { exists: { field: 'client' } }, ['E4']],
    ['exists ignores empty arrays', { exists: { field: 'tags' } }, ['E2', 'E3', 'E4']],
    ['ids', { ids: { values: ['2', '5', 'nope'] } }, ['E3', 'E5']],
    ['prefix on keyword', { prefix: { 'message.keyword': 'jk2_init()' } }, ['E1', 'E5']],
    ['prefix on text tokens', { prefix: { message: 'scoreb' } }, ['E1', 'E5']],
    ['wildcard', { wildcard: { event_id: 'E?' } }, ['E1', 'E2', 'E3', 'E4', 'E5', 'E6']],
    ['wildcard with star', { wildcard: { 'message.keyword': '*scoreboard*' } }, ['E1', 'E5']],
    ['wildcard object form', { wildcard: { level: { value: 'err*' } } }, ['E3', 'E4', 'E5', 'E6']],
    ['regexp', { regexp: { event_id: 'E[1-3]' } }, ['E1', 'E2', 'E3']],
    ['fuzzy', { fuzzy: { message: { value: 'scorebord' } } }, ['E1', 'E5']],
    ['match with fuzziness', { match: { message: { query: 'scorebord', fuzziness: 'AUTO' } } }, ['E1', 'E5']],
    ['match without fuzziness', { match: { message: { query: 'scorebord' } } }, []],
    ['ip term', { term: { 'client.ip': '222.166.160.184' } }, ['E4']],
    ['term on _id', { terms: { _id: ['1', '3'] } }, ['E1', 'E2']],
    ['term on _index', { term: { _index: 'logs' } }, ['E1', 'E2', 'E3', 'E4', 'E5', 'E6']],
    ['term on another _index', { term: { _index: 'other' } }, []],
    [
      'bool must + filter',
      { bool: { must: [{ match: { message: 'child' } }], filter: { term: { level: 'error' } } } },
      ['E3', 'E5', 'E6'],
    ],
    ['bool must_not', { bool: { must_not: { term: { level: 'error' } } } }, ['E1', 'E2']],
    [
      'bool should alone needs one',
      { bool: { should: [{ term: { event_id: 'E1' } }, { term: { event_id: 'E2' } }] } },
      ['E1', 'E2'],
    ],
    [
      'bool should is optional next to a filter',
      { bool: { filter: { term: { level: 'notice' } }, should: { term: { event_id: 'E6' } } } },
      ['E1', 'E2'],
    ],
    [
      'bool minimum_should_match',
      {
        bool: {
          should: [{ term: { level: 'error' } }, { term: { retried: true } }, { exists: { field: 'tags' } }],
          minimum_should_match: 2,
        },
      },
      ['E3', 'E4', 'E6'],
    ],
    ['bool empty matches all', { bool: {} }, ['E1', 'E2', 'E3', 'E4', 'E5', 'E6']],
    ['constant_score', { constant_score: { filter: { term: { level: 'notice' } }, boost: 2 } }, ['E1', 'E2']],
    [
      'dis_max',
      { dis_max: { queries: [{ term: { event_id: 'E1' } }, { term: { event_id: 'E6' } }] } },
      ['E1', 'E6'],
    ],
    [
      'nested (flattened)',
      { nested: { path: 'service', query: { term: { 'service.name': 'jk2' } } } },
      ['E1', 'E5'],
    ],
    ['query_string', { query_string: { query: 'level:error AND message:child' } }, ['E3', 'E5', 'E6']],
    [
      'simple_query_string',
      { simple_query_string: { query: 'scoreboard + found', fields: ['message'] } },
      ['E1'],
    ],
  ])('%s', (_name, query, expected) => {
    expect(sorted(query)).toEqual(expected);
  });

  it('scores match_all 1 and filters 0', () => {
    const all = search(LOGS, { query: { match_all: {} } }, {}, LOG_CTX);
    expect(all.hits.max_score).toBe(1);
    expect(all.hits.hits.every((h) => h._score === 1)).toBe(true);
    const filtered = search(LOGS, { query: { bool: { filter: { term: { level: 'error' } } } } }, {}, LOG_CTX);
    expect(filtered.hits.hits.map((h) => h._score)).toEqual([0, 0, 0, 0]);
    const boosted = search(
      LOGS,
      { query: { constant_score: { filter: { term: { level: 'error' } }, boost: 3 } } },
      {},
      LOG_CTX,
    );
    expect(boosted.hits.max_score).toBe(3);
  });

  it('orders full-text hits by score, rarer and repeated terms first', () => {
    // "child" is in 4 docs, "scoreboard" in 2: a doc with both outranks one with only "child".
    const order = ids({ match: { message: 'child scoreboard' } });
    expect(order.slice(0, 2).sort()).toEqual(['E1', 'E5']);
    expect(order.slice(2).sort()).toEqual(['E3', 'E6']);
    const hits = search(LOGS, { query: { match: { message: 'child scoreboard' } } }, {}, LOG_CTX).hits;
    const scores = hits.hits.map((h) => h._score as number);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(hits.max_score).toBe(scores[0]);
  });

  it('breaks score ties by index order', () => {
    expect(ids({ term: { level: 'error' } })).toEqual(['E3', 'E4', 'E5', 'E6']);
  });

  it('counts', () => {
    expect(count(LOGS, { query: { term: { level: 'error' } } }, {}, LOG_CTX)).toBe(4);
    expect(count(LOGS, undefined, {}, LOG_CTX)).toBe(6);
    expect(count(LOGS, undefined, { q: 'level:notice' }, LOG_CTX)).toBe(2);
  });

  it.each<[string, unknown, number, string, string]>([
    ['unknown query', { foo: {} }, 400, 'parsing_exception', 'unknown query [foo]'],
    [
      'two queries in one object',
      { term: { level: 'x' }, match: { level: 'x' } },
      400,
      'parsing_exception',
      'malformed query',
    ],
    [
      'term on several fields',
      { term: { level: 'x', event_id: 'y' } },
      400,
      'parsing_exception',
      'multiple fields',
    ],
    ['non-object query', 'level:error', 400, 'parsing_exception', 'query malformed'],
    [
      'a word against a long field',
      { term: { child: 'abc' } },
      400,
      'query_shard_exception',
      'For input string',
    ],
    ['bad date math', { range: { '@timestamp': { gte: 'now-5x' } } }, 400, 'parse_exception', 'date math'],
    [
      'unknown bool clause',
      { bool: { maybe: [] } },
      400,
      'parsing_exception',
      '[bool] query does not support [maybe]',
    ],
  ])('rejects %s', (_name, query, status, type, message) => {
    let error: unknown;
    try {
      search(LOGS, { query }, {}, LOG_CTX);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SearchError);
    const e = error as SearchError;
    expect([e.status, e.type]).toEqual([status, type]);
    expect(e.message).toContain(message);
  });
});

describe('field data cache across searches', () => {
  it('re-reads a document whose seqNo changed and a field whose mapping changed', () => {
    const doc = {
      index: 'c',
      id: '1',
      seqNo: 1,
      primaryTerm: 1,
      version: 1,
      source: { v: 'one' } as Record<string, unknown>,
    };
    let type = 'keyword';
    const ctx = { now: 0, fieldType: (_index: string, field: string) => (field === 'v' ? type : undefined) };
    const hits = (query: unknown): number => search([doc], { query }, {}, ctx).hits.hits.length;
    expect(hits({ term: { v: 'one' } })).toBe(1);
    // A write replaces the source and bumps seq_no, as OpenSearch does on every write.
    doc.source = { v: 'two' };
    doc.seqNo = 2;
    expect(hits({ term: { v: 'one' } })).toBe(0);
    expect(hits({ term: { v: 'two' } })).toBe(1);
    doc.source = { v: 'Two Words' };
    doc.seqNo = 3;
    expect(hits({ term: { v: 'two' } })).toBe(0);
    type = 'text';
    expect(hits({ term: { v: 'two' } })).toBe(1);
  });

  it('follows in-place source changes through seqNo, with new wrappers per search', () => {
    const source: Record<string, unknown> = { v: 'one' };
    const ctx = { now: 0, fieldType: () => 'keyword' };
    const hits = (seqNo: number, id: string, query: unknown): string[] =>
      search(
        [{ index: 'c', id, seqNo, primaryTerm: 1, version: seqNo, source }],
        { query },
        {},
        ctx,
      ).hits.hits.map((h) => h._id);
    expect(hits(1, 'a', { term: { v: 'one' } })).toEqual(['a']);
    source.v = 'two';
    expect(hits(2, 'a', { term: { v: 'two' } })).toEqual(['a']);
    expect(hits(2, 'b', { ids: { values: ['b'] } })).toEqual(['b']);
    expect(hits(2, 'b', { term: { _id: 'b' } })).toEqual(['b']);
  });
});
