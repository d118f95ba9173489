// processEvent with the byte lane (lane.ts): records a byte path takes are sent by the lane, the
// rest by the bulk service, and a lane chunk whose answer is not a plain success is handed back.
// Whatever the cluster does, every record must end in exactly one place (indexed once, dead-lettered,
// dropped, or reported for redelivery), the counters must add up, and every document must be the
// one prepareRecord builds for that record (the lane writes the same bytes).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { IndexBatchOptions } from '../../../functions/core/bulk/index-batch.ts';
import type { PreparedRecord } from '../../../functions/core/bulk/types.ts';
import { decodeEvent } from '../../../functions/core/kafka/decode.ts';
import type { KafkaEvent, KafkaEventRecord } from '../../../functions/core/kafka/types.ts';
import { parsePipelineConfig } from '../../../functions/core/pipeline/config.ts';
import { createPrepareCounters, prepareRecord } from '../../../functions/core/pipeline/prepare.ts';
import { processEvent } from '../../../functions/ingest/process.ts';
import {
  FakeClock,
  FakeDeadLetterStore,
  FakeOpenSearch,
  type ItemFate,
  prng,
  type RequestFate,
} from '../bulk/fakes.ts';

const config = parsePipelineConfig({
  topics: [
    { match: 'app-logs', pipeline: 'app' },
    { match: 'nginx.access', pipeline: 'nginx' },
  ],
  pipelines: {
    app: {
      codec: 'auto',
      parsers: ['json', 'logfmt'],
      timestamp: { fields: ['@timestamp', 'time'], formats: ['iso8601', 'epoch_ms'], timezone: 'UTC' },
      route: { index: 'logs-{service.name}-{yyyy.MM.dd}', fallback: 'logs-unrouted' },
      id: { type: 'coordinates' },
      action: 'create',
      service: 'unknown',
    },
    nginx: {
      codec: 'text',
      parsers: ['nginx_access'],
      timestamp: { fields: ['@timestamp'], formats: ['httpdate'], timezone: 'UTC' },
      route: { index: 'logs-{service.name}-{yyyy.MM.dd}', fallback: 'logs-unrouted' },
      id: { type: 'coordinates' },
      action: 'create',
      service: 'nginx',
    },
  },
});

const NOW = Date.UTC(2026, 10, 20, 12);

// Values from the shapes the pipelines meet: most take a byte path, the others the usual one.
const valueArb = fc.oneof(
  fc
    .record({
      ms: fc.integer({ min: NOW - 86_400_000, max: NOW }),
      level: fc.constantFrom('info', 'warn', 'error'),
      service: fc.constantFrom('checkout', 'auth', 'é-svc'),
      msg: fc.string({ maxLength: 40 }),
      n: fc.integer(),
    })
    .map(({ ms, level, service, msg, n }) =>
      JSON.stringify({ time: new Date(ms).toISOString(), level, service, msg, n }),
    ),
  fc
    .tuple(
      fc.integer({ min: 0, max: 255 }),
      fc.constantFrom('GET', 'POST'),
      fc.nat(99_999),
      fc.string({ maxLength: 30 }),
    )
    .map(
      ([ip, method, bytes, agent]) =>
        `10.0.0.${ip} - - [20/Nov/2026:11:59:59 +0000] "${method} /x/${bytes} HTTP/1.1" 200 ${bytes} "-" "${agent.replaceAll('"', '')}"`,
    ),
  fc.constantFrom(
    'level=info msg="logfmt line"',
    '{"broken": ',
    '{"a":1,"a":2}',
    'plain words',
    '{"big":"' + 'x'.repeat(3000) + '"}',
    // A time that does not read counts a fallback, large or not.
    '{"time":"yesterday","msg":"m"}',
    '{"time":"yesterday","big":"' + 'y'.repeat(3000) + '"}',
  ),
  fc.string({ maxLength: 60 }),
);

const recordArb = fc.record({
  topic: fc.constantFrom('app-logs', 'app-logs', 'nginx.access', 'nowhere'),
  partition: fc.nat(2),
  value: fc.oneof(
    { weight: 12, arbitrary: valueArb.map((text) => Buffer.from(text).toString('base64')) },
    { weight: 1, arbitrary: fc.constant('not base64!') },
    { weight: 1, arbitrary: fc.constant(Buffer.from([0xff, 0xfe, 0x7b]).toString('base64')) },
    { weight: 1, arbitrary: fc.constant(null) },
  ),
  keyed: fc.nat(9).map((n) => n === 0),
  headers: fc.nat(9).map((n) => n === 0),
});

