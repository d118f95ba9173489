import type { ArchiveWriteResult, ArchiveWriter } from '../adapters/archive.ts';
import { type ArchiveFailureMode, settleArchive } from '../core/archive/settle.ts';
import {
  type BatchResult,
  type IndexBatchDeps,
  type IndexBatchOptions,
  indexBatch,
  RequestSlots,
} from '../core/bulk/index-batch.ts';
import type { PreparedRecord } from '../core/bulk/types.ts';
import {
  checkRecord,
  type DecodedEvent,
  decodeEvent,
  decodeRecord,
  type RecordList,
  recordLists,
} from '../core/kafka/decode.ts';
import type { KafkaRecord } from '../core/kafka/types.ts';
import { ValueRun } from '../core/kafka/values.ts';
import { type CompiledPipeline, type PipelineConfig, selectPipeline } from '../core/pipeline/config.ts';
import { closeSlabs, openSlabs } from '../core/pipeline/json-fast.ts';
import { createPrepareCounters, type PrepareCounters, prepareRecord } from '../core/pipeline/prepare.ts';
import { ByteLane, type LaneCounters } from './lane.ts';

/** Values decoded together (values.ts): at most this many records, and about this much base64. */
const RUN_RECORDS = 256;
const RUN_TEXT_BYTES = 64 * 1024;

/** Records prepared between two hand-overs to the bulk service. */
const SLICE_RECORDS = 500;
/**
 * Records prepared between two turns of the event loop. A body goes out, and an answer comes in,
 * only as far as the socket takes it in one turn: with turns far apart, a 1 MiB chunk waited on
 * our own loop, not on the cluster, and so did the last answers of a batch.
 */
const YIELD_RECORDS = 128;

export interface ProcessedBatch {
  result: BatchResult;
  prepare: PrepareCounters;
  malformedHeaders: number;
  /** Largest now − Kafka timestamp over the batch, ms (end-to-end lag). */
  maxLagMs: number;
  /** The raw archive's writes, when the archive is on. */
  archive?: ArchiveWriteResult & { recordsNotArchived: number };
}

/** The raw archive, when on: its writer and what a failed write means for the batch. */
export interface ArchiveStage {
  writer: ArchiveWriter;
  onFailure: ArchiveFailureMode;
}

/**
 * One invocation's work, with every dependency passed in: decode the event, prepare each record
 * through its topic's pipeline, and hand the lot to the bulk service, which settles every record.
 * Records a byte path takes go through the byte lane (lane.ts) instead, which sends them itself and
 * hands back to the bulk service only those whose answer was not a plain success. Undecodable
 * records join the batch as dead letters so that they are settled like any other.
 */
export async function processEvent(
  event: unknown,
  config: PipelineConfig,
  deps: IndexBatchDeps,
  options: IndexBatchOptions,
  archive?: ArchiveStage,
): Promise<ProcessedBatch> {
  const lists = recordLists(event);
  // A record without offset, topic or partition fails the whole event, before anything is sent.
  let total = 0;
  for (const list of lists) {
    for (const raw of list.records) checkRecord(raw, list);
    total += list.records.length;
  }
  // The archive is written while the batch is indexed; it never rejects (failures are listed).
  const archiving = archive?.writer.write(decodeEvent(event).records);
  // One invocation at a time per container: the same objects serve batch after batch.
  const work = idle.pop() ?? new BatchWork();
  const { reader, lane } = work;
  // The lane and the bulk service send in the same batch: BULK_CONCURRENCY bounds them together.
  const sending = { ...options, slots: new RequestSlots(options.concurrency) };
  reader.begin(lists, config, deps.clock.now());
  // Handed-back records were counted when the lane wrote them: counted again into a throwaway.
  lane.begin(total, deps, sending, reader.prepare, reader.now, (l, position) =>
    reader.prepareAt(l, position, createPrepareCounters()),
  );
  // Not given back on an error: sends of the lane may still be under way (nor are its slabs).
  openSlabs();
  let result: BatchResult;
  try {
    result = await indexBatch(slices(work, total), deps, sending);
  } catch (error) {
    closeSlabs(false);
    throw error;
  }
  closeSlabs(true);
  mergeLane(result, lane.counters);
  const prepare = { ...reader.prepare };
  const maxLagMs = reader.maxLagMs;
  const malformedHeaders = reader.decoded.malformedHeaders;
  reader.end();
  lane.end();
  idle.push(work);
  if (archive === undefined || archiving === undefined) {
    return { result, prepare, malformedHeaders, maxLagMs };
  }
  const archived = await archiving;
  // `report`: a partition whose archive object failed is redelivered from that object's first
  // offset, so nothing is indexed without also being archived.
  const settled = settleArchive(result.batchResponse, archived.failures, archive.onFailure);
  result.batchResponse = settled.batchResponse;
  return {
    result,
    prepare,
    malformedHeaders,
    maxLagMs,
    archive: { ...archived, recordsNotArchived: settled.recordsNotArchived },
  };
}

