import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BatchResult,
  type IndexBatchOptions,
  indexBatch,
} from '../../../functions/core/bulk/index-batch.ts';
import { type DeadLetterEntry, Outcomes, type PreparedRecord } from '../../../functions/core/bulk/types.ts';
import {
  FakeClock,
  FakeDeadLetterStore,
  FakeOpenSearch,
  type ItemFate,
  prng,
  type RequestFate,
} from './fakes.ts';

const TOPICS = ['app-logs', 'nginx-access', 'sys'] as const;

const recordArb = fc
  .uniqueArray(
    fc.record({
      topic: fc.constantFrom(...TOPICS),
      partition: fc.nat(2),
      offset: fc.nat(60),
      kind: fc.constantFrom('write', 'write', 'write', 'write', 'dead_letter', 'dropped'),
      poison: fc.nat(7).map((n) => n === 0),
      size: fc.oneof(fc.nat(100), fc.nat(400)),
    }),
    { selector: (r) => `${r.topic}/${r.partition}/${r.offset}`, maxLength: 40 },
  )
  .map((specs) =>
    specs.map((s): { record: PreparedRecord; poison: boolean } => {
      const coords = { topic: s.topic, partition: s.partition, offset: s.offset };
      const base = { coords, pipeline: 'p', timestamp: s.offset };
      if (s.kind === 'dropped')
        return { record: { ...base, kind: 'dropped', reason: 'tombstone' }, poison: false };
      const original = Buffer.from(`raw ${s.topic} ${s.partition} ${s.offset}`);
      if (s.kind === 'dead_letter') {
        return {
          record: {
            ...base,
            kind: 'dead_letter',
            errorType: 'parse_error',
            reason: 'no parser matched',
            original,
          },
          poison: false,
        };
      }
      return {
        record: {
          ...base,
          kind: 'write',
          action: 'create',
          index: `logs-${s.topic}`,
          id: `${s.topic}-${s.partition}-${s.offset}`,
          source: JSON.stringify({ message: `é${'x'.repeat(s.size)}` }),
          original,
        },
        poison: s.poison,
      };
    }),
  );

/** A probability between 0 and max%, spread evenly (doubles cluster at the bounds). */
const chance = (max: number) => fc.integer({ min: 0, max }).map((n) => n / 100);

const scenarioArb = fc.record({
  seed: fc.integer(),
  budgetMs: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 2000, max: 30_000 })),
  maxBodyBytes: fc.integer({ min: 200, max: 4000 }),
  maxChunkBytes: fc.integer({ min: 100, max: 4000 }),
  concurrency: fc.integer({ min: 1, max: 4 }),
  maxAttempts: fc.integer({ min: 1, max: 6 }),
  requestFailure: chance(60),
  itemFailure: chance(60),
  deadLetterFailure: chance(50),
  crash: fc.oneof(fc.constant(0), chance(50)),
});

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

function world(scenario: Scenario, poison: ReadonlySet<string>) {
  const random = prng(scenario.seed);
  const clock = new FakeClock(scenario.budgetMs);
  const requestFates: RequestFate[] = [
    { kind: 'reject' },
    { kind: 'reject_after_apply' },
    { kind: 'status', statusCode: 502, body: '<html>502 Bad Gateway</html>' },
    {
      kind: 'status',
      statusCode: 503,
      body: { error: { type: 'cluster_block_exception', reason: 'state not recovered' }, status: 503 },
    },
    { kind: 'status', statusCode: 504, body: { message: 'Endpoint request timed out' } },
    {
      kind: 'status',
      statusCode: 429,
      body: { error: { type: 'rejected_execution_exception', reason: 'rejected' }, status: 429 },
    },
    {
      kind: 'status',
      statusCode: 403,
      body: { error: { type: 'cluster_block_exception', reason: 'blocked' }, status: 403 },
    },
  ];
  const itemFates: ItemFate[] = [429, 500, 503, 403];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const search = new FakeOpenSearch({
    clock,
    poison,
    maxBodyBytes: scenario.maxBodyBytes,
    latencyMs: () => Math.floor(random() * 400),
    requestFate: () => (random() < scenario.requestFailure ? pick(requestFates) : { kind: 'answer' }),
    itemFate: () => (random() < scenario.itemFailure ? pick(itemFates) : 'ok'),
  });
  const store = new FakeDeadLetterStore(() => random() < scenario.deadLetterFailure);
  const options: IndexBatchOptions = {
    maxChunkBytes: scenario.maxChunkBytes,
    concurrency: scenario.concurrency,
    safetyMarginMs: 500,
    maxAttempts: scenario.maxAttempts,
    baseDelayMs: 50,
    maxDelayMs: 2000,
    requestTimeoutMs: 3000,
    deadLetterPrefix: 'dlq/',
  };
  const deps = {
    transport: search,
    deadLetters: store,
    clock: { now: () => clock.now },
    sleep: clock.sleep,
    random,
    remainingMs: clock.remainingMs,
  };
  return { clock, search, store, options, deps };
}

