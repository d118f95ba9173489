import type { Coordinates, Outcome } from '../bulk/types.ts';
import type { BatchItemFailure, BatchResponse } from './types.ts';

/** The ESM's partition id: `"<topic>-<partition>"`. */
export function partitionId(coords: { topic: string; partition: number }): string {
  return `${coords.topic}-${coords.partition}`;
}

/**
 * The batch response: per partition, the lowest offset whose record is `reported`. The ESM
 * redelivers from there, so everything after it in that partition comes again too.
 * Identifiers are objects: a plain string id would make Lambda retry the whole batch.
 */
export function batchResponse(settled: Iterable<{ coords: Coordinates; outcome: Outcome }>): BatchResponse {
  const lowest = new Map<string, number>();
  for (const { coords, outcome } of settled) {
    if (outcome !== 'reported') continue;
    const id = partitionId(coords);
    const current = lowest.get(id);
    if (current === undefined || coords.offset < current) lowest.set(id, coords.offset);
  }
  const batchItemFailures: BatchItemFailure[] = [...lowest]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([partition, offset]) => ({ itemIdentifier: { partition, offset } }));
  return { batchItemFailures };
}
