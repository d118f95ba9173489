import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { KafkaEvent } from '../../../functions/core/kafka/types.ts';
import type { TopicRecord } from './simulator.ts';

/** Why the ESM gave a batch up (Lambda's `requestContext.condition`; the last one is ours). */
export const FailureConditions = {
  retryAttemptsExhausted: 'RetryAttemptsExhausted',
  recordAgeExceeded: 'RecordAgeExceeded',
  /** A single record larger than the payload cap: it can never be delivered. */
  payloadTooLarge: 'PayloadTooLarge',
} as const;
export type FailureCondition = (typeof FailureConditions)[keyof typeof FailureConditions];

export interface GivenUpBatch {
  condition: FailureCondition;
  /** The records of one partition, as the function would have received them. */
  event: KafkaEvent;
  records: TopicRecord[];
  attempts: number;
  functionArn: string;
  time: number;
}

export interface OnFailureDestination {
  send(batch: GivenUpBatch): Promise<void>;
}

/**
 * The invocation record Lambda writes to an S3 on-failure destination for a Kafka event source:
 * the condition, the batch's coordinates and, for S3 destinations, the whole payload.
 */
export function invocationRecord(batch: GivenUpBatch) {
  const first = batch.records[0];
  const last = batch.records.at(-1);
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: batch.functionArn,
      condition: batch.condition,
      approximateInvokeCount: batch.attempts,
    },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: new Date(batch.time).toISOString(),
    KafkaBatchInfo: {
      batchSize: batch.records.length,
      topic: first?.topic,
      partition: first?.partition,
      firstOffset: first?.offset,
      lastOffset: last?.offset,
      firstOffsetTimestamp: first?.timestamp,
      lastOffsetTimestamp: last?.timestamp,
    },
    payload: batch.event,
  };
}

/** Writes each given-up batch as one JSON object, keyed like Lambda's: `<prefix><topic-partition>/yyyy/MM/dd/<time>-<uuid>`. */
export function s3OnFailureDestination(s3: S3Client, bucket: string, prefix = 'aws/lambda/local-esm/') {
  return {
    async send(batch: GivenUpBatch): Promise<void> {
      const record = invocationRecord(batch);
      const iso = record.timestamp;
      const day = iso.slice(0, 10).replaceAll('-', '/');
      const first = batch.records[0];
      const key = `${prefix}${first?.topic}-${first?.partition}/${day}/${iso.replaceAll(':', '.')}-${randomUUID()}`;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify(record),
          ContentType: 'application/json',
          ServerSideEncryption: 'AES256',
        }),
      );
    },
  } satisfies OnFailureDestination;
}
