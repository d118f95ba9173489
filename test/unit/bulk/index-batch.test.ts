import { describe, expect, it } from 'vitest';
import { BulkOptionsError } from '../../../functions/core/bulk/errors.ts';
import { type IndexBatchOptions, indexBatch } from '../../../functions/core/bulk/index-batch.ts';
import type { PreparedRecord } from '../../../functions/core/bulk/types.ts';
import {
  FakeClock,
  FakeDeadLetterStore,
  FakeOpenSearch,
  type ItemFate,
  type RequestFate,
  writeRecord,
} from './fakes.ts';

const options: IndexBatchOptions = {
  maxChunkBytes: 5 * 1024 * 1024,
  concurrency: 2,
  safetyMarginMs: 1000,
  maxAttempts: 4,
  baseDelayMs: 100,
  maxDelayMs: 2000,
  requestTimeoutMs: 10_000,
  deadLetterPrefix: 'dead-letters/',
};

function setup(opts: {
  budgetMs?: number;
  poison?: string[];
  itemFates?: ItemFate[];
  requestFates?: RequestFate[];
  maxBodyBytes?: number;
  deadLetterFails?: boolean;
}) {
  const clock = new FakeClock(opts.budgetMs ?? 60_000);
  const itemFates = [...(opts.itemFates ?? [])];
  const requestFates = [...(opts.requestFates ?? [])];
  const search = new FakeOpenSearch({
    clock,
    poison: new Set(opts.poison ?? []),
    itemFate: () => itemFates.shift() ?? 'ok',
    requestFate: () => requestFates.shift() ?? { kind: 'answer' },
    ...(opts.maxBodyBytes === undefined ? {} : { maxBodyBytes: opts.maxBodyBytes }),
  });
  const store = new FakeDeadLetterStore(() => opts.deadLetterFails ?? false);
  const sleeps: number[] = [];
  const deps = {
    transport: search,
    deadLetters: store,
    clock: { now: () => 1763731200000 + clock.now },
    sleep: async (ms: number) => {
      sleeps.push(ms);
      await clock.sleep(ms);
    },
    random: () => 0.5,
    remainingMs: clock.remainingMs,
  };
  return { clock, search, store, sleeps, deps };
}

const batch = (n: number, topic = 'app-logs', partition = 0): PreparedRecord[] =>
  Array.from({ length: n }, (_, i) => writeRecord(topic, partition, 100 + i));

