import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type IndexBatchOptions, indexBatch } from '../../../functions/core/bulk/index-batch.ts';
import type { PreparedRecord } from '../../../functions/core/bulk/types.ts';
import { FakeClock, FakeDeadLetterStore, FakeOpenSearch, type RequestFate } from './fakes.ts';

// A batch handed over in slices must end exactly as the same batch handed over whole: the same
// outcome and failure per record, the same documents sent in the same order, the same counters
// apart from how many requests carried them.

const recordsArb = fc
  .array(
    fc.record({
      kind: fc.constantFrom('write', 'write', 'write', 'write', 'dead_letter', 'dropped', 'invalid'),
      poison: fc.nat(6).map((n) => n === 0),
      size: fc.oneof(fc.nat(60), fc.nat(600)),
    }),
    { maxLength: 60 },
  )
  .map((specs) =>
    specs.map((s, i): PreparedRecord => {
      const coords = { topic: 'app-logs', partition: i % 3, offset: i };
      const base = { coords, pipeline: 'p', timestamp: i };
      const original = Buffer.from(`raw ${i}`);
      if (s.kind === 'dropped') return { ...base, kind: 'dropped', reason: 'tombstone' };
      if (s.kind === 'dead_letter') {
        return {
          ...base,
          kind: 'dead_letter',
          errorType: 'parse_error',
          reason: 'no parser matched',
          original,
        };
      }
      return {
        ...base,
        kind: 'write',
        action: 'create',
        index: 'logs-app',
        id: `${s.poison ? 'poison' : 'doc'}-${i}`,
        source:
          s.kind === 'invalid' ? `{"m":"a\nb${i}"}` : JSON.stringify({ m: `é${'x'.repeat(s.size)}`, i }),
        original,
      };
    }),
  );

const splitsArb = fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 });

