import { randomUUID } from 'node:crypto';
import type { BatchResponse, KafkaEvent, KafkaEventRecord } from '../../../functions/core/kafka/types.ts';

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
  /** Invocation payload cap (Lambda: 6 MB for synchronous invokes). */
  maxPayloadBytes: number;
  /** FunctionResponseTypes: ReportBatchItemFailures. Without it only a throw means failure. */
  reportBatchItemFailures: boolean;
  /** Retries of one batch head before its records go to the on-failure destination; -1 = forever. */
  maximumRetryAttempts: number;
  /** The function's timeout, for getRemainingTimeInMillis. */
  timeoutMs: number;
}

export const DefaultEsmOptions: EsmOptions = {
  eventSource: 'aws:kafka',
  batchSize: 100,
  maxPayloadBytes: 6 * 1024 * 1024,
  reportBatchItemFailures: true,
  maximumRetryAttempts: 10,
  timeoutMs: 60_000,
};

export interface EsmStats {
  invocations: number;
  recordsDelivered: number;
  redeliveries: number;
  wholeBatchRetries: number;
  /** Records given up after maximumRetryAttempts (the on-failure destination). */
  onFailure: TopicRecord[];
}

const MSK_ARN = 'arn:aws:kafka:us-east-1:123456789012:cluster/local/00000000-0000-0000-0000-000000000000-1';

function toEventRecord(r: TopicRecord): KafkaEventRecord {
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

/** Bytes a record adds to the JSON payload, close enough to the real encoding. */
function payloadBytes(r: KafkaEventRecord): number {
  return JSON.stringify(r).length + 1;
}

/**
 * A local stand-in for Lambda's Kafka event-source mapping: per-partition order, batches by
 * count and payload size, redelivery from the reported offset (ReportBatchItemFailures), whole-batch
 * retry on a throw or on an identifier it can't use, and an on-failure list after the retry limit.
 */
export class EsmSimulator {
  readonly #handler: KafkaHandler;
  readonly #options: EsmOptions;
  readonly #queues = new Map<string, TopicRecord[]>();
  readonly #attempts = new Map<string, number>();
  readonly stats: EsmStats = {
    invocations: 0,
    recordsDelivered: 0,
    redeliveries: 0,
    wholeBatchRetries: 0,
    onFailure: [],
  };

  constructor(handler: KafkaHandler, options: Partial<EsmOptions> = {}) {
    this.#handler = handler;
    this.#options = { ...DefaultEsmOptions, ...options };
  }

  /** Appends records to their partitions (in the order given per partition). */
  produce(records: TopicRecord[]): void {
    for (const r of records) {
      const key = `${r.topic}-${r.partition}`;
      const queue = this.#queues.get(key) ?? [];
      if (queue.length === 0) this.#queues.set(key, queue);
      queue.push(r);
    }
  }

  pending(): number {
    let n = 0;
    for (const q of this.#queues.values()) n += q.length;
    return n;
  }

  /** Takes the next batch: round-robin over partitions, bounded by count and payload bytes. */
  #nextBatch(): Map<string, TopicRecord[]> {
    const batch = new Map<string, TopicRecord[]>();
    let count = 0;
    let bytes = 512; // envelope
    const cursors = new Map<string, number>();
    let progressed = true;
    while (progressed && count < this.#options.batchSize) {
      progressed = false;
      for (const [key, queue] of this.#queues) {
        const i = cursors.get(key) ?? 0;
        const r = queue[i];
        if (!r || count >= this.#options.batchSize) continue;
        const size = payloadBytes(toEventRecord(r));
        if (bytes + size > this.#options.maxPayloadBytes && count > 0) continue;
        bytes += size;
        count++;
        cursors.set(key, i + 1);
        const list = batch.get(key) ?? [];
        if (list.length === 0) batch.set(key, list);
        list.push(r);
        progressed = true;
      }
    }
    for (const [key, n] of cursors) this.#queues.get(key)!.splice(0, n);
    return batch;
  }

  #requeue(key: string, records: TopicRecord[]): void {
    const queue = this.#queues.get(key) ?? [];
    this.#queues.set(key, [...records, ...queue]);
  }

  /** Counts an attempt at a partition's head record; past the limit its records are given up. */
  #retryOrGiveUp(key: string, records: TopicRecord[]): void {
    const head = records[0];
    if (!head) return;
    const id = `${key}@${head.offset}`;
    const attempts = (this.#attempts.get(id) ?? 0) + 1;
    this.#attempts.set(id, attempts);
    if (this.#options.maximumRetryAttempts >= 0 && attempts > this.#options.maximumRetryAttempts) {
      this.stats.onFailure.push(...records);
      return;
    }
    this.stats.redeliveries += records.length;
    this.#requeue(key, records);
  }

  async #invoke(batch: Map<string, TopicRecord[]>): Promise<void> {
    const event: KafkaEvent = {
      eventSource: this.#options.eventSource,
      ...(this.#options.eventSource === 'aws:kafka'
        ? { eventSourceArn: MSK_ARN }
        : { bootstrapServers: 'b-1.local:9092,b-2.local:9092' }),
      records: Object.fromEntries([...batch].map(([key, rs]) => [key, rs.map(toEventRecord)])),
    };
    const deadline = Date.now() + this.#options.timeoutMs;
    const context: LambdaContextLike = {
      awsRequestId: randomUUID(),
      functionName: 'sluice-local-ingest',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    };
    this.stats.invocations++;
    for (const rs of batch.values()) this.stats.recordsDelivered += rs.length;

    let response: BatchResponse | undefined;
    try {
      response = await this.#handler(event, context);
    } catch {
      this.stats.wholeBatchRetries++;
      for (const [key, rs] of batch) this.#retryOrGiveUp(key, rs);
      return;
    }
    const failures = this.#options.reportBatchItemFailures ? (response?.batchItemFailures ?? []) : [];
    const redeliverFrom = new Map<string, number>();
    for (const failure of failures) {
      const id = failure.itemIdentifier as unknown;
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

  /** Invokes the handler until every partition is drained (or given up). */
  async drain(): Promise<EsmStats> {
    while (this.pending() > 0) {
      await this.#invoke(this.#nextBatch());
    }
    return this.stats;
  }
}
