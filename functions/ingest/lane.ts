// The byte lane: most records of a batch go from the event's base64 text straight into bulk
// bodies. A byte path (json-fast, access-fast) writes each record's whole item into the item slab,
// one after another, and a chunk is sent as the stretches of the slab its items fill: no
// KafkaRecord kept, no PreparedRecord, no second copy per record. A chunk whose answer is the plain
// all-succeeded one settles its records as indexed, checked item by item against the actions (and
// the ids, when the answer carries them) written.
// Any other answer, or none, hands the chunk's records back prepared as usual, with what the answer
// said of each: those that succeeded are counted, and the rest go to the bulk service, whose rules
// (retries within the time left, 413 splits, dead letters, reports) then apply as to any record.

import { type BulkAnswer, classifyResponse, type SentItem } from '../core/bulk/classify.ts';
import { allSucceeded, bytesAt, type ExpectedItems } from '../core/bulk/classify-fast.ts';
import {
  type IndexBatchDeps,
  type IndexBatchOptions,
  RequestSlots,
  SendQueue,
  STREAM_CHUNK_BYTES,
} from '../core/bulk/index-batch.ts';
import { ItemClasses, type PreparedRecord } from '../core/bulk/types.ts';
import type { KafkaRecord } from '../core/kafka/types.ts';
import type { CompiledPipeline } from '../core/pipeline/config.ts';
import { itemSlab, rewindItem, written } from '../core/pipeline/json-fast.ts';
import { type PrepareCounters, writeItemOnBytes } from '../core/pipeline/prepare.ts';

/** What the lane did with the records it took. */
export interface LaneCounters {
  /** Records whose items the lane wrote. */
  records: number;
  indexed: number;
  duplicates: number;
  /** Records handed back to the bulk service after their chunk's answer (they are sent again). */
  handedBack: number;
  bulkRequests: number;
  bulkBytes: number;
  bulkLatencyMs: number;
}

/** A chunk of lane items: stretches `[start, end)` of one slab, and items `[first, last)`. */
interface LaneChunk {
  slab: Buffer;
  ranges: number[];
  bytes: number;
  first: number;
  last: number;
}

/** Prepares a record as usual, to hand it back (the same bytes the lane wrote: same batch time). */
export type Reprepare = (list: number, position: number) => PreparedRecord;

/**
 * Kept for the container's life and begun again per batch (see processEvent): optimized code holds
 * the objects it saw throughout a run weakly, and is thrown away when a GC collects them.
 */
export class ByteLane implements ExpectedItems {
  readonly counters: LaneCounters = {
    records: 0,
    indexed: 0,
    duplicates: 0,
    handedBack: 0,
    bulkRequests: 0,
    bulkBytes: 0,
    bulkLatencyMs: 0,
  };
  #deps: IndexBatchDeps | undefined;
  #options: IndexBatchOptions | undefined;
  #prepare: PrepareCounters | undefined;
  #now = 0;
  #reprepare: Reprepare | undefined;
  #queue: SendQueue<LaneChunk> | undefined;
  #slots: RequestSlots | undefined;
  #streamBytes = 0;
  #maxChunkBytes = 0;
  /** Per lane item: where its record is in the event, where its id is in its slab, its action. */
  #list = new Int32Array(0);
  #position = new Int32Array(0);
  #idStart = new Int32Array(0);
  #idEnd = new Int32Array(0);
  readonly #action: string[] = [];
  #back: PreparedRecord[] = [];
  #items = 0;
  #chunk: LaneChunk | undefined;
  #itemBytes = 0;
  #cutSinceAsked = false;
  #declinedCounted = false;
  #checking: LaneChunk | undefined;