function eventOf(
  specs: ReadonlyArray<typeof recordArb extends fc.Arbitrary<infer T> ? T : never>,
): KafkaEvent {
  const records: Record<string, KafkaEventRecord[]> = {};
  const next = new Map<string, number>();
  for (const s of specs) {
    const list = `${s.topic}-${s.partition}`;
    const offset = next.get(list) ?? 100;
    next.set(list, offset + 1);
    const listed = records[list] ?? [];
    records[list] = listed;
    listed.push({
      topic: s.topic,
      partition: s.partition,
      offset,
      timestamp: NOW - 1000 + offset,
      key: s.keyed ? Buffer.from(`k${offset}`).toString('base64') : null,
      value: s.value,
      headers: s.headers ? [{ trace: [0x61, 0x62] }] : [],
    });
  }
  return { eventSource: 'aws:kafka', records };
}

const chance = (max: number) => fc.integer({ min: 0, max }).map((n) => n / 100);

const scenarioArb = fc.record({
  seed: fc.integer(),
  budgetMs: fc.oneof(fc.integer({ min: 0, max: 2000 }), fc.integer({ min: 2000, max: 30_000 })),
  maxBodyBytes: fc.oneof(fc.integer({ min: 300, max: 6000 }), fc.constant(10_000_000)),
  maxChunkBytes: fc.integer({ min: 200, max: 8000 }),
  streamChunkBytes: fc.integer({ min: 100, max: 8000 }),
  concurrency: fc.integer({ min: 1, max: 3 }),
  maxAttempts: fc.integer({ min: 1, max: 4 }),
  requestFailure: chance(50),
  itemFailure: chance(50),
  poison: chance(20),
});

function world(scenario: typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never) {
  const random = prng(scenario.seed);
  const clock = new FakeClock(scenario.budgetMs);
  const requestFates: RequestFate[] = [
    { kind: 'reject' },
    { kind: 'reject_after_apply' },
    { kind: 'status', statusCode: 502, body: '<html>502 Bad Gateway</html>' },
    {
      kind: 'status',
      statusCode: 429,
      body: { error: { type: 'rejected_execution_exception' }, status: 429 },
    },
    { kind: 'status', statusCode: 200, body: '{"errors":false,"items":[]}' },
  ];
  const itemFates: ItemFate[] = [429, 500, 503, 403];
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const search = new FakeOpenSearch({
    clock,
    maxBodyBytes: scenario.maxBodyBytes,
    latencyMs: () => Math.floor(random() * 300),
    requestFate: () => (random() < scenario.requestFailure ? pick(requestFates) : { kind: 'answer' }),
    itemFate: () => (random() < scenario.itemFailure ? pick(itemFates) : 'ok'),
  });
  const store = new FakeDeadLetterStore();
  const options: IndexBatchOptions = {
    maxChunkBytes: scenario.maxChunkBytes,
    streamChunkBytes: scenario.streamChunkBytes,
    concurrency: scenario.concurrency,
    safetyMarginMs: 300,
    maxAttempts: scenario.maxAttempts,
    baseDelayMs: 50,
    maxDelayMs: 1000,
    requestTimeoutMs: 3000,
    deadLetterPrefix: 'dlq/',
  };
  const deps = {
    transport: { send: (body: Buffer, opts: { timeoutMs: number }) => search.send(body, opts).then(asHttp) },
    deadLetters: store,
    clock: { now: () => NOW + clock.now },
    sleep: clock.sleep,
    random,
    remainingMs: clock.remainingMs,
  };
  return { search, store, options, deps };
}

/**
 * The fake's answer as the adapter hands it over: the body's bytes, shaped by the adapter's
 * filter_path (`errors`, and each item's `_id`, `status` and `error`), so the lane's byte check
 * meets what OpenSearch writes.
 */
function asHttp(answer: { statusCode: number; body: unknown }): { statusCode: number; body: Buffer } {
  const body = answer.body as {
    took?: number;
    errors?: boolean;
    items?: Array<Record<string, Record<string, unknown>>>;
  };
  if (typeof body === 'string') return { statusCode: answer.statusCode, body: Buffer.from(body) };
  const shaped = Array.isArray(body.items)
    ? {
        took: body.took,
        errors: body.errors,
        items: body.items.map((item) =>
          Object.fromEntries(
            Object.entries(item).map(([action, r]) => [
              action,
              { _id: r._id, status: r.status, ...(r.error === undefined ? {} : { error: r.error }) },
            ]),
          ),
        ),
      }
    : body;
  return { statusCode: answer.statusCode, body: Buffer.from(JSON.stringify(shaped)) };
}

