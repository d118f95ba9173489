import { batchResponse, partitionId } from '../kafka/batch-response.ts';
import type { BatchResponse } from '../kafka/types.ts';
import { type Chunk, chunkItems, type EncodedItem, splitChunk } from './chunk.ts';
import { type BulkAnswer, classifyResponse, type ItemVerdict } from './classify.ts';
import { encodeItem, invalidSource } from './encode.ts';
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

/** Time kept back after the dead-letter writes to answer the invocation. */
const DEAD_LETTER_ANSWER_RESERVE_MS = 200;

/** `${prefix}topic=<topic>/partition=<p>/<firstOffset>-<lastOffset>.ndjson.gz` */
export function deadLetterKey(prefix: string, topic: string, partition: number, first: number, last: number) {
  return `${prefix}topic=${topic}/partition=${partition}/${first}-${last}.ndjson.gz`;
}

/**
 * Writes a batch of prepared records: bulk chunks with bounded concurrency, retries of just the
 * failed items within the invocation's time, 413 splits, then one dead-letter object per partition,
 * then the batch response. Every record ends in exactly one outcome; this never throws for a record.
 */
export async function indexBatch(
  records: readonly PreparedRecord[],
  deps: IndexBatchDeps,
  options: IndexBatchOptions,
): Promise<BatchResult> {
  validate(options);
  const outcomes: Array<Outcome | undefined> = new Array(records.length).fill(undefined);
  const failures: Array<RecordFailure | undefined> = new Array(records.length).fill(undefined);
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

  let pending: EncodedItem[] = [];
  records.forEach((record, i) => {
    if (record.kind === 'dropped') {
      outcomes[i] = Outcomes.dropped;
    } else if (record.kind === 'dead_letter') {
      fail(i, record);
      toDeadLetter.push(i);
    } else {
      const invalid = invalidSource(record.source);
      if (invalid === undefined) {
        pending.push({ index: i, bytes: encodeItem(record) });
      } else {
        fail(i, { errorType: 'invalid_document', reason: invalid });
        toDeadLetter.push(i);
      }
    }
  });

  const budgetMs = (): number => deps.remainingMs() - options.safetyMarginMs;
  let maxBytes = options.maxChunkBytes;

  const settleItem = (item: EncodedItem, verdict: ItemVerdict, retry: EncodedItem[]): void => {
    switch (verdict.class) {
      case ItemClasses.success:
        outcomes[item.index] = Outcomes.indexed;
        failures[item.index] = undefined;
        break;
      case ItemClasses.duplicate:
        outcomes[item.index] = Outcomes.duplicate;
        failures[item.index] = undefined;
        break;
      case ItemClasses.retryable:
        fail(item.index, verdict);
        retry.push(item);
        break;
      default:
        // permanent, or a 413 that splitting cannot cure
        fail(item.index, verdict);
        toDeadLetter.push(item.index);
    }
  };

  const sendChunk = async (chunk: Chunk, retry: EncodedItem[]): Promise<void> => {
    const budget = budgetMs();
    if (budget <= 0) {
      for (const item of chunk.items) {
        fail(item.index, { errorType: 'no_time', reason: 'invocation time ran out before sending' });
        retry.push(item);
      }
      return;
    }
    const sent = chunk.indexes.map((i) => {
      const record = records[i] as Extract<PreparedRecord, { kind: 'write' }>;
      return { action: record.action, id: record.id };
    });
    const started = deps.clock.now();
    let answer: BulkAnswer;
    try {
      answer = await deps.transport.send(chunk.body, {
        timeoutMs: Math.min(options.requestTimeoutMs, budget),
      });
    } catch (error) {
      answer = { error };
    }
    counters.bulkRequests++;
    counters.bulkBytes += chunk.body.length;
    counters.bulkLatencyMs += Math.max(0, deps.clock.now() - started);

    const verdict = classifyResponse(answer, sent);
    if (verdict.kind === 'items') {
      chunk.items.forEach((item, k) => {
        settleItem(item, verdict.items[k]!, retry);
      });
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
      settleItem(chunk.items[0]!, { ...verdict.verdict, class: ItemClasses.permanent, reason }, retry);
      return;
    }
    for (const item of chunk.items) settleItem(item, verdict.verdict, retry);
  };

  let attemptsMade = 0;
  while (pending.length > 0) {
    const retry: EncodedItem[] = [];
    await runPool(chunkItems(pending, maxBytes), options.concurrency, (chunk) => sendChunk(chunk, retry));
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
    pending = retry;
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
    const group = groups.get(id) ?? [];
    group.push(i);
    groups.set(id, group);
  }

  const time = new Date(deps.clock.now()).toISOString();
  // The write must end before the invocation does: past the deadline Lambda retries the whole
  // batch. What cannot be written in time is reported and redelivered instead.
  const timeoutMs = deps.remainingMs() - Math.min(DEAD_LETTER_ANSWER_RESERVE_MS, options.safetyMarginMs);
  const writes = [...groups].map(async ([id, indexes]) => {
    indexes.sort((a, b) => records[a]!.coords.offset - records[b]!.coords.offset);
    const first = records[indexes[0]!]!.coords;
    const r = range.get(id)!;
    const key = deadLetterKey(options.deadLetterPrefix, first.topic, first.partition, r.first, r.last);
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
    time,
  };
}