/**
 * One event's records, decoded and prepared on demand. Kept for the container's life and begun
 * again per batch, as the lane is: optimized code holds the objects it saw throughout a run
 * weakly, and is thrown away when a GC between invocations collects them (measured: about 2 µs a
 * record more in the next batch).
 */
class BatchReader {
  readonly prepare: PrepareCounters = createPrepareCounters();
  readonly decoded: DecodedEvent = { records: [], errors: [], malformedHeaders: 0 };
  /** Largest now − Kafka timestamp so far, ms. */
  maxLagMs = 0;
  now = 0;
  #lists: readonly RecordList[] = [];
  #config: PipelineConfig | undefined;
  readonly #run = new ValueRun();

  begin(lists: readonly RecordList[], config: PipelineConfig, now: number): void {
    this.#lists = lists;
    this.#config = config;
    this.now = now;
    this.maxLagMs = 0;
    this.decoded.malformedHeaders = 0;
    Object.assign(this.prepare, createPrepareCounters());
  }

  /** Lets go of the event (the reader outlives it). */
  end(): void {
    this.#lists = [];
    this.#config = undefined;
    this.#run.clear();
  }

  /** Record `position` of list `l` decoded, or its dead letter when it cannot be. */
  decodeAt(l: number, position: number): KafkaRecord | PreparedRecord {
    const list = this.#lists[l]!;
    const decoded = this.decoded;
    const run = this.#run;
    if (!run.covers(list.records, position)) run.decode(list.records, position, RUN_RECORDS, RUN_TEXT_BYTES);
    decodeRecord(list.records[position], list, decoded, run.valueAt(position));
    const record = decoded.records.pop();
    if (record !== undefined) {
      if (this.now - record.timestamp > this.maxLagMs) this.maxLagMs = this.now - record.timestamp;
      return record;
    }
    const error = decoded.errors.pop()!;
    if (this.now - error.timestamp > this.maxLagMs) this.maxLagMs = this.now - error.timestamp;
    return {
      kind: 'dead_letter',
      coords: error.coords,
      pipeline: '',
      errorType: error.errorType,
      reason: error.reason,
      original: error.raw,
      timestamp: error.timestamp,
    };
  }

