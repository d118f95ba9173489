import { describe, expect, it } from 'vitest';
import {
  alreadyExists,
  indexNotFound,
  OpenSearchError,
  toOpenSearchError,
  validationError,
} from '../../../../infra/local/opensearch/errors.ts';
import { SearchError } from '../../../../infra/local/opensearch/search/errors.ts';

describe('OpenSearch error shapes', () => {
  it('index_not_found_exception', () => {
    expect(indexNotFound('logs').body()).toEqual({
      error: {
        root_cause: [
          {
            type: 'index_not_found_exception',
            reason: 'no such index [logs]',
            'resource.type': 'index_or_alias',
            'resource.id': 'logs',
            index_uuid: '_na_',
            index: 'logs',
          },
        ],
        type: 'index_not_found_exception',
        reason: 'no such index [logs]',
        'resource.type': 'index_or_alias',
        'resource.id': 'logs',
        index_uuid: '_na_',
        index: 'logs',
      },
      status: 404,
    });
  });

  it('resource_already_exists_exception names index and uuid', () => {
    const e = alreadyExists('logs', 'u1');
    expect(e.status).toBe(400);
    expect(e.message).toBe('index [logs/u1] already exists');
  });

  it('validation errors number their problems', () => {
    expect(validationError('a', 'b').message).toBe('Validation Failed: 1: a;2: b;');
  });

  it('keeps caused_by out of root_cause', () => {
    const e = new OpenSearchError(400, 'mapper_parsing_exception', 'failed to parse', {
      causedBy: { type: 'json_parse_exception', reason: 'bad' },
    });
    const body = e.body() as { error: Record<string, unknown> };
    expect(body.error.caused_by).toEqual({ type: 'json_parse_exception', reason: 'bad' });
    expect((body.error.root_cause as Array<Record<string, unknown>>)[0]?.caused_by).toBeUndefined();
  });

  it('routing errors use the plain form', () => {
    const e = new OpenSearchError(400, 'invalid_request', 'no handler found for uri [/x] and method [GET]', {
      plain: true,
    });
    expect(e.body()).toEqual({ error: 'no handler found for uri [/x] and method [GET]', status: 400 });
  });

  it('turns anything else into a 500 without a stack trace', () => {
    const body = toOpenSearchError(new TypeError('boom')).body();
    expect(body).toEqual({
      error: { root_cause: [{ type: 'exception', reason: 'boom' }], type: 'exception', reason: 'boom' },
      status: 500,
    });
    expect(JSON.stringify(body)).not.toContain('at ');
  });

  it('keeps the status and type of a search module error', () => {
    const e = Object.assign(new Error('unknown query [foo]'), { status: 400, type: 'parsing_exception' });
    expect(toOpenSearchError(e)).toMatchObject({
      status: 400,
      type: 'parsing_exception',
      message: 'unknown query [foo]',
    });
  });

  it('reports a wrapped search error with the wrapper outside and the cause as root cause', () => {
    const e = new SearchError(400, 'illegal_argument_exception', 'Text fields are not optimised', {
      wrapperType: 'search_phase_execution_exception',
    });
    expect(toOpenSearchError(e).body()).toEqual({
      error: {
        root_cause: [{ type: 'illegal_argument_exception', reason: 'Text fields are not optimised' }],
        type: 'search_phase_execution_exception',
        reason: 'all shards failed',
        phase: 'query',
        grouped: true,
        caused_by: { type: 'illegal_argument_exception', reason: 'Text fields are not optimised' },
      },
      status: 400,
    });
  });

  it('leaves an unwrapped search error as it is', () => {
    const e = new SearchError(400, 'parsing_exception', 'unknown query [foo]');
    expect(toOpenSearchError(e).body()).toEqual({
      error: {
        root_cause: [{ type: 'parsing_exception', reason: 'unknown query [foo]' }],
        type: 'parsing_exception',
        reason: 'unknown query [foo]',
      },
      status: 400,
    });
  });
});
