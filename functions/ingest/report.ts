import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ProcessedBatch } from './process.ts';

/**
 * One structured summary line per batch and the batch's metrics (EMF). No per-record lines: a
 * failed record shows up in the dead-letter store or the batch response, with its coordinates.
 */
export function reportBatch(logger: Logger, metrics: Metrics, batch: ProcessedBatch): void {
  const { counters, batchResponse, deadLetterKeys } = batch.result;
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count('RecordsIn', counters.recordsIn);
  count('RecordsIndexed', counters.indexed);
  count('RecordsDuplicate', counters.duplicates);
  count('RecordsRetried', counters.retried);
  count('RecordsDeadLettered', counters.deadLettered);
  count('RecordsDropped', counters.dropped);
  count('RecordsReported', counters.reported);
  count('BulkRequests', counters.bulkRequests);
  metrics.addMetric('BulkBytes', MetricUnit.Bytes, counters.bulkBytes);
  metrics.addMetric('BulkLatency', MetricUnit.Milliseconds, counters.bulkLatencyMs);
  metrics.addMetric('EndToEndLag', MetricUnit.Milliseconds, batch.maxLagMs);
  if (counters.deadLetterWriteFailures > 0)
    count('DeadLetterWriteFailures', counters.deadLetterWriteFailures);

  const summary = {
    counters,
    prepare: batch.prepare,
    malformedHeaders: batch.malformedHeaders,
    maxLagMs: batch.maxLagMs,
    deadLetterKeys,
    ...(batch.archive
      ? { archive: { objects: batch.archive.keys.length, failures: batch.archive.failures } }
      : {}),
    reported: batchResponse.batchItemFailures.map((f) => f.itemIdentifier),
  };
  if (batchResponse.batchItemFailures.length > 0 || counters.deadLetterWriteFailures > 0) {
    logger.warn('batch partly unfinished; the ESM will redeliver from the reported offsets', summary);
  } else {
    logger.info('batch settled', summary);
  }
}
