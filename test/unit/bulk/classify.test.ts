import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classifyAllSucceeded,
  classifyResponse,
  classifyResponseSlow,
  classifyStatus,
  type SentItem,
} from '../../../functions/core/bulk/classify.ts';

const fixture = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../fixtures/opensearch', name), 'utf8'));

const mixed = fixture('bulk-mixed.json');
const mixedSent: SentItem[] = Array.from({ length: 11 }, (_, i) => ({
  action: i === 10 ? 'index' : 'create',
  id: `a${i + 1}`,
}));

describe('classifyResponse on per-item answers', () => {
  it('all created', () => {
    const verdict = classifyResponse({ statusCode: 200, body: fixture('bulk-created.json') }, [
      { action: 'create', id: 'a1' },
      { action: 'create', id: 'a2' },
    ]);
    expect(verdict).toEqual({
      kind: 'items',
      items: [
        { class: 'success', status: 201 },
        { class: 'success', status: 201 },
      ],
    });
  });

  const verdict = classifyResponse({ statusCode: 200, body: mixed }, mixedSent);
  const items = verdict.kind === 'items' ? verdict.items : [];
  it.each([
    [0, 'success', 201, undefined],
    [1, 'duplicate', 409, 'version_conflict_engine_exception'],
    [2, 'permanent', 400, 'mapper_parsing_exception'],
    [3, 'retryable', 429, 'rejected_execution_exception'],
    [4, 'retryable', 403, 'cluster_block_exception'],
    [5, 'retryable', 400, 'validation_exception'],
    [6, 'retryable', 503, 'unavailable_shards_exception'],
    [7, 'permanent', 400, 'illegal_argument_exception'],
    [8, 'permanent', 404, 'index_not_found_exception'],
    [9, 'retryable', 500, 'circuit_breaking_exception'],
    [10, 'success', 200, undefined],
  ])('item %i → %s (%i %s)', (i, cls, status, errorType) => {
    expect(verdict.kind).toBe('items');
    expect(items[i]).toMatchObject({ class: cls, status });
    expect(items[i]?.errorType).toBe(errorType);
  });

  it('keeps the reason with its cause', () => {
    expect(items[2]?.reason).toBe(
      "failed to parse field [http.response.status_code] of type [long] in document with id 'a3'. Preview of field's value: 'OK' (caused by illegal_argument_exception: For input string: \"OK\")",
    );
  });

  it('accepts the body as a JSON string or Buffer', () => {
    const text = JSON.stringify(mixed);
    expect(classifyResponse({ statusCode: 200, body: text }, mixedSent)).toEqual(verdict);
    expect(classifyResponse({ statusCode: 200, body: Buffer.from(text) }, mixedSent)).toEqual(verdict);
  });
});

describe('classifyStatus', () => {
  it.each([
    [409, 'index', 'retryable'],
    [409, 'create', 'duplicate'],
    [408, 'create', 'retryable'],
    [400, 'create', 'permanent'],
    [422, 'create', 'permanent'],
  ] as const)('%i on %s → %s', (status, action, cls) => {
    expect(classifyStatus(status, action, undefined).class).toBe(cls);
  });

  it('a 400 validation_exception about something else than shards is permanent', () => {
    const error = { type: 'validation_exception', reason: 'Validation Failed: 1: index name is invalid;' };
    expect(classifyStatus(400, 'create', error).class).toBe('permanent');
  });

  it('a 400 illegal_state_exception is permanent; the same type as a 5xx is retryable', () => {
    const error = { type: 'illegal_state_exception', reason: 'x' };
    expect(classifyStatus(400, 'create', error).class).toBe('permanent');
    expect(classifyStatus(500, 'create', error).class).toBe('retryable');
  });
});

describe('classifyResponse on whole-request outcomes', () => {
  const errors = fixture('request-errors.json') as Record<string, { statusCode: number; body: unknown }>;
  const sent: SentItem[] = [{ action: 'create', id: 'a1' }];
  it.each([
    ['body_not_terminated', 'permanent', 'illegal_argument_exception'],
    ['malformed_action', 'permanent', 'illegal_argument_exception'],
    ['rejected', 'retryable', 'rejected_execution_exception'],
    ['cluster_block', 'retryable', 'cluster_block_exception'],
    ['no_permission', 'retryable', 'security_exception'],
    ['too_large', 'too_large', 'http_413'],
    ['bad_gateway', 'retryable', 'http_502'],
    ['unavailable', 'retryable', 'cluster_block_exception'],
    ['gateway_timeout', 'retryable', 'http_504'],
  ])('%s → %s', (name, cls, errorType) => {
    const answer = errors[name]!;
    expect(classifyResponse(answer, sent)).toEqual({
      kind: 'request',
      verdict: expect.objectContaining({ class: cls, status: answer.statusCode, errorType }),
    });
  });

  it('a network error or timeout is retryable', () => {
    const error = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    expect(classifyResponse({ error }, sent)).toEqual({
      kind: 'request',
      verdict: { class: 'retryable', errorType: 'network_error', reason: 'Error: socket hang up' },
    });
  });

  it.each([
    ['fewer items than sent', { errors: false, items: [] }],
    ['no items', { errors: false }],
    ['not JSON', '<html>oops</html>'],
    ['items for other ids', { errors: false, items: [{ create: { _id: 'zz', status: 201 } }] }],
    ['item for another action', { errors: false, items: [{ index: { _id: 'a1', status: 201 } }] }],
    ['item without status', { errors: false, items: [{ create: { _id: 'a1' } }] }],
  ])('a 200 with %s is not trusted: retryable', (_name, body) => {
    expect(classifyResponse({ statusCode: 200, body }, sent)).toMatchObject({
      kind: 'request',
      verdict: { class: 'retryable', errorType: 'invalid_response' },
    });
  });
});