  /** Record `position` of list `l` prepared as usual (counted into `counters`). */
  prepareAt(l: number, position: number, counters: PrepareCounters): PreparedRecord {
    const record = this.decodeAt(l, position);
    return 'kind' in record ? record : prepareRecord(record, this.#config!, counters, { now: this.now });
  }

  /** A decoded record prepared as usual (counted into `counters`). */
  prepareDecoded(record: KafkaRecord, counters: PrepareCounters = this.prepare): PreparedRecord {
    return prepareRecord(record, this.#config!, counters, { now: this.now });
  }

  /** The pipeline of a decoded record with a value, if its topic has one. */
  pipelineOf(record: KafkaRecord): CompiledPipeline | undefined {
    return record.value === null ? undefined : selectPipeline(this.#config!, record.topic);
  }

  get lists(): readonly RecordList[] {
    return this.#lists;
  }
}

/** What a batch works with; one per invocation under way (see BatchReader). */
class BatchWork {
  readonly reader = new BatchReader();
  readonly lane = new ByteLane();
  readonly cursor: Cursor = { l: 0, position: 0, left: 0, slice: [], sinceYield: 0 };
}
const idle: BatchWork[] = [];

/** Where slices() is in the event: list `l`, record `position`; `left` records after it. */
interface Cursor {
  l: number;
  position: number;
  left: number;
  slice: PreparedRecord[];
  sinceYield: number;
}

/**
 * The event's records prepared in slices handed to the bulk service as they are done: it sends a
 * full chunk while later records are still being prepared, so the cluster's work overlaps ours.
 * Records a byte path takes go to the lane instead.
 */
async function* slices(work: BatchWork, total: number): AsyncGenerator<PreparedRecord[]> {
  const { reader, lane, cursor } = work;
  cursor.l = 0;
  cursor.position = 0;
  cursor.left = total;
  cursor.slice = [];
  cursor.sinceYield = 0;
  while (fill(reader, lane, cursor)) {
    if (cursor.slice.length > 0) yield cursor.slice;
    cursor.slice = [];
    cursor.sinceYield = 0;
    // Lets the sends just started go out, and answers that arrived be read.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  if (cursor.slice.length > 0) yield cursor.slice;
  const back = await lane.finish();
  if (back.length > 0) yield back;
}

/**
 * Takes records from the cursor on until a slice is due (true) or the event ends (false). The
 * per-record loop is a plain function called per slice, not a loop in the generator: a long loop
 * there is compiled on the fly for that one invocation and thrown away after it.
 */
function fill(reader: BatchReader, lane: ByteLane, cursor: Cursor): boolean {
  const lists = reader.lists;
  const slice = cursor.slice;
  let { l, position, left, sinceYield } = cursor;
  for (; l < lists.length; l++, position = 0) {
    const count = lists[l]!.records.length;
    while (position < count) {
      left--;
      const at = position++;
      const record = reader.decodeAt(l, at);
      if ('kind' in record) slice.push(record);
      else {
        const pipeline = reader.pipelineOf(record);
        if (pipeline === undefined || !lane.take(record, pipeline, l, at, left)) {
          // An item the lane wrote, counted, and declined (over the cap) is counted into a throwaway.
          const counters = lane.declinedCounted() ? createPrepareCounters() : reader.prepare;
          slice.push(reader.prepareDecoded(record, counters));
        }
      }
      // Smaller slices at the end: the last chunk is cut at a slice's end, and waited for.
      const size = left < 2 * SLICE_RECORDS ? SLICE_RECORDS / 4 : SLICE_RECORDS;
      if (slice.length >= size || lane.cutSinceAsked() || ++sinceYield >= YIELD_RECORDS) {
        cursor.l = l;
        cursor.position = position;
        cursor.left = left;
        cursor.sinceYield = sinceYield;
        return true;
      }
    }
  }
  cursor.l = l;
  cursor.left = left;
  return false;
}

/**
 * The lane's records into the batch's counts. Its outcomes are not listed: `outcomes` and
 * `failures` cover the records the bulk service settled (the lane's handed-back ones among them).
 */
function mergeLane(result: BatchResult, lane: LaneCounters): void {
  const counters = result.counters;
  const settled = lane.records - lane.handedBack;
  counters.recordsIn += settled;
  counters.indexed += lane.indexed;
  counters.duplicates += lane.duplicates;
  // A handed-back record is sent again by the bulk service (its first send there is a retry).
  counters.retried += lane.handedBack;
  counters.bulkRequests += lane.bulkRequests;
  counters.bulkBytes += lane.bulkBytes;
  counters.bulkLatencyMs += lane.bulkLatencyMs;
}
