import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyResponse, classifyStatus, type SentItem } from '../../../functions/core/bulk/classify.ts';

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