/**
 * What prepareRecord makes of each record of the event, by `topic/partition/offset`; `counters`,
 * when given, counts what it met.
 */
function usual(event: KafkaEvent, counters = createPrepareCounters()): Map<string, PreparedRecord> {
  const decoded = decodeEvent(event);
  const out = new Map<string, PreparedRecord>();
  for (const record of decoded.records) {
    const prepared = prepareRecord(record, config, counters, { now: NOW });
    out.set(`${record.topic}/${record.partition}/${record.offset}`, prepared);
  }
  for (const error of decoded.errors) {
    out.set(`${error.coords.topic}/${error.coords.partition}/${error.coords.offset}`, {
      kind: 'dead_letter',
      ...error,
      pipeline: '',
      original: error.raw,
    });
  }
  return out;
}

describe('processEvent with the byte lane', () => {
  it('ends every record in exactly one place, with the documents prepareRecord builds', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(recordArb, { maxLength: 60 }), scenarioArb, async (specs, scenario) => {
        const event = eventOf(specs);
        const expectedCounters = createPrepareCounters();
        const expected = usual(event, expectedCounters);
        const { search, store, options, deps } = world(scenario);
        const poisoned = new Set<string>();
        const random = prng(scenario.seed ^ 1);
        for (const [, record] of expected) {
          if (record.kind === 'write' && random() < scenario.poison) poisoned.add(record.id);
        }
        search.poison = poisoned;
        const batch = await processEvent(event, config, deps, options);
        const { counters, batchResponse } = batch.result;
        // BULK_CONCURRENCY bounds the batch's requests, the lane's and the bulk service's together.
        expect(search.maxInFlight).toBeLessThanOrEqual(scenario.concurrency);

        const reportedFrom = new Map<string, number>();
        for (const f of batchResponse.batchItemFailures) {
          reportedFrom.set(f.itemIdentifier.partition, f.itemIdentifier.offset);
        }
        const deadLettered = new Set<string>();
        for (const entries of store.objects.values()) {
          for (const e of entries) deadLettered.add(`${e.topic}/${e.partition}/${e.offset}`);
        }
        let indexed = 0;
        for (const [key, record] of expected) {
          const { topic, partition, offset } = record.coords;
          const reported = offset >= (reportedFrom.get(`${topic}-${partition}`) ?? Number.POSITIVE_INFINITY);
          const stored =
            record.kind === 'write' ? search.documents.get(`${record.index}/${record.id}`) : undefined;
          if (stored !== undefined) {
            indexed++;
            // The lane's bytes are prepareRecord's bytes.
            if (record.kind === 'write') expect(stored).toBe(record.source.toString());
          }
          const placed = (stored !== undefined ? 1 : 0) + (deadLettered.has(key) ? 1 : 0);
          if (record.kind === 'dropped') expect(placed).toBe(0);
          else if (!reported) expect(placed, `${key} (${record.kind})`).toBe(1);
          else expect(placed).toBeLessThanOrEqual(1);
        }
        // Every create was accepted once: no document was written twice.
        expect(new Set(search.accepted).size).toBe(search.accepted.length);
        expect(counters.recordsIn).toBe(expected.size);
        expect(
          counters.indexed +
            counters.duplicates +
            counters.deadLettered +
            counters.dropped +
            counters.reported,
        ).toBe(expected.size);
        expect(counters.indexed + counters.duplicates).toBeLessThanOrEqual(indexed + poisoned.size);
        expect(counters.bulkRequests).toBe(search.bodies.length);
        // Each record counted once, whichever way it went (lane, handed back, over the cap).
        expect(batch.prepare).toEqual(expectedCounters);
        // Over the cap only alone: an item larger than the cap is sent by itself.
        for (const body of search.bodies) {
          if (body.length > options.maxChunkBytes) expect(body.toString().split('\n').length).toBe(3);
        }
      }),
      { numRuns: 150 },
    );
  });

  /** A cluster where nothing goes wrong, with room for a small batch in one request. */
  const CALM = {
    seed: 1,
    budgetMs: 60_000,
    maxBodyBytes: 10_000_000,
    maxChunkBytes: 5_000_000,
    streamChunkBytes: 1_000_000,
    concurrency: 2,
    maxAttempts: 3,
    requestFailure: 0,
    itemFailure: 0,
    poison: 0,
  };

  it('sends a batch that all goes well through the lane, in one request when small', async () => {
    const specs = Array.from({ length: 20 }, (_, i) => ({
      topic: 'app-logs' as const,
      partition: i % 2,
      value: Buffer.from(
        JSON.stringify({ time: new Date(NOW).toISOString(), level: 'info', service: 's', i }),
      ).toString('base64'),
      keyed: false,
      headers: false,
    }));
    const event = eventOf(specs);
    const { search, options, deps } = world(CALM);
    const batch = await processEvent(event, config, deps, options);
    expect(batch.result.counters).toMatchObject({ recordsIn: 20, indexed: 20, retried: 0, bulkRequests: 1 });
    // The lane settled them: the bulk service had none to list.
    expect(batch.result.outcomes).toEqual([]);
    expect(search.documents.size).toBe(20);
  });

  it.each([1, 2])(
    'keeps at most BULK_CONCURRENCY (%i) requests in flight, the lane and the bulk service together',
    async (concurrency) => {
      // JSON goes by the lane, logfmt by the bulk service; small chunks make many requests of each.
      const specs = Array.from({ length: 120 }, (_, i) => ({
        topic: 'app-logs' as const,
        partition: i % 3,
        value: Buffer.from(
          i % 2 === 0
            ? JSON.stringify({ time: new Date(NOW).toISOString(), service: 's', i })
            : `level=info msg="logfmt ${i}"`,
        ).toString('base64'),
        keyed: false,
        headers: false,
      }));
      const { search, options, deps } = world({
        ...CALM,
        concurrency,
        maxChunkBytes: 600,
        streamChunkBytes: 300,
      });
      let inFlight = 0;
      let maxInFlight = 0;
      const senders = new Set<string>();
      const transport = {
        async send(body: Buffer, opts: { timeoutMs: number }) {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          // The lane sends only what a byte path wrote (the JSON); the bulk service, the logfmt.
          senders.add(body.includes('logfmt') ? 'bulk' : 'lane');
          try {
            // Answers take a few turns of the event loop, as a cluster's do: sends can overlap.
            for (let t = 0; t < 3; t++) await new Promise<void>((resolve) => setImmediate(resolve));
            return await deps.transport.send(body, opts);
          } finally {
            inFlight--;
          }
        },
      };
      const batch = await processEvent(eventOf(specs), config, { ...deps, transport }, options);
      expect(batch.result.counters).toMatchObject({ recordsIn: 120, indexed: 120 });
      expect(search.documents.size).toBe(120);
      expect(senders).toEqual(new Set(['lane', 'bulk']));
      expect(maxInFlight).toBe(concurrency);
    },
  );

  it('keeps batches apart when they run at once or one after another (the lane is reused)', async () => {
    const specs = (count: number, service: string) =>
      Array.from({ length: count }, (_, i) => ({
        topic: 'app-logs' as const,
        partition: 0,
        value: Buffer.from(
          // An unreadable time falls back to Kafka's: counted per batch in `prepare`.
          JSON.stringify({ time: i % 2 === 0 ? 'soon' : new Date(NOW).toISOString(), service, i }),
        ).toString('base64'),
        keyed: false,
        headers: false,
      }));
    const [a, b, c] = [world(CALM), world(CALM), world(CALM)];
    const [first, second] = await Promise.all([
      processEvent(eventOf(specs(30, 'a')), config, a.deps, a.options),
      processEvent(eventOf(specs(7, 'b')), config, b.deps, b.options),
    ]);
    const third = await processEvent(eventOf(specs(4, 'c')), config, c.deps, c.options);
    expect(first.result.counters).toMatchObject({ recordsIn: 30, indexed: 30, bulkRequests: 1 });
    expect(second.result.counters).toMatchObject({ recordsIn: 7, indexed: 7, bulkRequests: 1 });
    expect(third.result.counters).toMatchObject({ recordsIn: 4, indexed: 4, bulkRequests: 1 });
    expect([first, second, third].map((batch) => batch.prepare.timestampFallbacks)).toEqual([15, 4, 2]);
    expect([a, b, c].map((w) => w.search.documents.size)).toEqual([30, 7, 4]);
  });
});