  /** Starts a batch of at most `capacity` records; `prepare` counts what the byte paths see. */
  begin(
    capacity: number,
    deps: IndexBatchDeps,
    options: IndexBatchOptions,
    prepare: PrepareCounters,
    now: number,
    reprepare: Reprepare,
  ): void {
    const counters = this.counters;
    counters.records = 0;
    counters.indexed = 0;
    counters.duplicates = 0;
    counters.handedBack = 0;
    counters.bulkRequests = 0;
    counters.bulkBytes = 0;
    counters.bulkLatencyMs = 0;
    this.#deps = deps;
    this.#options = options;
    this.#prepare = prepare;
    this.#now = now;
    this.#reprepare = reprepare;
    if (this.#list.length < capacity) {
      this.#list = new Int32Array(capacity);
      this.#position = new Int32Array(capacity);
      this.#idStart = new Int32Array(capacity);
      this.#idEnd = new Int32Array(capacity);
    }
    this.#action.length = 0;
    this.#back = [];
    this.#items = 0;
    this.#chunk = undefined;
    this.#itemBytes = 0;
    this.#cutSinceAsked = false;
    this.#declinedCounted = false;
    this.#maxChunkBytes = options.maxChunkBytes;
    this.#streamBytes = Math.min(options.streamChunkBytes ?? STREAM_CHUNK_BYTES, options.maxChunkBytes);
    // The bulk service takes its slots from the same options (processEvent gives both the batch's).
    this.#slots = options.slots ?? new RequestSlots(options.concurrency);
    this.#queue = new SendQueue<LaneChunk>(options.concurrency, this);
  }

  /** Lets go of the batch's objects (the lane outlives it). */
  end(): void {
    this.#deps = undefined;
    this.#options = undefined;
    this.#prepare = undefined;
    this.#reprepare = undefined;
    this.#queue = undefined;
    this.#slots = undefined;
    this.#chunk = undefined;
    this.#back = [];
    this.#action.length = 0;
  }

