import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BatchResponse, KafkaEvent } from '../../../functions/core/kafka/types.ts';
import {
  FailureConditions,
  type GivenUpBatch,
  invocationRecord,
} from '../../../infra/local/esm/on-failure.ts';
import { EsmSimulator, type TopicRecord } from '../../../infra/local/esm/simulator.ts';

// The ESM simulator against scripted handlers: no stack, just the delivery rules.

const T0 = Date.UTC(2026, 10, 20, 12);

function topicRecords(
  topic: string,
  partitions: number,
  perPartition: number,
  valueBytes = 10,
): TopicRecord[] {
  const out: TopicRecord[] = [];
  for (let o = 0; o < perPartition; o++)
    for (let p = 0; p < partitions; p++)
      out.push({
        topic,
        partition: p,
        offset: o,
        timestamp: T0 + o,
        key: null,
        value: Buffer.from(`${p}:${o}:`.padEnd(valueBytes, 'x')),
      });
  return out;
}

const coords = (event: KafkaEvent) =>
  Object.values(event.records).flatMap((rs) => rs.map((r) => `${r.topic}-${r.partition}@${r.offset}`));

/** Every delivery the handler saw, in order. */
function recorder(answer: (event: KafkaEvent, call: number) => Promise<BatchResponse | undefined>) {
  const calls: KafkaEvent[] = [];
  const handler = async (event: KafkaEvent) => {
    calls.push(event);
    return answer(event, calls.length);
  };
  return { calls, handler };
}

const ok = async (): Promise<BatchResponse> => ({ batchItemFailures: [] });

describe('EsmSimulator batching', () => {
  it('bounds batches by count and keeps per-partition order', async () => {
    const { calls, handler } = recorder(ok);
    const sim = new EsmSimulator(handler, { batchSize: 7 });
    sim.produce(topicRecords('t', 3, 10));
    const stats = await sim.drain();
    expect(stats.recordsDelivered).toBe(30);
    expect(calls.every((e) => coords(e).length <= 7)).toBe(true);
    for (const p of [0, 1, 2]) {
      const seen = calls.flatMap((e) => (e.records[`t-${p}`] ?? []).map((r) => r.offset));
      expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i));
    }
  });

  it('keeps every invocation payload under the cap', async () => {
    const cap = 20_000;
    const { calls, handler } = recorder(ok);
    const sim = new EsmSimulator(handler, { batchSize: 10_000, maxPayloadBytes: cap });
    sim.produce(topicRecords('big', 2, 40, 900));
    await sim.drain();
    expect(calls.length).toBeGreaterThan(1);
    for (const e of calls) expect(Buffer.byteLength(JSON.stringify(e))).toBeLessThanOrEqual(cap);
    // Full batches are filled close to the cap, not split early.
    expect(Buffer.byteLength(JSON.stringify(calls[0]))).toBeGreaterThan(cap - 1500);
  });

  it('gives a record larger than the cap up (PayloadTooLarge) and delivers the rest', async () => {
    const { calls, handler } = recorder(ok);
    const sim = new EsmSimulator(handler, { maxPayloadBytes: 5_000 });
    const rs = topicRecords('t', 1, 3);
    rs[1]!.value = Buffer.alloc(6_000, 'a');
    sim.produce(rs);
    const stats = await sim.drain();
    expect(stats.onFailureBatches.map((b) => [b.condition, b.records.map((r) => r.offset)])).toEqual([
      [FailureConditions.payloadTooLarge, [1]],
    ]);
    expect(calls.flatMap(coords)).toEqual(['t-0@0', 't-0@2']);
  });

  it('waits out the batching window for a partial batch, not for a full one', async () => {
    const { calls, handler } = recorder(ok);
    const sim = new EsmSimulator(handler, { batchSize: 10, batchWindowMs: 150 });
    sim.produce(topicRecords('w', 1, 3));
    setTimeout(() => sim.produce(topicRecords('w2', 1, 3)), 40);
    const started = Date.now();
    await sim.drain();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    // The records produced during the window joined the first batch.
    expect(calls).toHaveLength(1);
    expect(coords(calls[0]!)).toHaveLength(6);

    const full = recorder(ok);
    const fast = new EsmSimulator(full.handler, { batchSize: 3, batchWindowMs: 10_000 });
    fast.produce(topicRecords('f', 1, 3));
    const t = Date.now();
    await fast.drain();
    expect(Date.now() - t).toBeLessThan(1_000);
  });
});

