import type { ArchiveWriteResult, ArchiveWriter } from '../adapters/archive.ts';
import { type ArchiveFailureMode, settleArchive } from '../core/archive/settle.ts';
import {
  type BatchResult,
  type IndexBatchDeps,
  type IndexBatchOptions,
  indexBatch,
} from '../core/bulk/index-batch.ts';
import type { PreparedRecord } from '../core/bulk/types.ts';
import { decodeEvent } from '../core/kafka/decode.ts';
import type { PipelineConfig } from '../core/pipeline/config.ts';
import { createPrepareCounters, type PrepareCounters, prepareRecord } from '../core/pipeline/prepare.ts';

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
 * Undecodable records join the batch as dead letters so that they are settled like any other.
 */
export async function processEvent(
  event: unknown,
  config: PipelineConfig,
  deps: IndexBatchDeps,
  options: IndexBatchOptions,
  archive?: ArchiveStage,
): Promise<ProcessedBatch> {
  const decoded = decodeEvent(event);
  // The archive is written while the batch is indexed; it never rejects (failures are listed).
  const archiving = archive?.writer.write(decoded.records);
  const now = deps.clock.now();
  const prepare = createPrepareCounters();
  let maxLagMs = 0;
  // Prepared in slices handed to the bulk service as they are done: it sends a full chunk while
  // later records are still being prepared, so the cluster's work overlaps ours.
  async function* slices(): AsyncGenerator<PreparedRecord[]> {
    let slice: PreparedRecord[] = decoded.errors.map((error) => ({
      kind: 'dead_letter',
      coords: error.coords,
      pipeline: '',
      errorType: error.errorType,
      reason: error.reason,
      original: error.raw,
      timestamp: error.timestamp,
    }));
    let left = decoded.records.length;
    for (const record of decoded.records) {
      left--;
      slice.push(prepareRecord(record, config, prepare, { now }));
      if (now - record.timestamp > maxLagMs) maxLagMs = now - record.timestamp;
      // Smaller slices at the end: the last chunk is cut at a slice's end, and waited for.
      const size = left < 2 * SLICE_RECORDS ? SLICE_RECORDS / 4 : SLICE_RECORDS;
      if (slice.length >= size) {
        yield slice;
        slice = [];
        // Lets the sends just started go out, and answers that arrived be read.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
    if (slice.length > 0) yield slice;
  }
  const expectedRecords = decoded.records.length + decoded.errors.length;
  const result = await indexBatch(slices(), deps, { ...options, expectedRecords });
  if (archive === undefined || archiving === undefined) {
    return { result, prepare, malformedHeaders: decoded.malformedHeaders, maxLagMs };
  }
  const archived = await archiving;
  // `report`: a partition whose archive object failed is redelivered from that object's first
  // offset, so nothing is indexed without also being archived.
  const settled = settleArchive(result.batchResponse, archived.failures, archive.onFailure);
  result.batchResponse = settled.batchResponse;
  return {
    result,
    prepare,
    malformedHeaders: decoded.malformedHeaders,
    maxLagMs,
    archive: { ...archived, recordsNotArchived: settled.recordsNotArchived },
  };
}