async function* sliced(records: readonly PreparedRecord[], sizes: readonly number[]) {
  let at = 0;
  for (let k = 0; at < records.length; k++) {
    const size = sizes[k % sizes.length]!;
    yield records.slice(at, at + size);
    at += size;
    // Let sends already started make progress, as the ingest function does between slices.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function run(records: readonly PreparedRecord[], source: Parameters<typeof indexBatch>[0], setup: Setup) {
  const clock = new FakeClock(60_000);
  const poison = new Set(
    records
      .filter((r) => r.kind === 'write' && r.id.startsWith('poison'))
      .map((r) => (r as { id: string }).id),
  );
  let sends = 0;
  const search = new FakeOpenSearch({
    clock,
    poison,
    maxBodyBytes: setup.maxBodyBytes,
    // The first sends fail whole: their items are retried, wherever the chunk boundaries fall.
    requestFate: (): RequestFate => (sends++ < setup.failedSends ? { kind: 'reject' } : { kind: 'answer' }),
  });
  const store = new FakeDeadLetterStore();
  const options: IndexBatchOptions & { streamChunkBytes: number } = {
    maxChunkBytes: setup.maxChunkBytes,
    streamChunkBytes: setup.streamChunkBytes,
    concurrency: setup.concurrency,
    safetyMarginMs: 500,
    maxAttempts: 8,
    baseDelayMs: 10,
    maxDelayMs: 100,
    requestTimeoutMs: 3000,
    deadLetterPrefix: 'dlq/',
    // Told the batch's size, the end of a streamed batch goes out in smaller chunks.
    ...(setup.expectedRecords ? { expectedRecords: records.length } : {}),
  };
  const deps = {
    transport: search,
    deadLetters: store,
    clock: { now: () => clock.now },
    sleep: clock.sleep,
    random: () => 0.5,
    remainingMs: clock.remainingMs,
  };
  return indexBatch(source, deps, options).then((result) => ({ result, search, store }));
}

interface Setup {
  maxChunkBytes: number;
  streamChunkBytes: number;
  maxBodyBytes: number;
  concurrency: number;
  failedSends: number;
  expectedRecords: boolean;
}

const setupArb: fc.Arbitrary<Setup> = fc.record({
  maxChunkBytes: fc.integer({ min: 100, max: 5000 }),
  streamChunkBytes: fc.integer({ min: 1, max: 5000 }),
  maxBodyBytes: fc.oneof(fc.constant(1_000_000), fc.integer({ min: 300, max: 3000 })),
  concurrency: fc.integer({ min: 1, max: 4 }),
  failedSends: fc.nat(2),
  expectedRecords: fc.boolean(),
});

const timeless = (objects: ReadonlyMap<string, readonly { time: string }[]>) =>
  new Map([...objects].map(([key, entries]) => [key, entries.map(({ time: _, ...entry }) => entry)]));

const documents = (bodies: readonly Buffer[]): string[] =>
  bodies.flatMap((body) =>
    body
      .toString('utf8')
      .split('\n')
      .filter((_, k) => k % 2 === 1),
  );

describe('indexBatch over slices', () => {
  it('ends every record as the whole batch does', async () => {
    await fc.assert(
      fc.asyncProperty(recordsArb, splitsArb, setupArb, async (records, sizes, setup) => {
        const whole = await run(records, records, setup);
        const streamed = await run(records, sliced(records, sizes), setup);
        expect(streamed.result.outcomes).toEqual(whole.result.outcomes);
        expect(streamed.result.failures).toEqual(whole.result.failures);
        expect(streamed.result.failures).toHaveLength(records.length);
        expect(streamed.result.batchResponse).toEqual(whole.result.batchResponse);
        expect(streamed.result.deadLetterKeys.sort()).toEqual(whole.result.deadLetterKeys.sort());
        // Entries carry the time they were written, which moves with the number of requests.
        expect(timeless(streamed.store.objects)).toEqual(timeless(whole.store.objects));
        const {
          bulkRequests: _a,
          bulkBytes: _b,
          bulkLatencyMs: _c,
          retried: _d,
          ...rest
        } = streamed.result.counters;
        const {
          bulkRequests: _e,
          bulkBytes: _f,
          bulkLatencyMs: _g,
          retried: _h,
          ...wholeRest
        } = whole.result.counters;
        expect(rest).toEqual(wholeRest);
        expect(new Set(streamed.search.accepted)).toEqual(new Set(whole.search.accepted));
        if (setup.failedSends === 0 && setup.maxBodyBytes >= setup.maxChunkBytes) {
          // Nothing sent twice (no failure, no 413): the same documents in the same order.
          expect(documents(streamed.search.bodies)).toEqual(documents(whole.search.bodies));
        }
        expect(streamed.search.maxInFlight).toBeLessThanOrEqual(setup.concurrency);
        for (const body of streamed.search.bodies) {
          const items = body.toString('utf8').split('\n').length >> 1;
          if (body.length > setup.maxChunkBytes) expect(items).toBe(1);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('cuts the end of a batch into smaller chunks when it knows the batch size', async () => {
    const records: PreparedRecord[] = Array.from({ length: 200 }, (_, i) => ({
      kind: 'write',
      coords: { topic: 'app-logs', partition: 0, offset: i },
      pipeline: 'p',
      timestamp: i,
      action: 'create',
      index: 'logs-app',
      id: `doc-${i}`,
      source: JSON.stringify({ m: 'x'.repeat(60), i }),
      original: null,
    }));
    const setup = {
      maxChunkBytes: 1_000_000,
      streamChunkBytes: 1_000_000,
      maxBodyBytes: 1_000_000,
      concurrency: 2,
      failedSends: 0,
    };
    const blind = await run(records, sliced(records, [10]), { ...setup, expectedRecords: false });
    const told = await run(records, sliced(records, [10]), { ...setup, expectedRecords: true });
    const items = (bodies: readonly Buffer[]) => bodies.map((b) => (b.toString().split('\n').length - 1) / 2);
    // Not told: everything waits for the end (under the stream size). Told: halving chunks, the
    // last one a single slice, so the last answer comes soon after the last record.
    expect(items(blind.search.bodies)).toEqual([200]);
    const sizes = items(told.search.bodies);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(200);
    expect(sizes.length).toBeGreaterThan(3);
    expect(sizes.at(-1)).toBeLessThanOrEqual(10);
    for (let k = 1; k < sizes.length; k++) expect(sizes[k]).toBeLessThanOrEqual(sizes[k - 1]!);
    expect(told.result.counters.indexed).toBe(200);
  });
});
