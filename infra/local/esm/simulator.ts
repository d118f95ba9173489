import { randomUUID } from 'node:crypto';
import type { BatchResponse, KafkaEvent, KafkaEventRecord } from '../../../functions/core/kafka/types.ts';
import { type FailureCondition, FailureConditions, type OnFailureDestination } from './on-failure.ts';

/** A record as it sits in a Kafka partition. */
export interface TopicRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, string>;
}

export interface LambdaContextLike {
  awsRequestId: string;
  functionName: string;
  getRemainingTimeInMillis(): number;
}

export type KafkaHandler = (
  event: KafkaEvent,
  context: LambdaContextLike,
) => Promise<BatchResponse | undefined>;

export interface EsmOptions {
  eventSource: 'aws:kafka' | 'SelfManagedKafka';
  /** Records per invocation (Lambda: 1–10,000). */
  batchSize: number;
  /**
   * MaximumBatchingWindowInSeconds, in ms: a batch that is neither full by count nor by payload
   * waits this long after its oldest record arrived, for more records. 0 = invoke at once.
   */
  batchWindowMs: number;
  /** Invocation payload cap (Lambda: 6 MB for synchronous invokes). */
  maxPayloadBytes: number;
  /** FunctionResponseTypes: ReportBatchItemFailures. Without it only a throw means failure. */
  reportBatchItemFailures: boolean;
  /** Retries of one batch head before its records go to the on-failure destination; -1 = forever. */
  maximumRetryAttempts: number;
  /** Records older than this (by Kafka timestamp) go to the on-failure destination; -1 = no limit. */
  maximumRecordAgeMs: number;
  /** On a function error, split the batch in two and retry the halves (not counted as retries). */
  bisectBatchOnFunctionError: boolean;
  /**
   * The function's timeout: the handler's deadline (getRemainingTimeInMillis), enforced. An
   * invocation that has not answered by then failed (whole batch retried) while its work may go on.
   */
  timeoutMs: number;
  /** Where given-up batches go (e.g. `s3OnFailureDestination`); they are always kept in stats too. */
  onFailureDestination?: OnFailureDestination;
  /** Clock for record age and the batching window. */
  now: () => number;
}

export const DefaultEsmOptions: EsmOptions = {
  eventSource: 'aws:kafka',
  batchSize: 100,
  batchWindowMs: 0,
  maxPayloadBytes: 6 * 1024 * 1024,
  reportBatchItemFailures: true,
  maximumRetryAttempts: 10,
  maximumRecordAgeMs: -1,
  bisectBatchOnFunctionError: false,
  timeoutMs: 60_000,
  now: () => Date.now(),
};

export interface EsmStats {
  invocations: number;
  recordsDelivered: number;
  redeliveries: number;
  wholeBatchRetries: number;
  /** Invocations that had not answered by the function timeout. */
  timeouts: number;
  /** Batches split in two after a function error. */
  bisections: number;
  /** Records given up (retry limit, record age, too large): the on-failure destination. */
  onFailure: TopicRecord[];
  /** The same records, by batch, with why they were given up. */
  onFailureBatches: Array<{ condition: FailureCondition; records: TopicRecord[] }>;
  /** Writes to the on-failure destination that failed (their records are still in `onFailure`). */
  onFailureDestinationErrors: number;
}

const MSK_ARN = 'arn:aws:kafka:us-east-1:123456789012:cluster/local/00000000-0000-0000-0000-000000000000-1';
const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:sluice-local-ingest';

export function toEventRecord(r: TopicRecord): KafkaEventRecord {
  return {
    topic: r.topic,
    partition: r.partition,
    offset: r.offset,
    timestamp: r.timestamp,
    timestampType: 'CREATE_TIME',
    key: r.key ? r.key.toString('base64') : null,
    value: r.value ? r.value.toString('base64') : null,
    headers: Object.entries(r.headers ?? {}).map(([name, v]) => ({ [name]: [...Buffer.from(v)] })),
  };
}

const partitionKey = (r: { topic: string; partition: number }): string => `${r.topic}-${r.partition}`;