describe('EsmSimulator failure handling', () => {
  it('an object identifier redelivers that partition from the offset; other partitions move on', async () => {
    const { calls, handler } = recorder(async (_e, call) =>
      call === 1 ? { batchItemFailures: [{ itemIdentifier: { partition: 't-1', offset: 2 } }] } : undefined,
    );
    const sim = new EsmSimulator(handler, { batchSize: 8 });
    sim.produce(topicRecords('t', 2, 4));
    const stats = await sim.drain();
    expect(coords(calls[1]!)).toEqual(['t-1@2', 't-1@3']);
    expect(calls).toHaveLength(2);
    expect(stats.redeliveries).toBe(2);
  });

  it.each([
    ['a string identifier', [{ itemIdentifier: 't-0@1' }]],
    ['an unknown offset', [{ itemIdentifier: { partition: 't-0', offset: 99 } }]],
    ['an unknown partition', [{ itemIdentifier: { partition: 'nope-0', offset: 0 } }]],
  ])('%s retries the whole batch', async (_name, failures) => {
    const { calls, handler } = recorder(async (_e, call) =>
      call === 1 ? ({ batchItemFailures: failures } as unknown as BatchResponse) : undefined,
    );
    const sim = new EsmSimulator(handler, { batchSize: 4 });
    sim.produce(topicRecords('t', 2, 2));
    const stats = await sim.drain();
    expect(coords(calls[1]!).sort()).toEqual(coords(calls[0]!).sort());
    expect(stats.wholeBatchRetries).toBe(1);
  });

  it('without ReportBatchItemFailures a batch response is ignored', async () => {
    const { calls, handler } = recorder(async () => ({
      batchItemFailures: [{ itemIdentifier: { partition: 't-0', offset: 0 } }],
    }));
    const sim = new EsmSimulator(handler, { reportBatchItemFailures: false });
    sim.produce(topicRecords('t', 1, 3));
    await sim.drain();
    expect(calls).toHaveLength(1);
  });

  it('a throw retries the whole batch up to MaximumRetryAttempts, then gives it up with its payload', async () => {
    const given: GivenUpBatch[] = [];
    const { calls, handler } = recorder(async () => {
      throw new Error('boom');
    });
    const sim = new EsmSimulator(handler, {
      maximumRetryAttempts: 2,
      onFailureDestination: { send: async (b) => void given.push(b) },
    });
    sim.produce(topicRecords('t', 1, 3));
    const stats = await sim.drain();
    expect(calls).toHaveLength(3); // first try + 2 retries
    expect(stats.onFailure.map((r) => r.offset)).toEqual([0, 1, 2]);
    expect(given).toHaveLength(1);
    const record = invocationRecord(given[0]!);
    expect(record.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 3,
    });
    expect(record.KafkaBatchInfo).toMatchObject({ topic: 't', partition: 0, firstOffset: 0, lastOffset: 2 });
    expect(record.payload.records['t-0']).toHaveLength(3);
  });

  it('MaximumRecordAge gives old records up before invoking', async () => {
    const { calls, handler } = recorder(ok);
    const sim = new EsmSimulator(handler, { maximumRecordAgeMs: 60_000, now: () => T0 + 61_000 });
    const rs = topicRecords('t', 1, 3);
    rs[2]!.timestamp = T0 + 30_000;
    sim.produce(rs);
    const stats = await sim.drain();
    expect(stats.onFailureBatches).toEqual([
      { condition: FailureConditions.recordAgeExceeded, records: [rs[0], rs[1]] },
    ]);
    expect(calls.flatMap(coords)).toEqual(['t-0@2']);
  });

  it('bisects on a function error until the poisoned record is alone', async () => {
    const { calls, handler } = recorder(async (event) => {
      if (coords(event).includes('t-0@5')) throw new Error('poison');
      return undefined;
    });
    const sim = new EsmSimulator(handler, {
      batchSize: 8,
      bisectBatchOnFunctionError: true,
      maximumRetryAttempts: 1,
    });
    sim.produce(topicRecords('t', 1, 8));
    const stats = await sim.drain();
    expect(stats.onFailure.map((r) => r.offset)).toEqual([5]);
    expect(stats.bisections).toBe(3);
    const delivered = new Set(calls.flatMap(coords));
    expect(delivered.size).toBe(8);
    // Bisection does not count as a retry: the lone record got first try + 1 retry.
    expect(calls.filter((e) => coords(e).join() === 't-0@5')).toHaveLength(2);
  });

  it('enforces the function timeout: the batch is retried while the late work still finishes', async () => {
    let finished = 0;
    const { calls, handler } = recorder(async (_e, call) => {
      if (call === 1) {
        await new Promise((r) => setTimeout(r, 200));
        finished++;
      }
      return undefined;
    });
    const sim = new EsmSimulator(handler, { timeoutMs: 50 });
    sim.produce(topicRecords('t', 1, 2));
    const stats = await sim.drain();
    expect(stats.timeouts).toBe(1);
    expect(calls).toHaveLength(2);
    expect(coords(calls[1]!)).toEqual(coords(calls[0]!));
    // drain waited for the timed-out invocation's work.
    expect(finished).toBe(1);
  });

  it('getRemainingTimeInMillis counts down from the function timeout', async () => {
    let remaining = -1;
    const sim = new EsmSimulator(
      async (_e, context) => {
        remaining = context.getRemainingTimeInMillis();
        return undefined;
      },
      { timeoutMs: 3_000 },
    );
    sim.produce(topicRecords('t', 1, 1));
    await sim.drain();
    expect(remaining).toBeGreaterThan(2_500);
    expect(remaining).toBeLessThanOrEqual(3_000);
  });

  it('property: with any mix of reports, throws and bisection, each partition is delivered in order and nothing is skipped', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 10 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 20, maxLength: 20 }),
        async (partitions, perPartition, batchSize, bisect, script) => {
          let call = 0;
          // Highest offset acknowledged per partition: the next record delivered must not skip past it.
          const committed = new Map<string, number>();
          const violations: string[] = [];
          const sim = new EsmSimulator(
            async (event) => {
              const move = script[call++ % script.length]!;
              for (const [key, rs] of Object.entries(event.records)) {
                const first = rs[0]!.offset;
                const next = (committed.get(key) ?? -1) + 1;
                if (first > next) violations.push(`${key}: got ${first}, expected ≤ ${next}`);
                rs.forEach((r, i) => {
                  if (i > 0 && r.offset !== rs[i - 1]!.offset + 1)
                    violations.push(`${key}: gap at ${r.offset}`);
                });
              }
              if (move === 0) throw new Error('fail');
              const failures: BatchResponse['batchItemFailures'] = [];
              for (const [key, rs] of Object.entries(event.records)) {
                const cut = move === 1 ? rs[Math.floor(rs.length / 2)] : undefined;
                if (cut) failures.push({ itemIdentifier: { partition: key, offset: cut.offset } });
                const done = cut ? cut.offset - 1 : rs.at(-1)!.offset;
                committed.set(key, Math.max(committed.get(key) ?? -1, done));
              }
              return { batchItemFailures: failures };
            },
            {
              batchSize,
              bisectBatchOnFunctionError: bisect,
              maximumRetryAttempts: 3,
              // Given-up records are committed too: the partition moves past them.
              onFailureDestination: {
                send: async ({ records }) => {
                  for (const r of records) {
                    const key = `${r.topic}-${r.partition}`;
                    committed.set(key, Math.max(committed.get(key) ?? -1, r.offset));
                  }
                },
              },
            },
          );
          sim.produce(topicRecords('p', partitions, perPartition));
          const stats = await sim.drain();
          expect(violations).toEqual([]);
          // Every record was either acknowledged or given up.
          for (let p = 0; p < partitions; p++) {
            const key = `p-${p}`;
            const given = new Set(stats.onFailure.filter((r) => r.partition === p).map((r) => r.offset));
            for (let o = 0; o < perPartition; o++) {
              if (!given.has(o)) expect(o).toBeLessThanOrEqual(committed.get(key) ?? -1);
            }
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
