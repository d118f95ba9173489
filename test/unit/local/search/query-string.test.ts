import { describe, expect, it } from 'vitest';
import { SearchError, search } from '../../../../infra/local/opensearch/search/index.ts';
import type { SearchParams } from '../../../../infra/local/opensearch/search/types.ts';
import { LOG_CTX, LOGS } from './fixtures.ts';

function idsFor(body: unknown, params: SearchParams = {}): string[] {
  const result = search(LOGS, body, { size: 100, ...params }, LOG_CTX);
  return result.hits.hits.map((h) => (h._source as { event_id: string }).event_id).sort();
}

const qs = (query: string, extra: Record<string, unknown> = {}): string[] =>
  idsFor({ query: { query_string: { query, ...extra } } });

describe('query_string (Lucene syntax)', () => {
  it.each<[string, Record<string, unknown>, string[]]>([
    ['level:notice', {}, ['E1', 'E2']],
    ['scoreboard', {}, ['E1', 'E5']],
    ['SCOREBOARD', {}, ['E1', 'E5']],
    ['level:error AND retried:true', {}, ['E3', 'E6']],
    ['level:error && retried:true', {}, ['E3', 'E6']],
    ['event_id:E1 OR event_id:E2', {}, ['E1', 'E2']],
    ['event_id:E1 event_id:E2', {}, ['E1', 'E2']],
    ['event_id:E1 event_id:E2', { default_operator: 'AND' }, []],
    ['level:error AND NOT child:1566', {}, ['E3', 'E4', 'E6']],
    ['level:error -message:child', {}, ['E4']],
    ['+level:error message:child', {}, ['E3', 'E4', 'E5', 'E6']],
    ['NOT level:error', {}, ['E1', 'E2']],
    ['!level:error', {}, ['E1', 'E2']],
    ['level:(notice OR missing)', {}, ['E1', 'E2']],
    ['(level:notice AND slot:10) OR event_id:E6', {}, ['E1', 'E6']],
    ['message:"in error state"', {}, ['E3']],
    ['message:"error in state"', {}, []],
    ['"found child"', {}, ['E1']],
    ['message:scoreb*', {}, ['E1', 'E5']],
    ['message:SCOREB*', {}, ['E1', 'E5']],
    ['event_id:E?', {}, ['E1', 'E2', 'E3', 'E4', 'E5', 'E6']],
    ['child:[1000 TO 5000]', {}, ['E5']],
    ['child:{1566 TO *]', {}, ['E1']],
    ['latency_ms:>3', {}, ['E3', 'E4']],
    ['latency_ms:>=3', {}, ['E1', 'E3', 'E4']],
    ['latency_ms:<3', {}, ['E2']],
    ['@timestamp:[2005-12-04T05:00:00Z TO now]', {}, ['E4', 'E5', 'E6']],
    ['@timestamp:>now-1h', {}, ['E5', 'E6']],
    ['_exists_:client', {}, ['E4']],
    ['child:*', {}, ['E1', 'E5']],
    ['*:*', {}, ['E1', 'E2', 'E3', 'E4', 'E5', 'E6']],
    ['service.name:jk2', {}, ['E1', 'E5']],
    ['jk2', { default_field: 'service.name' }, ['E1', 'E5']],
    ['httpd', { fields: ['service.name', 'message'] }, ['E2', 'E3', 'E4', 'E6']],
    ['E1 E4', { fields: ['event_*'] }, ['E1', 'E4']],
    ['security^2', {}, ['E4']],
    ['scorebord~', {}, ['E1', 'E5']],
    // An escaped space keeps one term; its two tokens are combined with the default operator.
    ['message:mod_jk\\ child', {}, ['E1', 'E3', 'E5', 'E6']],
    ['message:mod_jk\\ child', { default_operator: 'and' }, ['E3', 'E6']],
  ])('%s %j', (query, extra, expected) => {
    expect(qs(query, extra)).toEqual(expected);
  });

  it('treats a word against a numeric field as no match when searching all fields', () => {
    expect(qs('notice')).toEqual(['E1', 'E2']);
  });

  it('is what the q= parameter uses, with df and default_operator', () => {
    expect(idsFor(undefined, { q: 'level:error AND child:1566' })).toEqual(['E5']);
    expect(idsFor(undefined, { q: 'jk2', df: 'service.name' })).toEqual(['E1', 'E5']);
    expect(idsFor(undefined, { q: 'found scoreboard', df: 'message', default_operator: 'AND' })).toEqual([
      'E1',
    ]);
    // q wins over the body query
    expect(idsFor({ query: { match_none: {} } }, { q: 'event_id:E2' })).toEqual(['E2']);
  });

  it.each(['level:(error', 'AND', 'message:"open', 'child:[1 TO', 'level:error OR'])(
    'rejects %s',
    (query) => {
      expect(() => qs(query)).toThrow(SearchError);
    },
  );
});

describe('simple_query_string', () => {
  const sqs = (query: string, extra: Record<string, unknown> = {}): string[] =>
    idsFor({ query: { simple_query_string: { query, fields: ['message'], ...extra } } });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['scoreboard', {}, ['E1', 'E5']],
    ['found | workerenv', {}, ['E1', 'E3']],
    ['child + scoreboard', {}, ['E1', 'E5']],
    ['child scoreboard', { default_operator: 'and' }, ['E1', 'E5']],
    ['"child init"', {}, ['E6']],
    ['score*', {}, ['E1', 'E5']],
    ['(found | init) + child', {}, ['E1', 'E6']],
    // `-x` with the default OR means "or not x", as in OpenSearch.
    ['found -init', {}, ['E1', 'E2', 'E3', 'E4', 'E5']],
    ['found -init', { default_operator: 'and' }, ['E1']],
    // No field syntax here: `level:error` is just text, analysed into `level` and `error`.
    ['level:error', {}, ['E3']],
  ])('%s %j', (query, extra, expected) => {
    expect(sqs(query, extra)).toEqual(expected);
  });

  it('searches all fields by default', () => {
    expect(idsFor({ query: { simple_query_string: { query: 'security' } } })).toEqual(['E4']);
  });
});
