import { batchResponse, partitionId } from '../kafka/batch-response.ts';
import type { BatchResponse } from '../kafka/types.ts';
import { type Chunk, chunkItem, chunkItems, type EncodedItem, splitChunk } from './chunk.ts';
import { ChunkWriter } from './chunk-writer.ts';
import { type BulkAnswer, classifyResponse, type ItemVerdict, type SentItem } from './classify.ts';
import { BulkOptionsError } from './errors.ts';
import { planRetry } from './retry.ts';
import { type DeadLetterEntry, ItemClasses, type Outcome, Outcomes, type PreparedRecord } from './types.ts';

export interface BulkTransport {
  /** Sends one NDJSON body to `_bulk`; rejects on network errors and timeouts. */
  send(body: Buffer, opts: { timeoutMs: number }): Promise<{ statusCode: number; body: unknown }>;
}

export interface DeadLetterStore {
  /** Writes one object (the store gzips); rejects on failure. Same key = same object, overwritten. */
  put(key: string, entries: DeadLetterEntry[], opts: { timeoutMs: number }): Promise<void>;
}

export interface Clock {
  now(): number;
}

export interface IndexBatchDeps {
  transport: BulkTransport;
  deadLetters: DeadLetterStore;
  clock: Clock;
  sleep(ms: number): Promise<void>;
  random(): number;
  /** Time the invocation has left, in milliseconds. */
  remainingMs(): number;
}

export interface IndexBatchOptions {
  maxChunkBytes: number;
  concurrency: number;
  safetyMarginMs: number;
  /** Sends per item, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  requestTimeoutMs: number;
  deadLetterPrefix: string;
  /** Records handed over in slices: a chunk leaves at a slice's end once it holds this much (default 1 MiB). */
  streamChunkBytes?: number;
  /**
   * The batch's request slots, when something else sends bulk requests in the same batch (the
   * byte lane): `concurrency` then bounds both senders together. Default: the batch's own.
   */
  slots?: RequestSlots;
  /**
   * Records the slices will hold in all, when known: near the end, chunks are cut smaller so the
   * last answer arrives soon after the last record is prepared.
   */
  expectedRecords?: number;
}

/** Why a record did not end in OpenSearch (dead-lettered or reported). */
export interface RecordFailure {
  errorType: string;
  reason: string;
  status?: number;
}

export interface BatchCounters {
  recordsIn: number;
  indexed: number;
  duplicates: number;
  /** Item sends after the first one (a 413 split is not a retry). */
  retried: number;
  deadLettered: number;
  dropped: number;
  reported: number;
  bulkRequests: number;
  bulkBytes: number;
  bulkLatencyMs: number;
  deadLetterObjects: number;
  deadLetterWriteFailures: number;
}

export interface BatchResult {
  /** One outcome per input record, aligned with the input. */
  outcomes: Outcome[];
  /** For dead-lettered and reported records: the last failure seen. Aligned with the input. */
  failures: Array<RecordFailure | undefined>;
  counters: BatchCounters;
  batchResponse: BatchResponse;
  /** Keys of the dead-letter objects written. */
  deadLetterKeys: string[];
  /** Nothing was made durable and the dead-letter store failed: the handler may throw, by setting. */
  nothingDurable: boolean;
}

function validate(options: IndexBatchOptions): void {
  const positive = ['maxChunkBytes', 'concurrency', 'maxAttempts', 'requestTimeoutMs'] as const;
  for (const name of positive) {
    if (!Number.isFinite(options[name]) || options[name] < 1) {
      throw new BulkOptionsError(`${name} must be at least 1, got ${options[name]}`);
    }
  }
  for (const name of ['safetyMarginMs', 'baseDelayMs', 'maxDelayMs'] as const) {
    if (!Number.isFinite(options[name]) || options[name] < 0) {
      throw new BulkOptionsError(`${name} must be zero or more, got ${options[name]}`);
    }
  }
}

async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * Sends chunks as they come, at most `concurrency` at a time, in the order they were pushed: the
 * first round of a batch handed over in slices. `drained` waits for every send pushed so far.
 */