/** Bytes a record adds to the JSON payload (its JSON plus the comma). */
function recordBytes(r: TopicRecord): number {
  return Buffer.byteLength(JSON.stringify(toEventRecord(r))) + 1;
}

/** Bytes a partition's `"key":[…],` wrapper adds. */
function partitionBytes(key: string): number {
  return Buffer.byteLength(JSON.stringify(key)) + 4;
}

function envelope(eventSource: EsmOptions['eventSource']): Omit<KafkaEvent, 'records'> {
  return eventSource === 'aws:kafka'
    ? { eventSource, eventSourceArn: MSK_ARN }
    : { eventSource, bootstrapServers: 'b-1.local:9092,b-2.local:9092' };
}

/** The invocation payload for a batch, exactly as the handler receives it. */
export function buildEvent(eventSource: EsmOptions['eventSource'], batch: Map<string, TopicRecord[]>) {
  const event: KafkaEvent = {
    ...envelope(eventSource),
    records: Object.fromEntries([...batch].map(([key, rs]) => [key, rs.map(toEventRecord)])),
  };
  return event;
}

type Answer =
  | { kind: 'response'; response: BatchResponse | undefined }
  | { kind: 'error'; error: unknown }
  | { kind: 'timeout' };

/**
 * A local stand-in for Lambda's Kafka event-source mapping: per-partition order, batches by
 * count, batching window and payload size; redelivery from the reported offset
 * (ReportBatchItemFailures); whole-batch retry on a throw, a timeout or an identifier it can't use;
 * bisection on function errors; record age and retry limits, then the on-failure destination.
 */
export class EsmSimulator {
  readonly #handler: KafkaHandler;
  readonly #options: EsmOptions;
  readonly #queues = new Map<string, TopicRecord[]>();
  /** Batches fixed by a bisection: delivered as they are, before anything else. */
  readonly #pinned: Array<Map<string, TopicRecord[]>> = [];
  readonly #attempts = new Map<string, number>();
  readonly #arrival = new WeakMap<TopicRecord, number>();
  /** Timed-out invocations still running; drain waits for them so nothing outlives it. */
  readonly #background = new Set<Promise<unknown>>();
  readonly stats: EsmStats = {
    invocations: 0,
    recordsDelivered: 0,
    redeliveries: 0,
    wholeBatchRetries: 0,
    timeouts: 0,
    bisections: 0,
    onFailure: [],
    onFailureBatches: [],
    onFailureDestinationErrors: 0,
  };

  constructor(handler: KafkaHandler, options: Partial<EsmOptions> = {}) {
    this.#handler = handler;
    this.#options = { ...DefaultEsmOptions, ...options };
  }

  get options(): Readonly<EsmOptions> {
    return this.#options;
  }

  /** Appends records to their partitions (in the order given per partition). */
  produce(records: TopicRecord[]): void {
    const now = this.#options.now();
    for (const r of records) {
      const key = partitionKey(r);
      const queue = this.#queues.get(key) ?? [];
      if (queue.length === 0) this.#queues.set(key, queue);
      queue.push(r);
      this.#arrival.set(r, now);
    }
  }