const pid = (r: PreparedRecord): string => `${r.coords.topic}-${r.coords.partition}`;
const coordKey = (c: { topic: string; partition: number; offset: number }): string =>
  `${c.topic}/${c.partition}/${c.offset}`;

/** Checks one delivery; returns the records the ESM would redeliver. */
function checkDelivery(
  records: readonly PreparedRecord[],
  result: BatchResult,
  before: { accepted: number; settled: number; objects: ReadonlyMap<string, readonly DeadLetterEntry[]> },
  search: FakeOpenSearch,
  store: FakeDeadLetterStore,
): PreparedRecord[] {
  const allowed = new Set(Object.values(Outcomes));
  expect(result.outcomes).toHaveLength(records.length);
  result.outcomes.forEach((o) => {
    expect(allowed.has(o)).toBe(true);
  });

  // Indexed records were accepted by OpenSearch during this delivery, exactly once.
  const acceptedNow = search.accepted.slice(before.accepted);
  expect(new Set(acceptedNow).size).toBe(acceptedNow.length);
  const acceptedSet = new Set(acceptedNow);
  // Only failed items are sent again: an item answered for good is never re-sent in a delivery.
  const settledNow = search.settled.slice(before.settled);
  expect(new Set(settledNow).size).toBe(settledNow.length);
  records.forEach((r, i) => {
    const outcome = result.outcomes[i];
    if (r.kind === 'dropped') expect(outcome).toBe('dropped');
    else expect(outcome).not.toBe('dropped');
    if (outcome === 'indexed') {
      expect(r.kind).toBe('write');
      if (r.kind === 'write') expect(acceptedSet.has(`${r.index}/${r.id}`)).toBe(true);
    }
    if (outcome === 'duplicate' && r.kind === 'write')
      expect(search.documents.has(`${r.index}/${r.id}`)).toBe(true);
  });

  // Dead-lettered records are in exactly one object written in this delivery, with a reason.
  // Written in this delivery: new keys, or keys overwritten (a redelivery of the same batch).
  const newObjects = [...store.objects].filter(([key, entries]) => before.objects.get(key) !== entries);
  expect(new Set(result.deadLetterKeys)).toEqual(new Set(newObjects.map(([key]) => key)));
  const inObjects = new Map<string, number>();
  for (const [key, entries] of newObjects) {
    for (const entry of entries) {
      expect(entry.errorType.length).toBeGreaterThan(0);
      expect(key).toMatch(
        new RegExp(`^dlq/topic=${entry.topic}/partition=${entry.partition}/\\d+-\\d+\\.ndjson\\.gz$`),
      );
      inObjects.set(coordKey(entry), (inObjects.get(coordKey(entry)) ?? 0) + 1);
    }
  }
  // Objects merge by coordinates, so a rewritten object may still hold a record an earlier
  // delivery dead-lettered; anything else of this batch must not be there.
  const storedBefore = new Set<string>();
  for (const entries of before.objects.values()) for (const e of entries) storedBefore.add(coordKey(e));
  records.forEach((r, i) => {
    const count = inObjects.get(coordKey(r.coords)) ?? 0;
    if (result.outcomes[i] === 'dead_lettered') expect(count).toBe(1);
    else expect(count).toBe(storedBefore.has(coordKey(r.coords)) ? count : 0);
    expect(count).toBeLessThanOrEqual(1);
  });

  // One failure entry per partition with a reported record, at its lowest reported offset.
  const lowest = new Map<string, number>();
  records.forEach((r, i) => {
    if (result.outcomes[i] !== 'reported') return;
    lowest.set(pid(r), Math.min(lowest.get(pid(r)) ?? Number.POSITIVE_INFINITY, r.coords.offset));
  });
  const failures = result.batchResponse.batchItemFailures;
  expect(failures).toHaveLength(lowest.size);
  for (const f of failures) expect(f.itemIdentifier.offset).toBe(lowest.get(f.itemIdentifier.partition));

  // Counters agree with the outcomes.
  const count = (o: string): number => result.outcomes.filter((x) => x === o).length;
  expect(result.counters).toMatchObject({
    recordsIn: records.length,
    indexed: count('indexed'),
    duplicates: count('duplicate'),
    deadLettered: count('dead_lettered'),
    dropped: count('dropped'),
    reported: count('reported'),
  });
  if (result.nothingDurable) {
    expect(count('indexed') + count('duplicate') + count('dead_lettered')).toBe(0);
    expect(result.counters.deadLetterWriteFailures).toBeGreaterThan(0);
  }

  // The ESM redelivers, per partition, everything from the reported offset on.
  return records.filter((r) => {
    const from = lowest.get(pid(r));
    return from !== undefined && r.coords.offset >= from;
  });
}