/** Sends one chunk for a SendQueue; an object rather than a closure (see lane.ts, ChunkItems). */
export interface ChunkSender<T> {
  send(chunk: T): Promise<void>;
}

export class SendQueue<T = Chunk> {
  readonly #concurrency: number;
  readonly #sender: ChunkSender<T>;
  readonly #waiting: T[] = [];
  #active = 0;
  #error: { cause: unknown } | undefined;
  #idle: (() => void) | undefined;

  constructor(concurrency: number, sender: ChunkSender<T>) {
    this.#concurrency = concurrency;
    this.#sender = sender;
  }

  push(chunk: T): void {
    this.#waiting.push(chunk);
    this.#pump();
  }

  drained(): Promise<void> {
    if (this.#active === 0 && this.#waiting.length === 0) return this.#settled();
    return new Promise<void>((resolve) => {
      this.#idle = resolve;
    }).then(() => this.#settled());
  }

  #settled(): Promise<void> {
    return this.#error === undefined ? Promise.resolve() : Promise.reject(this.#error.cause);
  }

  #pump(): void {
    while (this.#active < this.#concurrency && this.#waiting.length > 0) {
      const chunk = this.#waiting.shift()!;
      this.#active++;
      this.#sender
        .send(chunk)
        .catch((error: unknown) => {
          this.#error ??= { cause: error };
        })
        .finally(() => {
          this.#active--;
          this.#pump();
          if (this.#active === 0 && this.#waiting.length === 0) this.#idle?.();
        });
    }
  }
}

/**
 * Bulk requests in flight for one batch, at most `limit`: whoever sends takes a slot for the
 * request alone (not for what it does with the answer, so a 413 split can send its halves).
 * Waiters are served in order.
 */
export class RequestSlots {
  readonly #limit: number;
  #used = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Resolves once a slot is held; release() it when the request has ended, whatever its end. */
  acquire(): Promise<void> {
    if (this.#used < this.#limit) {
      this.#used++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  release(): void {
    const next = this.#waiting.shift();
    // The slot passes straight to the next waiter.
    if (next !== undefined) next();
    else this.#used--;
  }
}

/** Time kept back after the dead-letter writes to answer the invocation. */
const DEAD_LETTER_ANSWER_RESERVE_MS = 200;

/** Offsets per dead-letter object: every delivery of a record maps it to the same object. */
export const DEAD_LETTER_WINDOW = 1000;

/**
 * `${prefix}topic=<topic>/partition=<p>/<windowStart>-<windowEnd>.ndjson.gz`: a fixed window of
 * offsets, not the batch's own range, so a redelivery with other batch boundaries writes into the
 * same object (the store merges by coordinates) instead of a second one.
 */
export function deadLetterKey(prefix: string, topic: string, partition: number, offset: number) {
  const start = Math.floor(offset / DEAD_LETTER_WINDOW) * DEAD_LETTER_WINDOW;
  return `${prefix}topic=${topic}/partition=${partition}/${start}-${start + DEAD_LETTER_WINDOW - 1}.ndjson.gz`;
}

/**
 * In a batch handed over in slices, a chunk is sent at a slice's end once it holds this much, so the
 * cluster works on it while later records are still being prepared.
 */
export const STREAM_CHUNK_BYTES = 1024 * 1024;

/** Prepared records in order, as one array or as slices handed over while later ones are prepared. */
export type RecordSource = readonly PreparedRecord[] | AsyncIterable<readonly PreparedRecord[]>;

/**
 * Writes a batch of prepared records: bulk chunks with bounded concurrency, retries of just the
 * failed items within the invocation's time, 413 splits, then one dead-letter object per partition,
 * then the batch response. Every record ends in exactly one outcome; this never throws for a record.
 * Given slices, the first round starts sending before the last slice arrives; chunks, retries and
 * outcomes follow the same rules.
 */
export async function indexBatch(
  source: RecordSource,
  deps: IndexBatchDeps,
  options: IndexBatchOptions,
): Promise<BatchResult> {
  validate(options);
  const whole = Array.isArray(source);
  const records: PreparedRecord[] = whole ? (source as PreparedRecord[]) : [];
  const outcomes: Array<Outcome | undefined> = whole ? new Array(records.length).fill(undefined) : [];
  let failures: Array<RecordFailure | undefined> = whole ? new Array(records.length).fill(undefined) : [];
  const counters: BatchCounters = {
    recordsIn: records.length,
    indexed: 0,
    duplicates: 0,
    retried: 0,
    deadLettered: 0,
    dropped: 0,
    reported: 0,
    bulkRequests: 0,
    bulkBytes: 0,
    bulkLatencyMs: 0,
    deadLetterObjects: 0,
    deadLetterWriteFailures: 0,
  };
  const toDeadLetter: number[] = [];
  const fail = (i: number, verdict: ItemVerdict | RecordFailure): void => {
    failures[i] = {
      errorType: verdict.errorType ?? 'unknown',
      reason: verdict.reason ?? '',
      ...(verdict.status === undefined ? {} : { status: verdict.status }),
    };
  };

  // The first round's chunks are encoded in place; later rounds re-pack the items sent again.
  const writer = new ChunkWriter(options.maxChunkBytes);
  const admit = (i: number): void => {
    const record = records[i]!;
    if (record.kind === 'dropped') {
      outcomes[i] = Outcomes.dropped;
    } else if (record.kind === 'dead_letter') {
      fail(i, record);
      toDeadLetter.push(i);
    } else {
      const invalid = writer.add(i, record);
      if (invalid !== undefined) {
        fail(i, { errorType: 'invalid_document', reason: invalid });
        toDeadLetter.push(i);
      }
    }
  };

  const budgetMs = (): number => deps.remainingMs() - options.safetyMarginMs;
  let maxBytes = options.maxChunkBytes;

  /** Settles item k of a chunk. */
  const settleItem = (chunk: Chunk, k: number, verdict: ItemVerdict, retry: EncodedItem[]): void => {
    const index = chunk.indexes[k]!;
    switch (verdict.class) {
      case ItemClasses.success:
        outcomes[index] = Outcomes.indexed;
        failures[index] = undefined;
        break;
      case ItemClasses.duplicate:
        outcomes[index] = Outcomes.duplicate;
        failures[index] = undefined;
        break;
      case ItemClasses.retryable:
        fail(index, verdict);
        retry.push(chunkItem(chunk, k));
        break;
      default:
        // permanent, or a 413 that splitting cannot cure
        fail(index, verdict);
        toDeadLetter.push(index);
    }
  };

  const slots = options.slots ?? new RequestSlots(options.concurrency);
  const sendChunk = async (chunk: Chunk, retry: EncodedItem[]): Promise<void> => {
    // The budget is read once a slot is held: waiting for one takes time too.
    await slots.acquire();
    const budget = budgetMs();
    if (budget <= 0) {
      slots.release();
      for (let k = 0; k < chunk.indexes.length; k++) {
        fail(chunk.indexes[k]!, { errorType: 'no_time', reason: 'invocation time ran out before sending' });
        retry.push(chunkItem(chunk, k));
      }
      return;
    }
    // The records themselves are what was sent: a write record has the action and id read.
    const sent = chunk.indexes.map((i) => records[i] as SentItem);
    const started = deps.clock.now();
    let answer: BulkAnswer;
    try {
      answer = await deps.transport.send(chunk.body, {
        timeoutMs: Math.min(options.requestTimeoutMs, budget),
      });
    } catch (error) {
      answer = { error };
    } finally {
      slots.release();
    }
    counters.bulkRequests++;
    counters.bulkBytes += chunk.body.length;
    counters.bulkLatencyMs += Math.max(0, deps.clock.now() - started);

    const verdict = classifyResponse(answer, sent);
    if (verdict.kind === 'items') {
      for (let k = 0; k < chunk.indexes.length; k++) settleItem(chunk, k, verdict.items[k]!, retry);
      return;
    }
    if (verdict.verdict.class === ItemClasses.tooLarge) {
      const halves = splitChunk(chunk);
      if (halves !== undefined) {
        // The cluster's limit is below our cap: learn it so later rounds do not hit it again.
        maxBytes = Math.max(1, Math.min(maxBytes, Math.floor(chunk.body.length / 2)));
        for (const half of halves) await sendChunk(half, retry);
        return;
      }
      const reason = chunk.oversized
        ? `document of ${chunk.body.length} bytes is larger than the bulk cap and was refused (413)`
        : `document of ${chunk.body.length} bytes was refused as too large (413)`;
      settleItem(chunk, 0, { ...verdict.verdict, class: ItemClasses.permanent, reason }, retry);
      return;
    }
    for (let k = 0; k < chunk.indexes.length; k++) settleItem(chunk, k, verdict.verdict, retry);
  };

  /** Bytes the records still to come should take, at the average so far (infinite when unknown). */
  const remainingBytes = (seen: number, bytes: number): number =>
    options.expectedRecords === undefined || seen === 0
      ? Number.POSITIVE_INFINITY
      : Math.max(0, options.expectedRecords - seen) * (bytes / seen);

  let attemptsMade = 0;
  let retry: EncodedItem[] = [];
  if (whole) {
    for (let i = 0; i < records.length; i++) admit(i);
    await runPool(writer.finish(), options.concurrency, (chunk) => sendChunk(chunk, retry));
  } else {
    const queue = new SendQueue(options.concurrency, { send: (chunk: Chunk) => sendChunk(chunk, retry) });
    const streamBytes = Math.min(options.streamChunkBytes ?? STREAM_CHUNK_BYTES, options.maxChunkBytes);
    let cutBytes = 0;
    for await (const slice of source as AsyncIterable<readonly PreparedRecord[]>) {
      for (const record of slice) {
        records.push(record);
        admit(records.length - 1);
      }
      const pending = writer.pendingBytes;
      if (
        pending >= streamBytes ||
        (pending > 0 && pending >= remainingBytes(records.length, cutBytes + pending))
      ) {
        writer.cut();
      }
      for (const chunk of writer.take()) {
        cutBytes += chunk.body.length;
        queue.push(chunk);
      }
    }
    for (const chunk of writer.finish()) queue.push(chunk);
    await queue.drained();
    counters.recordsIn = records.length;
    // Outcomes and failures were set by position: give them the batch's length, holes as undefined.
    outcomes.length = records.length;
    const set = failures;
    failures = Array.from({ length: records.length }, (_, i) => set[i]);
  }
  while (true) {
    attemptsMade++;
    if (retry.length === 0) break;
    retry.sort((a, b) => a.index - b.index);
    const plan = planRetry(
      { attemptsMade, remainingMs: deps.remainingMs(), safetyMarginMs: options.safetyMarginMs },
      options,
      deps.random,
    );
    if (!plan.retry) {
      for (const item of retry) outcomes[item.index] = Outcomes.reported;
      break;
    }
    await deps.sleep(plan.delayMs);
    counters.retried += retry.length;
    const chunks = chunkItems(retry, maxBytes);
    retry = [];
    await runPool(chunks, options.concurrency, (chunk) => sendChunk(chunk, retry));
  }

  const deadLetterKeys = await settleDeadLetters(
    records,
    outcomes,
    failures,
    toDeadLetter,
    deps,
    options,
    counters,
  );

  const settled = records.map((record, i) => {
    const outcome = outcomes[i];
    // Unreachable by construction; reporting is the safe fallback should a path ever miss one.
    return { coords: record.coords, outcome: outcome ?? Outcomes.reported };
  });
  for (const { outcome } of settled) {
    if (outcome === Outcomes.indexed) counters.indexed++;
    else if (outcome === Outcomes.duplicate) counters.duplicates++;
    else if (outcome === Outcomes.deadLettered) counters.deadLettered++;
    else if (outcome === Outcomes.dropped) counters.dropped++;
    else counters.reported++;
  }
  const durable = counters.indexed + counters.duplicates + counters.deadLettered;
  return {
    outcomes: settled.map((s) => s.outcome),
    failures,
    counters,
    batchResponse: batchResponse(settled),
    deadLetterKeys,
    nothingDurable: durable === 0 && counters.deadLetterWriteFailures > 0,
  };
}

/**
 * One dead-letter object per partition, keyed by the partition's offset range in this batch so a
 * redelivery of the same batch overwrites it. Records after the partition's lowest reported offset
 * are reported instead: the ESM redelivers them anyway, and writing them now would write them twice.
 */
async function settleDeadLetters(
  records: readonly PreparedRecord[],
  outcomes: Array<Outcome | undefined>,
  failures: Array<RecordFailure | undefined>,
  toDeadLetter: readonly number[],
  deps: IndexBatchDeps,
  options: IndexBatchOptions,
  counters: BatchCounters,
): Promise<string[]> {
  // The usual batch has nothing to dead-letter: skip the per-record bookkeeping below.
  if (toDeadLetter.length === 0) return [];
  const range = new Map<string, { first: number; last: number; lowestReported: number }>();
  records.forEach((record, i) => {
    const id = partitionId(record.coords);
    const offset = record.coords.offset;
    const r = range.get(id) ?? { first: offset, last: offset, lowestReported: Number.POSITIVE_INFINITY };
    r.first = Math.min(r.first, offset);
    r.last = Math.max(r.last, offset);
    if (outcomes[i] === Outcomes.reported) r.lowestReported = Math.min(r.lowestReported, offset);
    range.set(id, r);
  });

  const groups = new Map<string, number[]>();
  for (const i of toDeadLetter) {
    const coords = records[i]!.coords;
    const id = partitionId(coords);
    if (coords.offset > range.get(id)!.lowestReported) {
      outcomes[i] = Outcomes.reported;
      continue;
    }
    const key = deadLetterKey(options.deadLetterPrefix, coords.topic, coords.partition, coords.offset);
    const group = groups.get(key) ?? [];
    group.push(i);
    groups.set(key, group);
  }

  const time = new Date(deps.clock.now()).toISOString();
  // The write must end before the invocation does: past the deadline Lambda retries the whole
  // batch. What cannot be written in time is reported and redelivered instead.
  const timeoutMs = deps.remainingMs() - Math.min(DEAD_LETTER_ANSWER_RESERVE_MS, options.safetyMarginMs);
  const writes = [...groups].map(async ([key, indexes]) => {
    indexes.sort((a, b) => records[a]!.coords.offset - records[b]!.coords.offset);
    const entries = indexes.map((i) => deadLetterEntry(records[i]!, failures[i], time));
    try {
      if (timeoutMs <= 0) throw new Error('no time left to write dead letters');
      await deps.deadLetters.put(key, entries, { timeoutMs });
      for (const i of indexes) outcomes[i] = Outcomes.deadLettered;
      counters.deadLetterObjects++;
      return key;
    } catch {
      for (const i of indexes) outcomes[i] = Outcomes.reported;
      counters.deadLetterWriteFailures++;
      return undefined;
    }
  });
  const keys = await Promise.all(writes);
  return keys.filter((key): key is string => key !== undefined);
}

function deadLetterEntry(
  record: PreparedRecord,
  failure: RecordFailure | undefined,
  time: string,
): DeadLetterEntry {
  const original = record.kind === 'dropped' ? null : record.original;
  const key = record.kind === 'dropped' ? undefined : record.key;
  const headers = record.kind === 'dropped' ? undefined : record.headers;
  return {
    topic: record.coords.topic,
    partition: record.coords.partition,
    offset: record.coords.offset,
    pipeline: record.pipeline,
    ...(record.kind === 'write' ? { index: record.index } : {}),
    ...(failure?.status === undefined ? {} : { status: failure.status }),
    errorType: failure?.errorType ?? 'unknown',
    reason: failure?.reason ?? '',
    original: original === null ? null : original.toString('base64'),
    // Key and headers too, so that a replay rebuilds the same document (kafka.key, add_header, hash ids).
    ...(key === undefined || key === null ? {} : { key: key.toString('base64') }),
    ...(headers === undefined || Object.keys(headers).length === 0 ? {} : { headers }),
    // The Kafka timestamp, so that a replay from dead letters rebuilds the record exactly.
    timestamp: record.timestamp,
    time,
  };
}