  pending(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    for (const batch of this.#pinned) for (const rs of batch.values()) n += rs.length;
    return n;
  }

  /** Takes the next batch: round-robin over partitions, bounded by count and payload bytes. */
  #nextBatch(): Map<string, TopicRecord[]> {
    const pinned = this.#pinned.shift();
    if (pinned) return pinned;
    const batch = new Map<string, TopicRecord[]>();
    let count = 0;
    let bytes = Buffer.byteLength(JSON.stringify({ ...envelope(this.#options.eventSource), records: {} }));
    const cursors = new Map<string, number>();
    let progressed = true;
    while (progressed && count < this.#options.batchSize) {
      progressed = false;
      for (const [key, queue] of this.#queues) {
        const i = cursors.get(key) ?? 0;
        const r = queue[i];
        if (!r || count >= this.#options.batchSize) continue;
        const size = recordBytes(r) + (i === 0 ? partitionBytes(key) : 0);
        if (bytes + size > this.#options.maxPayloadBytes) {
          // A record that cannot fit even alone can never be delivered: Lambda gives it up.
          if (count === 0 && i === 0) {
            queue.shift();
            this.#giveUp(FailureConditions.payloadTooLarge, [r], 0);
            progressed = true;
          }
          continue;
        }
        bytes += size;
        count++;
        cursors.set(key, i + 1);
        const list = batch.get(key) ?? [];
        if (list.length === 0) batch.set(key, list);
        list.push(r);
        progressed = true;
      }
    }
    for (const [key, n] of cursors) this.#queues.get(key)?.splice(0, n);
    return batch;
  }

  /** Puts records back at the head of their partition, ahead of anything pinned for it. */
  #requeue(key: string, records: TopicRecord[]): void {
    // Later records of this partition held in pinned batches must follow these, in order.
    const held: TopicRecord[] = [];
    for (const batch of this.#pinned) {
      const rs = batch.get(key);
      if (rs) {
        held.push(...rs);
        batch.delete(key);
      }
    }
    for (let i = this.#pinned.length - 1; i >= 0; i--)
      if (this.#pinned[i]?.size === 0) this.#pinned.splice(i, 1);
    const queue = this.#queues.get(key) ?? [];
    this.#queues.set(key, [...records, ...held, ...queue]);
  }

  #giveUp(condition: FailureCondition, records: TopicRecord[], attempts: number): void {
    if (records.length === 0) return;
    this.stats.onFailure.push(...records);
    this.stats.onFailureBatches.push({ condition, records });
    const destination = this.#options.onFailureDestination;
    if (!destination) return;
    const event = buildEvent(this.#options.eventSource, new Map([[partitionKey(records[0]!), records]]));
    const write = destination
      .send({ condition, event, records, attempts, functionArn: FUNCTION_ARN, time: this.#options.now() })
      .catch(() => {
        this.stats.onFailureDestinationErrors++;
      });
    this.#track(write);
  }

  #track(promise: Promise<unknown>): void {
    this.#background.add(promise);
    void promise.finally(() => this.#background.delete(promise));
  }

  /** Counts an attempt at a partition's head record; past the limit its records are given up (false). */
  #mayRetry(key: string, records: TopicRecord[]): boolean {
    const head = records[0];
    if (!head) return false;
    const id = `${key}@${head.offset}`;
    const attempts = (this.#attempts.get(id) ?? 0) + 1;
    this.#attempts.set(id, attempts);
    if (this.#options.maximumRetryAttempts >= 0 && attempts > this.#options.maximumRetryAttempts) {
      this.#giveUp(FailureConditions.retryAttemptsExhausted, records, attempts);
      return false;
    }
    this.stats.redeliveries += records.length;
    return true;
  }

  #retryOrGiveUp(key: string, records: TopicRecord[]): void {
    if (this.#mayRetry(key, records)) this.#requeue(key, records);
  }

  /** Records past MaximumRecordAge leave before the invocation (Lambda discards them, then invokes). */
  #dropExpired(batch: Map<string, TopicRecord[]>): void {
    const maxAge = this.#options.maximumRecordAgeMs;
    if (maxAge < 0) return;
    const now = this.#options.now();
    for (const [key, rs] of batch) {
      const expired = rs.filter((r) => now - r.timestamp > maxAge);
      if (expired.length === 0) continue;
      this.#giveUp(
        FailureConditions.recordAgeExceeded,
        expired,
        this.#attempts.get(`${key}@${rs[0]!.offset}`) ?? 0,
      );
      const kept = rs.filter((r) => now - r.timestamp <= maxAge);
      if (kept.length === 0) batch.delete(key);
      else batch.set(key, kept);
    }
  }

  #functionError(batch: Map<string, TopicRecord[]>): void {
    this.stats.wholeBatchRetries++;
    const total = [...batch.values()].reduce((n, rs) => n + rs.length, 0);
    if (this.#options.bisectBatchOnFunctionError && total > 1) {
      this.stats.bisections++;
      // Flattened partition by partition, so each half keeps every partition's order.
      const flat = [...batch.values()].flat();
      const half = Math.ceil(flat.length / 2);
      const toMap = (rs: TopicRecord[]) => {
        const m = new Map<string, TopicRecord[]>();
        for (const r of rs) {
          const key = partitionKey(r);
          const list = m.get(key) ?? [];
          if (list.length === 0) m.set(key, list);
          list.push(r);
        }
        return m;
      };
      this.stats.redeliveries += total;
      this.#pinned.unshift(toMap(flat.slice(0, half)), toMap(flat.slice(half)));
      return;
    }
    if (this.#options.bisectBatchOnFunctionError && total === 1) {
      // A lone record left by bisection is retried alone, ahead of its pinned successors.
      const [key, rs] = [...batch][0]!;
      if (this.#mayRetry(key, rs)) this.#pinned.unshift(batch);
      return;
    }
    for (const [key, rs] of batch) this.#retryOrGiveUp(key, rs);
  }

  async #call(event: KafkaEvent): Promise<Answer> {
    const deadline = Date.now() + this.#options.timeoutMs;
    const context: LambdaContextLike = {
      awsRequestId: randomUUID(),
      functionName: 'sluice-local-ingest',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    const work: Promise<Answer> = Promise.resolve()
      .then(() => this.#handler(event, context))
      .then(
        (response): Answer => ({ kind: 'response', response }),
        (error: unknown): Answer => ({ kind: 'error', error }),
      );
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Answer>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timeout' }), this.#options.timeoutMs);
    });
    const answer = await Promise.race([work, timeout]);
    clearTimeout(timer);
    if (answer.kind === 'timeout') this.#track(work);
    return answer;
  }

  async #invoke(batch: Map<string, TopicRecord[]>): Promise<void> {
    this.#dropExpired(batch);
    if (batch.size === 0) return;
    this.stats.invocations++;
    for (const rs of batch.values()) this.stats.recordsDelivered += rs.length;

    const answer = await this.#call(buildEvent(this.#options.eventSource, batch));
    if (answer.kind !== 'response') {
      if (answer.kind === 'timeout') this.stats.timeouts++;
      this.#functionError(batch);
      return;
    }
    const failures = this.#options.reportBatchItemFailures ? (answer.response?.batchItemFailures ?? []) : [];
    const redeliverFrom = new Map<string, number>();
    for (const failure of failures) {
      const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
      const usable =
        typeof id === 'object' &&
        id !== null &&
        typeof (id as { partition?: unknown }).partition === 'string' &&
        typeof (id as { offset?: unknown }).offset === 'number' &&
        batch
          .get((id as { partition: string }).partition)
          ?.some((r) => r.offset === (id as { offset: number }).offset);
      if (!usable) {
        // Lambda retries the whole batch when an identifier is a string or names no record of it.
        this.stats.wholeBatchRetries++;
        for (const [key, rs] of batch) this.#retryOrGiveUp(key, rs);
        return;
      }
      const { partition, offset } = id as { partition: string; offset: number };
      redeliverFrom.set(partition, Math.min(offset, redeliverFrom.get(partition) ?? offset));
    }
    for (const [key, offset] of redeliverFrom) {
      const rs = batch.get(key) ?? [];
      this.#retryOrGiveUp(
        key,
        rs.filter((r) => r.offset >= offset),
      );
    }
  }

  /** Waits out the batching window when the next batch would be neither full nor old enough. */
  async #window(): Promise<void> {
    const window = this.#options.batchWindowMs;
    if (window <= 0 || this.#pinned.length > 0) return;
    for (;;) {
      if (this.pending() >= this.#options.batchSize) return;
      let oldest = Number.POSITIVE_INFINITY;
      for (const q of this.#queues.values()) {
        const head = q[0];
        if (head) oldest = Math.min(oldest, this.#arrival.get(head) ?? 0);
      }
      const wait = oldest + window - this.#options.now();
      if (!(wait > 0)) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 50)));
    }
  }

  /** Invokes the handler until every partition is drained (or given up); waits for stragglers. */
  async drain(): Promise<EsmStats> {
    while (this.pending() > 0) {
      await this.#window();
      await this.#invoke(this.#nextBatch());
    }
    while (this.#background.size > 0) await Promise.allSettled([...this.#background]);
    return this.stats;
  }
}