describe('classifyResponse fast path for all-succeeded answers', () => {
  const sent: SentItem[] = [
    { action: 'create', id: 'app-logs:0:1000000' },
    { action: 'create', id: 'app-logs:0:1000001' },
  ];
  const canonical =
    '{"errors":false,"items":[{"create":{"_id":"app-logs:0:1000000","status":201}},' +
    '{"create":{"_id":"app-logs:0:1000001","status":201}}]}';
  const created = {
    kind: 'items',
    items: [classifyStatus(201, 'create', undefined), classifyStatus(201, 'create', undefined)],
  };

  it('recognises the canonical answer on its bytes, with the shared success verdicts', () => {
    const verdict = classifyAllSucceeded(Buffer.from(canonical), sent);
    expect(verdict).toEqual(created);
    expect(verdict?.kind === 'items' && verdict.items[0]).toBe(classifyStatus(201, 'create', undefined));
    expect(classifyResponse({ statusCode: 200, body: Buffer.from(canonical) }, sent)).toEqual(created);
  });

  it.each([
    ['a string body', canonical],
    ['a leading took', `{"took":30,${canonical.slice(1)}`],
    ['took 0', `{"took":0,${canonical.slice(1)}`],
    ['items without _id', '{"errors":false,"items":[{"create":{"status":201}},{"create":{"status":201}}]}'],
    ['surrounding whitespace', ` \r\n${canonical}\n`],
  ])('takes the fast path for %s', (_name, body) => {
    expect(classifyAllSucceeded(body, sent)).toEqual(created);
    expect(classifyAllSucceeded(Buffer.from(body), sent)).toEqual(created);
  });

  it('takes the fast path for index actions answered 200 and 201, and for an empty batch', () => {
    const indexed: SentItem[] = [
      { action: 'index', id: 'a' },
      { action: 'create', id: 'b' },
    ];
    const body =
      '{"errors":false,"items":[{"index":{"_id":"a","status":200}},{"create":{"_id":"b","status":201}}]}';
    expect(classifyAllSucceeded(Buffer.from(body), indexed)).toEqual({
      kind: 'items',
      items: [
        { class: 'success', status: 200 },
        { class: 'success', status: 201 },
      ],
    });
    expect(classifyAllSucceeded(Buffer.from('{"errors":false,"items":[]}'), [])).toEqual({
      kind: 'items',
      items: [],
    });
  });

  const swap = (from: string, to: string) => canonical.replace(from, to);
  it.each([
    ['inner whitespace', swap('"status":201', '"status": 201')],
    [
      'status before _id',
      swap('"_id":"app-logs:0:1000000","status":201', '"status":201,"_id":"app-logs:0:1000000"'),
    ],
    ['an escaped id', swap('app-logs:0:1000000', 'app-logs\\u003a0:1000000')],
    ['errors true', swap('"errors":false', '"errors":true')],
    ['an unknown key', swap('"status":201}', '"status":201,"result":"created"}')],
    ['a 409', swap('"status":201}', '"status":409}')],
    ['a 2xx written as a float', swap('"status":201}', '"status":201.0}')],
    ['another id', swap('1000001', '1000002')],
    ['a shorter id', swap('1000001', '100000')],
    ['another action', swap('{"create":{"_id":"app-logs:0:1000001"', '{"index":{"_id":"app-logs:0:1000001"')],
    ['a missing item', '{"errors":false,"items":[{"create":{"_id":"app-logs:0:1000000","status":201}}]}'],
    ['a leading zero in took', `{"took":030,${canonical.slice(1)}`],
    ['trailing garbage', `${canonical}x`],
    ['a truncated body', canonical.slice(0, -1)],
    ['a byte order mark', `\uFEFF${canonical}`],
  ])('falls back to the full parse on %s, with the same verdict', (_name, body) => {
    expect(classifyAllSucceeded(Buffer.from(body), sent)).toBeUndefined();
    const answer = { statusCode: 200, body: Buffer.from(body) };
    expect(classifyResponse(answer, sent)).toEqual(classifyResponseSlow(answer, sent));
  });

  it('does not match an id that needs escaping or is not ASCII', () => {
    for (const id of ['a"b', 'a\\b', 'é', 'a\u0001b']) {
      const body = JSON.stringify({ errors: false, items: [{ create: { _id: id, status: 201 } }] });
      const one: SentItem[] = [{ action: 'create', id }];
      expect(classifyAllSucceeded(Buffer.from(body), one)).toBeUndefined();
      expect(classifyResponse({ statusCode: 200, body }, one)).toEqual({
        kind: 'items',
        items: [{ class: 'success', status: 201 }],
      });
    }
  });

  it('leaves parsed bodies and non-2xx answers to the full classification', () => {
    expect(classifyAllSucceeded(JSON.parse(canonical), sent)).toBeUndefined();
    expect(classifyResponse({ statusCode: 500, body: Buffer.from(canonical) }, sent)).toEqual({
      kind: 'request',
      verdict: { class: 'retryable', status: 500, errorType: 'http_500', reason: 'status 500' },
    });
  });
});