describe('indexBatch invariants', () => {
  it('every record ends in exactly one place, accounted for', async () => {
    await fc.assert(
      fc.asyncProperty(recordArb, scenarioArb, async (generated, scenario) => {
        const records = generated.map((g) => g.record);
        const poison = new Set(
          generated.filter((g) => g.poison).map((g) => (g.record.kind === 'write' ? g.record.id : '')),
        );
        const { search, store, options, deps } = world(scenario, poison);
        const result = await indexBatch(records, deps, options);
        checkDelivery(records, result, { accepted: 0, settled: 0, objects: new Map() }, search, store);
      }),
      { numRuns: 300 },
    );
  }, 30_000);

  it('across redeliveries each record is written once or dead-lettered once, never both, never neither', async () => {
    await fc.assert(
      fc.asyncProperty(recordArb, scenarioArb, async (generated, scenario) => {
        const all = generated.map((g) => g.record);
        const poison = new Set(
          generated.filter((g) => g.poison).map((g) => (g.record.kind === 'write' ? g.record.id : '')),
        );
        const { clock, search, store, options, deps } = world(scenario, poison);
        const random = prng(scenario.seed + 1);
        let pending = all;
        let delivery = 0;
        while (pending.length > 0) {
          delivery++;
          expect(delivery).toBeLessThan(60);
          if (delivery > 8) {
            // The outage ends: later deliveries meet a healthy cluster and store.
            scenario.requestFailure = 0;
            scenario.itemFailure = 0;
            scenario.deadLetterFailure = 0;
          }
          clock.now = 0;
          clock.deadline = delivery > 8 ? 60_000 : scenario.budgetMs;
          const before = {
            accepted: search.accepted.length,
            settled: search.settled.length,
            objects: new Map(store.objects),
          };
          const result = await indexBatch(pending, deps, options);
          const redeliver = checkDelivery(pending, result, before, search, store);
          // A crash after the work (the answer never reaches the ESM) redelivers the same batch.
          if (delivery > 8 || random() >= scenario.crash) pending = redeliver;
        }
        const deadLettered = new Map<string, number>();
        for (const entries of store.objects.values()) {
          for (const e of entries) deadLettered.set(coordKey(e), (deadLettered.get(coordKey(e)) ?? 0) + 1);
        }
        const accepted = new Map<string, number>();
        for (const key of search.accepted) accepted.set(key, (accepted.get(key) ?? 0) + 1);
        for (const r of all) {
          const dl = deadLettered.get(coordKey(r.coords)) ?? 0;
          const written = r.kind === 'write' ? (accepted.get(`${r.index}/${r.id}`) ?? 0) : 0;
          if (r.kind === 'dropped') {
            expect([dl, written]).toEqual([0, 0]);
          } else {
            // Crash or not: dead-letter objects are keyed by offset window and merged by
            // coordinates, so a redelivery with other boundaries never stores a record twice.
            expect([r.kind, dl, written, dl + written]).toEqual([r.kind, dl, written, 1]);
          }
        }
      }),
      { numRuns: 200 },
    );
  }, 30_000);
});
