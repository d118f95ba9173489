import type { ArchiveWriteResult, ArchiveWriter } from '../adapters/archive.ts';
import { type ArchiveFailureMode, settleArchive } from '../core/archive/settle.ts';
import {
  type BatchResult,
  type IndexBatchDeps,
  type IndexBatchOptions,
  indexBatch,
} from '../core/bulk/index-batch.ts';
import type { PreparedRecord } from '../core/bulk/types.ts';
import {
  checkRecord,
  type DecodedEvent,
  decodeEvent,
  decodeRecord,
  recordLists,
} from '../core/kafka/decode.ts';
import type { KafkaRecord } from '../core/kafka/types.ts';
import { type PipelineConfig, selectPipeline } from '../core/pipeline/config.ts';
import { createPrepareCounters, type PrepareCounters, prepareRecord } from '../core/pipeline/prepare.ts';
import { ByteLane, type LaneCounters } from './lane.ts';

/** Records prepared between two hand-overs to the bulk service. */
const SLICE_RECORDS = 500;

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
  const now = deps.clock.now();
  const prepare = createPrepareCounters();
  const decoded: DecodedEvent = { records: [], errors: [], malformedHeaders: 0 };
  let maxLagMs = 0;
  /** Record `position` of list `l` decoded, or its dead letter when it cannot be. */
  const decodeAt = (l: number, position: number): KafkaRecord | PreparedRecord => {
    const list = lists[l]!;
    decodeRecord(list.records[position], list, decoded);
    const record = decoded.records.pop();
    if (record !== undefined) return record;
    const error = decoded.errors.pop()!;
    return {
      kind: 'dead_letter',
      coords: error.coords,
      pipeline: '',
      errorType: error.errorType,
      reason: error.reason,
      original: error.raw,
      timestamp: error.timestamp,
    };
  };
  const prepareAt = (l: number, position: number, counters: PrepareCounters): PreparedRecord => {
    const record = decodeAt(l, position);
    return 'kind' in record ? record : prepareRecord(record, config, counters, { now });
  };
  // Handed-back records were counted when the lane wrote them: counted again into a throwaway.
  const lane = new ByteLane(total, deps, options, prepare, now, (l, position) =>
    prepareAt(l, position, createPrepareCounters()),
  );
  // Prepared in slices handed to the bulk service as they are done: it sends a full chunk while
  // later records are still being prepared, so the cluster's work overlaps ours.
  async function* slices(): AsyncGenerator<PreparedRecord[]> {
    let slice: PreparedRecord[] = [];
    let left = total;
    let sinceYield = 0;
    for (let l = 0; l < lists.length; l++) {
      const count = lists[l]!.records.length;
      for (let position = 0; position < count; position++) {
        left--;
        const record = decodeAt(l, position);
        if (now - record.timestamp > maxLagMs) maxLagMs = now - record.timestamp;
        if ('kind' in record) slice.push(record);
        else {
          const pipeline = record.value === null ? undefined : selectPipeline(config, record.topic);
          if (pipeline === undefined || !lane.take(record, pipeline, l, position, left)) {
            slice.push(prepareRecord(record, config, prepare, { now }));
          }
        }
        // Smaller slices at the end: the last chunk is cut at a slice's end, and waited for.
        const size = left < 2 * SLICE_RECORDS ? SLICE_RECORDS / 4 : SLICE_RECORDS;
        if (slice.length >= size || lane.cutSinceAsked() || ++sinceYield >= SLICE_RECORDS) {
          if (slice.length > 0) yield slice;
          slice = [];
          sinceYield = 0;
          // Lets the sends just started go out, and answers that arrived be read.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    }
    if (slice.length > 0) yield slice;
    const back = await lane.finish();
    if (back.length > 0) yield back;
  }
  const result = await indexBatch(slices(), deps, options);
  mergeLane(result, lane.counters);
  const malformedHeaders = decoded.malformedHeaders;
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
