import { describe, expect, it } from 'vitest';
import { parseBulkBody } from '../../../../infra/local/opensearch/bulk-parser.ts';
import { OpenSearchError } from '../../../../infra/local/opensearch/errors.ts';

const ndjson = (...lines: unknown[]) =>
  `${lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n')}\n`;

function failure(body: string, defaultIndex?: string): OpenSearchError {
  try {
    parseBulkBody(body, defaultIndex);
  } catch (error) {
    if (error instanceof OpenSearchError) return error;
    throw error;
  }
  throw new Error('expected the body to be rejected');
}

describe('parseBulkBody', () => {
  it('reads every action with its source line', () => {
    const actions = parseBulkBody(
      ndjson(
        { index: { _index: 'a', _id: '1' } },
        { x: 1 },
        { create: { _index: 'a' } },
        { y: 2 },
        { update: { _index: 'a', _id: '1' } },
        { doc: { z: 3 } },
        { delete: { _index: 'a', _id: '2' } },
      ),
    );
    expect(actions.map((a) => [a.op, a.index, a.id, a.source])).toEqual([
      ['index', 'a', '1', { x: 1 }],
      ['create', 'a', undefined, { y: 2 }],
      ['update', 'a', '1', { doc: { z: 3 } }],
      ['delete', 'a', '2', undefined],
    ]);
    expect(actions.map((a) => a.line)).toEqual([1, 3, 5, 7]);
  });

  it('uses the index from the path when an action has none, tolerates CRLF and blank lines', () => {
    const actions = parseBulkBody('{"index":{}}\r\n{"a":1}\r\n\n{"delete":{"_id":"x"}}\n', 'logs');
    expect(actions.map((a) => [a.op, a.index, a.id])).toEqual([
      ['index', 'logs', undefined],
      ['delete', 'logs', 'x'],
    ]);
  });

  it('keeps a bad document line for the item, not the whole request', () => {
    const [action] = parseBulkBody(ndjson({ index: { _index: 'a' } }, '{"x": '));
    expect(action?.source).toBeUndefined();
    expect(action?.sourceError).toBeTruthy();
  });

  it.each([
    ['', 'action_request_validation_exception', 'Validation Failed: 1: no requests added;'],
    [
      '{"index":{"_index":"a"}}\n{"x":1}',
      'illegal_argument_exception',
      'The bulk request must be terminated by a newline [\\n]',
    ],
    [ndjson('{"index": {'), 'json_parse_exception', 'at line [1]'],
    [
      ndjson({ upsert: { _index: 'a' } }, {}),
      'illegal_argument_exception',
      'Malformed action/metadata line [1], expected field [create], [delete], [index] or [update] but found [upsert]',
    ],
    [
      ndjson({ index: { _index: 'a', bogus: 1 } }, {}),
      'illegal_argument_exception',
      'Action/metadata line [1] contains an unknown parameter [bogus]',
    ],
    [
      ndjson({ index: { _index: 'a' } }),
      'illegal_argument_exception',
      'the [index] action is missing its source line',
    ],
    [ndjson({ update: { _index: 'a', _id: '1' } }, '{"doc": '), 'json_parse_exception', 'at line [2]'],
    [
      ndjson({ index: {} }, {}),
      'action_request_validation_exception',
      'Validation Failed: 1: index is missing;',
    ],
    [ndjson('"just a string"'), 'illegal_argument_exception', 'Malformed action/metadata line [1]'],
  ])('rejects %j', (body, type, reason) => {
    const error = failure(body);
    expect(error.status).toBe(400);
    expect(error.type).toBe(type);
    expect(error.message).toContain(reason);
    expect(error.body()).toMatchObject({ error: { root_cause: [{ type }], type }, status: 400 });
  });
});
