import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../functions/adapters/s3.ts';
import { s3OnFailureDestination } from '../../../infra/local/esm/on-failure.ts';
import { EsmSimulator, type TopicRecord } from '../../../infra/local/esm/simulator.ts';
import { type LocalS3, startLocalS3 } from '../../../infra/local/s3.ts';

// The ESM simulator's on-failure destination: given-up batches land in S3 as Lambda's invocation
// records (condition, Kafka batch info, the payload).

const BUCKET = 'sluice-esm-on-failure';
let local: LocalS3;
let s3: ReturnType<typeof createS3Client>;
beforeAll(async () => {
  local = await startLocalS3();
  s3 = createS3Client({ region: 'us-east-1', endpoint: local.endpoint });
  await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(async () => {
  s3?.destroy();
  await local?.close();
});

describe('ESM on-failure destination (S3)', () => {
  it('writes each given-up partition batch with its condition, coordinates and payload', async () => {
    const records: TopicRecord[] = [0, 1, 2].map((offset) => ({
      topic: 'orders',
      partition: 3,
      offset,
      timestamp: Date.UTC(2026, 10, 20) + offset,
      key: null,
      value: Buffer.from(`value ${offset}`),
    }));
    const sim = new EsmSimulator(
      async () => {
        throw new Error('always');
      },
      {
        maximumRetryAttempts: 1,
        onFailureDestination: s3OnFailureDestination(s3, BUCKET, 'aws/lambda/esm-1/'),
      },
    );
    sim.produce(records);
    const stats = await sim.drain();
    expect(stats.onFailureDestinationErrors).toBe(0);
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'aws/lambda/esm-1/orders-3/' }),
    );
    expect(listed.KeyCount).toBe(1);
    const key = listed.Contents![0]!.Key!;
    expect(key).toMatch(/^aws\/lambda\/esm-1\/orders-3\/\d{4}\/\d{2}\/\d{2}\/.+/);
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    const record = JSON.parse(await got.Body!.transformToString()) as {
      requestContext: { condition: string; approximateInvokeCount: number };
      KafkaBatchInfo: Record<string, unknown>;
      payload: { eventSource: string; records: Record<string, Array<{ offset: number; value: string }>> };
    };
    expect(record.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 2,
    });
    expect(record.KafkaBatchInfo).toMatchObject({
      batchSize: 3,
      topic: 'orders',
      partition: 3,
      firstOffset: 0,
      lastOffset: 2,
    });
    expect(record.payload.records['orders-3']!.map((r) => Buffer.from(r.value, 'base64').toString())).toEqual(
      ['value 0', 'value 1', 'value 2'],
    );
  });
});