  /**
   * Writes the record's item when a byte path takes it and queues it; false (nothing written or
   * counted) when the record must be prepared as usual. `left`: records of the batch after it.
   */
  take(
    record: KafkaRecord,
    pipeline: CompiledPipeline,
    list: number,
    position: number,
    left: number,
  ): boolean {
    if (
      record.value === null ||
      !writeItemOnBytes(record, record.value, pipeline, this.#prepare!, this.#now)
    ) {
      return false;
    }
    const start = written.start;
    const end = written.end;
    const length = end - start;
    if (length > this.#maxChunkBytes) {
      // Over the cap: the bulk service sends it alone and settles it.
      rewindItem();
      this.#declinedCounted = true;
      return false;
    }
    const slab = itemSlab();
    let chunk = this.#chunk;
    if (chunk !== undefined && (chunk.slab !== slab || chunk.bytes + length > this.#maxChunkBytes)) {
      this.#cut();
      chunk = undefined;
    }
    const item = this.#items++;
    if (chunk === undefined) {
      chunk = { slab, ranges: [start, end], bytes: 0, first: item, last: item };
      this.#chunk = chunk;
    } else {
      const ranges = chunk.ranges;
      // Records prepared as usual write their items into the same slab: a stretch ends there.
      if (ranges[ranges.length - 1] === start) ranges[ranges.length - 1] = end;
      else ranges.push(start, end);
    }
    chunk.bytes += length;
    chunk.last = item + 1;
    this.#list[item] = list;
    this.#position[item] = position;
    this.#idStart[item] = written.idStart;
    this.#idEnd[item] = written.idEnd;
    this.#action[item] = pipeline.action;
    this.counters.records++;
    this.#itemBytes += length;
    // Near the end, smaller chunks, so the last answer comes soon after the last record is
    // written: looked at every END_STEP records, as a small batch goes in one request.
    if (
      chunk.bytes >= this.#streamBytes ||
      (left % END_STEP === 0 && chunk.bytes >= left * (this.#itemBytes / this.counters.records))
    ) {
      this.#cut();
    }
    return true;
  }

  /**
   * Whether the record take() last declined had been written, and so counted, first (an item over
   * the cap): prepared again as usual, it must not be counted again.
   */
  declinedCounted(): boolean {
    const counted = this.#declinedCounted;
    this.#declinedCounted = false;
    return counted;
  }

  /** Whether a chunk was queued since the last call (the caller then lets the sends go out). */
  cutSinceAsked(): boolean {
    const cut = this.#cutSinceAsked;
    this.#cutSinceAsked = false;
    return cut;
  }

  /** Sends what is left, waits for every answer, and returns the records handed back. */
  async finish(): Promise<PreparedRecord[]> {
    this.#cut();
    await this.#queue!.drained();
    return this.#back;
  }

  #cut(): void {
    const chunk = this.#chunk;
    if (chunk === undefined) return;
    this.#chunk = undefined;
    this.#cutSinceAsked = true;
    this.#queue!.push(chunk);
  }

  /** Sends a chunk and settles its records (the send queue's sender). */
  async send(chunk: LaneChunk): Promise<void> {
    const deps = this.#deps!;
    const options = this.#options!;
    const slots = this.#slots!;
    // The budget is read once a slot is held: waiting for one takes time too.
    await slots.acquire();
    const budget = deps.remainingMs() - options.safetyMarginMs;
    if (budget <= 0) {
      slots.release();
      this.#handBack(chunk, undefined);
      return;
    }
    const body = bodyOf(chunk);
    const started = deps.clock.now();
    let answer: BulkAnswer;
    try {
      answer = await deps.transport.send(body, {
        timeoutMs: Math.min(options.requestTimeoutMs, budget),
      });
    } catch (error) {
      answer = { error };
    } finally {
      slots.release();
    }
    const counters = this.counters;
    counters.bulkRequests++;
    counters.bulkBytes += body.length;
    counters.bulkLatencyMs += Math.max(0, deps.clock.now() - started);
    if (
      !('error' in answer) &&
      answer.statusCode >= 200 &&
      answer.statusCode < 300 &&
      Buffer.isBuffer(answer.body) &&
      this.#checks(chunk, answer.body)
    ) {
      counters.indexed += chunk.last - chunk.first;
      return;
    }
    this.#handBack(chunk, answer);
  }

  /** Whether the answer to `chunk` is the plain all-succeeded one (read synchronously, so one chunk at a time). */
  #checks(chunk: LaneChunk, body: Buffer): boolean {
    this.#checking = chunk;
    try {
      return allSucceeded(body, this);
    } finally {
      this.#checking = undefined;
    }
  }

  // ExpectedItems, for the chunk being checked. The lane itself rather than an object per chunk:
  // optimized code holds the objects it saw weakly, and is thrown away when a GC collects them.
  get count(): number {
    const chunk = this.#checking!;
    return chunk.last - chunk.first;
  }

  action(i: number): string {
    return this.#action[this.#checking!.first + i]!;
  }

  idAt(bytes: Uint8Array, pos: number, i: number): number {
    const chunk = this.#checking!;
    const item = chunk.first + i;
    return bytesAt(bytes, pos, chunk.slab, this.#idStart[item]!, this.#idEnd[item]!);
  }

  /** The chunk's records prepared as usual; those the answer says succeeded are counted, the rest go back. */
  #handBack(chunk: LaneChunk, answer: BulkAnswer | undefined): void {
    const records: PreparedRecord[] = [];
    for (let item = chunk.first; item < chunk.last; item++) {
      records.push(this.#reprepare!(this.#list[item]!, this.#position[item]!));
    }
    const verdict =
      answer === undefined || records.some((record) => record.kind !== 'write')
        ? undefined
        : classifyResponse(answer, records as SentItem[]);
    for (let k = 0; k < records.length; k++) {
      const cls = verdict?.kind === 'items' ? verdict.items[k]!.class : undefined;
      if (cls === ItemClasses.success) this.counters.indexed++;
      else if (cls === ItemClasses.duplicate) this.counters.duplicates++;
      else {
        this.#back.push(records[k]!);
        this.counters.handedBack++;
      }
    }
  }
}

const END_STEP = 125;

function bodyOf(chunk: LaneChunk): Buffer {
  const ranges = chunk.ranges;
  if (ranges.length === 2) return chunk.slab.subarray(ranges[0], ranges[1]);
  const body = Buffer.allocUnsafe(chunk.bytes);
  let at = 0;
  for (let r = 0; r < ranges.length; r += 2) at += chunk.slab.copy(body, at, ranges[r], ranges[r + 1]);
  return body;
}