describe('indexBatch', () => {
  it('indexes everything in one request when all goes well', async () => {
    const { search, store, deps } = setup({});
    const result = await indexBatch(batch(3), deps, options);
    expect(result.outcomes).toEqual(['indexed', 'indexed', 'indexed']);
    expect(result.batchResponse).toEqual({ batchItemFailures: [] });
    expect(search.accepted).toEqual([
      'logs-app-logs/app-logs-0-100',
      'logs-app-logs/app-logs-0-101',
      'logs-app-logs/app-logs-0-102',
    ]);
    expect(store.puts).toBe(0);
    expect(result.counters).toMatchObject({
      recordsIn: 3,
      indexed: 3,
      bulkRequests: 1,
      retried: 0,
      reported: 0,
    });
    expect(result.counters.bulkBytes).toBe(search.bodies[0]!.length);
    expect(result.counters.bulkLatencyMs).toBe(5);
    expect(result.nothingDurable).toBe(false);
  });

  it('a 409 on create is a duplicate: already written', async () => {
    const { search, deps } = setup({});
    search.documents.set('logs-app-logs/app-logs-0-101', '{}');
    const result = await indexBatch(batch(2), deps, options);
    expect(result.outcomes).toEqual(['indexed', 'duplicate']);
    expect(result.counters.duplicates).toBe(1);
  });

  it('retries only the failed items, after a jittered backoff', async () => {
    const { search, sleeps, deps } = setup({ itemFates: ['ok', 429, 'ok', 503] });
    const result = await indexBatch(batch(4), deps, options);
    expect(result.outcomes).toEqual(['indexed', 'indexed', 'indexed', 'indexed']);
    expect(sleeps).toEqual([50]); // 0.5 × min(2000, 100 × 2^0)
    expect(search.bodies).toHaveLength(2);
    expect(search.bodies[1]!.toString()).toBe(
      '{"create":{"_index":"logs-app-logs","_id":"app-logs-0-101"}}\n{"message":"line 101"}\n' +
        '{"create":{"_index":"logs-app-logs","_id":"app-logs-0-103"}}\n{"message":"line 103"}\n',
    );
    expect(result.counters.retried).toBe(2);
  });

  it('a lost answer (network error after apply) resolves as duplicates on retry', async () => {
    const { deps } = setup({ requestFates: [{ kind: 'reject_after_apply' }] });
    const result = await indexBatch(batch(2), deps, options);
    expect(result.outcomes).toEqual(['duplicate', 'duplicate']);
  });

  it('retryable failures with no time left are reported from the lowest offset per partition', async () => {
    const records = [...batch(3, 'app-logs', 0), ...batch(2, 'nginx-access', 1)];
    const { deps, sleeps } = setup({ budgetMs: 1040, itemFates: [429, 'ok', 503, 'ok', 'ok'] });
    const result = await indexBatch(records, deps, options);
    expect(result.outcomes).toEqual(['reported', 'indexed', 'reported', 'indexed', 'indexed']);
    expect(sleeps).toEqual([]);
    expect(result.batchResponse).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'app-logs-0', offset: 100 } }],
    });
    expect(result.failures[0]).toMatchObject({ status: 429, errorType: 'rejected_execution_exception' });
  });

  it('gives up after maxAttempts sends and reports', async () => {
    const { search, deps } = setup({
      requestFates: Array(10).fill({ kind: 'status', statusCode: 503, body: '' }),
    });
    const result = await indexBatch(batch(2), deps, { ...options, maxAttempts: 3 });
    expect(search.bodies).toHaveLength(3);
    expect(result.outcomes).toEqual(['reported', 'reported']);
    expect(result.counters.retried).toBe(4);
  });

  it('nothing is sent once the invocation is inside its safety margin', async () => {
    const { search, deps } = setup({ budgetMs: 900 });
    const result = await indexBatch(batch(2), deps, options);
    expect(search.bodies).toHaveLength(0);
    expect(result.outcomes).toEqual(['reported', 'reported']);
    expect(result.failures[0]).toMatchObject({ errorType: 'no_time' });
  });

  it('a 413 splits the chunk and learns the smaller size', async () => {
    const records = batch(8);
    const one = '{"create":{"_index":"logs-app-logs","_id":"app-logs-0-100"}}\n{"message":"line 100"}\n'
      .length;
    const { search, deps } = setup({ maxBodyBytes: one * 3 });
    const result = await indexBatch(records, deps, options);
    expect(result.outcomes.every((o) => o === 'indexed')).toBe(true);
    expect(search.bodies.map((b) => b.length / one)).toEqual([8, 4, 2, 2, 4, 2, 2]);
    expect(result.counters.retried).toBe(0);
  });

  it('a single document refused with 413 is dead-lettered', async () => {
    const big = writeRecord('app-logs', 0, 7, `{"message":"${'x'.repeat(400)}"}`);
    const { store, deps } = setup({ maxBodyBytes: 200 });
    const result = await indexBatch(
      [writeRecord('app-logs', 0, 6), big],
      { ...deps },
      { ...options, maxChunkBytes: 300 },
    );
    expect(result.outcomes).toEqual(['indexed', 'dead_lettered']);
    const entries = store.objects.get('dead-letters/topic=app-logs/partition=0/0-999.ndjson.gz');
    expect(entries).toEqual([
      expect.objectContaining({
        offset: 7,
        status: 413,
        errorType: 'http_413',
        index: 'logs-app-logs',
        original: Buffer.from('raw 7').toString('base64'),
      }),
    ]);
    expect(entries?.[0]?.reason).toMatch(/larger than the bulk cap/);
  });

  it('permanent failures, dead_letter records and invalid documents share one object per partition', async () => {
    const records: PreparedRecord[] = [
      writeRecord('app-logs', 0, 12),
      {
        kind: 'dead_letter',
        coords: { topic: 'app-logs', partition: 0, offset: 10 },
        pipeline: 'app',
        errorType: 'decode_error',
        reason: 'value is not valid base64',
        original: Buffer.from('aGVsbG8*'),
        timestamp: 1,
      },
      {
        kind: 'dropped',
        coords: { topic: 'app-logs', partition: 0, offset: 11 },
        pipeline: 'app',
        reason: 'tombstone',
        timestamp: 1,
      },
      writeRecord('app-logs', 0, 13, '{"a":\n1}'),
      writeRecord('app-logs', 0, 14),
      writeRecord('sys-log', 2, 5),
    ];
    const { store, deps } = setup({ poison: ['app-logs-0-12', 'sys-log-2-5'] });
    const result = await indexBatch(records, deps, options);
    expect(result.outcomes).toEqual([
      'dead_lettered',
      'dead_lettered',
      'dropped',
      'dead_lettered',
      'indexed',
      'dead_lettered',
    ]);
    expect([...store.objects.keys()].sort()).toEqual([
      'dead-letters/topic=app-logs/partition=0/0-999.ndjson.gz',
      'dead-letters/topic=sys-log/partition=2/0-999.ndjson.gz',
    ]);
    expect(result.deadLetterKeys.sort()).toEqual([...store.objects.keys()].sort());
    const entries = store.objects.get('dead-letters/topic=app-logs/partition=0/0-999.ndjson.gz')!;
    expect(entries.map((e) => [e.offset, e.errorType, e.status])).toEqual([
      [10, 'decode_error', undefined],
      [12, 'mapper_parsing_exception', 400],
      [13, 'invalid_document', undefined],
    ]);
    expect(entries[0]).toEqual({
      topic: 'app-logs',
      partition: 0,
      offset: 10,
      pipeline: 'app',
      errorType: 'decode_error',
      reason: 'value is not valid base64',
      original: Buffer.from('aGVsbG8*').toString('base64'),
      timestamp: 1,
      time: '2025-11-21T13:20:00.005Z',
    });
    expect(result.counters).toMatchObject({ deadLettered: 4, dropped: 1, indexed: 1, deadLetterObjects: 2 });
  });

  it('dead letters after a reported offset are reported too, so a redelivery never writes them twice', async () => {
    const records = batch(5); // offsets 100..104
    const { store, deps } = setup({
      budgetMs: 1040,
      poison: ['app-logs-0-100', 'app-logs-0-103'],
      itemFates: ['ok', 429, 'ok', 'ok'], // 100 and 103 are poison and draw no fate
    });
    const result = await indexBatch(records, deps, options);
    expect(result.outcomes).toEqual(['dead_lettered', 'indexed', 'reported', 'reported', 'indexed']);
    expect(result.batchResponse.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'app-logs-0', offset: 102 } },
    ]);
    expect(
      store.objects.get('dead-letters/topic=app-logs/partition=0/0-999.ndjson.gz')?.map((e) => e.offset),
    ).toEqual([100]);
  });

  it('a failed dead-letter write reports its records', async () => {
    const { deps } = setup({ poison: ['app-logs-0-101'], deadLetterFails: true });
    const result = await indexBatch(batch(3), deps, options);
    expect(result.outcomes).toEqual(['indexed', 'reported', 'indexed']);
    expect(result.batchResponse.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'app-logs-0', offset: 101 } },
    ]);
    expect(result.counters.deadLetterWriteFailures).toBe(1);
    expect(result.nothingDurable).toBe(false);
  });

  it('signals nothingDurable when OpenSearch and the dead-letter store both fail', async () => {
    const down: RequestFate = { kind: 'reject' };
    const { deps } = setup({ poison: [], requestFates: Array(10).fill(down), deadLetterFails: true });
    const records: PreparedRecord[] = [
      ...batch(2),
      {
        kind: 'dead_letter',
        coords: { topic: 'app-logs', partition: 0, offset: 99 },
        pipeline: 'app',
        errorType: 'parse_error',
        reason: 'x',
        original: null,
        timestamp: 0,
      },
    ];
    const result = await indexBatch(records, deps, options);
    expect(result.outcomes).toEqual(['reported', 'reported', 'reported']);
    expect(result.nothingDurable).toBe(true);
    expect(result.batchResponse.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'app-logs-0', offset: 99 } },
    ]);
  });

  it('a whole-request 400 (our malformed body) dead-letters every item with the reason', async () => {
    const body = {
      error: {
        type: 'illegal_argument_exception',
        reason: 'The bulk request must be terminated by a newline [\\n]',
      },
      status: 400,
    };
    const { store, deps } = setup({ requestFates: [{ kind: 'status', statusCode: 400, body }] });
    const result = await indexBatch(batch(2), deps, options);
    expect(result.outcomes).toEqual(['dead_lettered', 'dead_lettered']);
    expect([...store.objects.values()][0]?.[1]).toMatchObject({
      status: 400,
      errorType: 'illegal_argument_exception',
    });
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const { search, deps } = setup({});
    const one = '{"create":{"_index":"logs-app-logs","_id":"app-logs-0-100"}}\n{"message":"line 100"}\n'
      .length;
    await indexBatch(batch(10), deps, { ...options, maxChunkBytes: one, concurrency: 3 });
    expect(search.bodies).toHaveLength(10);
    expect(search.maxInFlight).toBe(3);
  });

  it.each([
    ['maxChunkBytes', 0],
    ['concurrency', 0],
    ['maxAttempts', 0],
    ['baseDelayMs', -1],
    ['safetyMarginMs', Number.NaN],
  ])('refuses %s = %d', async (name, value) => {
    const { deps } = setup({});
    await expect(indexBatch([], deps, { ...options, [name]: value })).rejects.toThrow(BulkOptionsError);
  });
});
