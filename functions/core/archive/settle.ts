// What a failed archive write means for the batch: with `report`, the partition is redelivered from
// the failed object's first offset, so those records are archived (and re-answered as duplicates
// by OpenSearch) on the next delivery; with `continue`, the loss is only counted.

import { partitionId } from '../kafka/batch-response.ts';
import type { BatchItemFailure, BatchResponse } from '../kafka/types.ts';

export const ArchiveFailureModes = { report: 'report', continue: 'continue' } as const;
export type ArchiveFailureMode = (typeof ArchiveFailureModes)[keyof typeof ArchiveFailureModes];

/** One archive object that could not be written. */
export interface ArchiveFailure {
  key: string;
  topic: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
  records: number;
  reason: string;
}

export interface ArchiveSettlement {
  batchResponse: BatchResponse;
  /** Records whose archive object failed. */
  recordsNotArchived: number;
  /** Partitions newly reported (or reported lower) because of the archive. */
  partitionsReported: number;
}

/**
 * Merges archive failures into the bulk service's batch response: per partition, the lowest of the
 * reported offset and the failed objects' first offsets (mode `report`), or unchanged (`continue`).
 */
export function settleArchive(
  response: BatchResponse,
  failures: readonly ArchiveFailure[],
  mode: ArchiveFailureMode,
): ArchiveSettlement {
  const recordsNotArchived = failures.reduce((n, f) => n + f.records, 0);
  if (mode === ArchiveFailureModes.continue || failures.length === 0) {
    return { batchResponse: response, recordsNotArchived, partitionsReported: 0 };
  }
  const before = new Map<string, number>();
  for (const { itemIdentifier } of response.batchItemFailures) {
    before.set(itemIdentifier.partition, itemIdentifier.offset);
  }
  const lowest = new Map(before);
  for (const failure of failures) {
    const id = partitionId(failure);
    const current = lowest.get(id);
    if (current === undefined || failure.firstOffset < current) lowest.set(id, failure.firstOffset);
  }
  let partitionsReported = 0;
  for (const [id, offset] of lowest) if (before.get(id) !== offset) partitionsReported++;
  const batchItemFailures: BatchItemFailure[] = [...lowest]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([partition, offset]) => ({ itemIdentifier: { partition, offset } }));
  return { batchResponse: { batchItemFailures }, recordsNotArchived, partitionsReported };
}
