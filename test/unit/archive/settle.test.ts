import { describe, expect, it } from 'vitest';
import { type ArchiveFailure, settleArchive } from '../../../functions/core/archive/settle.ts';
import type { BatchResponse } from '../../../functions/core/kafka/types.ts';

const failure = (topic: string, partition: number, firstOffset: number, records = 10): ArchiveFailure => ({
  key: `raw/topic=${topic}/dt=2026-11-20/hour=12/partition=${partition}/${firstOffset}-${firstOffset + records - 1}.ndjson.gz`,
  topic,
  partition,
  firstOffset,
  lastOffset: firstOffset + records - 1,
  records,
  reason: 'SlowDown',
});
const reported = (partition: string, offset: number) => ({ itemIdentifier: { partition, offset } });
const none: BatchResponse = { batchItemFailures: [] };

describe('settleArchive', () => {
  it.each([
    [
      'no failures leaves the response alone',
      { batchItemFailures: [reported('t-0', 4)] },
      [],
      'report',
      [reported('t-0', 4)],
      0,
    ],
    [
      'a failed object reports its partition from its first offset',
      none,
      [failure('t', 1, 20)],
      'report',
      [reported('t-1', 20)],
      1,
    ],
    [
      'the lowest of the bulk report and the archive failure wins',
      { batchItemFailures: [reported('t-0', 15), reported('t-1', 3)] },
      [failure('t', 0, 10), failure('t', 1, 8), failure('t', 0, 30)],
      'report',
      [reported('t-0', 10), reported('t-1', 3)],
      1,
    ],
    [
      'partitions stay sorted, topics with dashes too',
      none,
      [failure('b-x', 0, 1), failure('a', 2, 5)],
      'report',
      [reported('a-2', 5), reported('b-x-0', 1)],
      2,
    ],
    [
      'continue: only counted',
      { batchItemFailures: [reported('t-0', 4)] },
      [failure('t', 0, 1)],
      'continue',
      [reported('t-0', 4)],
      0,
    ],
  ] as const)('%s', (_name, response, failures, mode, expected, partitionsReported) => {
    const out = settleArchive(response as BatchResponse, failures as readonly ArchiveFailure[], mode);
    expect(out.batchResponse.batchItemFailures).toEqual(expected);
    expect(out.partitionsReported).toBe(partitionsReported);
    expect(out.recordsNotArchived).toBe(
      (failures as readonly ArchiveFailure[]).reduce((n, f) => n + f.records, 0),
    );
  });
});
