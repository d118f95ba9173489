import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Client } from '@opensearch-project/opensearch';
import type { Context } from 'aws-lambda';
import { createS3Client } from '../../../functions/adapters/s3.ts';
import type { DeadLetterEntry } from '../../../functions/core/bulk/types.ts';
import type { BatchResponse, KafkaEvent, KafkaEventRecord } from '../../../functions/core/kafka/types.ts';
import { createIngestHandler } from '../../../functions/ingest/handler.ts';
import type { ProcessedBatch } from '../../../functions/ingest/process.ts';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.ts';

export const repo = path.resolve(import.meta.dirname, '../../..');
export const fixtures = path.join(repo, 'test/fixtures/bad-input');
export const T0 = Date.UTC(2026, 10, 20, 12);

/** Where one record of a batch went. */
export interface Placement {
  docs: Array<{ _id: string; _index: string; _source: Record<string, unknown> }>;
  deadLetters: DeadLetterEntry[];
}

export interface BadInputRun {
  response: BatchResponse | undefined;
  thrown: unknown;
  batch: ProcessedBatch | undefined;
  /** The bad record (offset 1) and its two good neighbours (offsets 0 and 2). */
  bad: Placement;
  good: Placement[];
}

export interface BadInputHarness {
  client: Client;
  stack: LocalStack;
  /** One batch on its own topic: a good record, the bad one, a good record. */
  run(name: string, bad: Partial<KafkaEventRecord>): Promise<BadInputRun>;
  close(): Promise<void>;
}

const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

/** A good app-log value for `service` (the pipeline routes on service.name). */
export function goodValue(service: string, i: number): string {
  return encode({
    '@timestamp': new Date(T0 + i).toISOString(),
    message: `good ${i}`,
    service: { name: service },
  });
}

export async function startBadInputHarness(): Promise<BadInputHarness> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const stack = await startLocalStack();
  const client = new Client({ node: stack.opensearchUrl });
  const s3 = createS3Client({ region: 'us-east-1', endpoint: stack.s3Endpoint });
  let last: ProcessedBatch | undefined;
  const handler = createIngestHandler({
    env: {
      ...stack.env,
      PIPELINES_FILE: path.join(repo, 'infra/pipelines.yaml'),
      BULK_BASE_DELAY_MS: '5',
      BULK_MAX_DELAY_MS: '50',
      SAFETY_MARGIN_MS: '1000',
    },
    onBatch: (batch) => {
      last = batch;
    },
  });

  async function deadLetters(topic: string): Promise<DeadLetterEntry[]> {
    const bucket = stack.env.DEAD_LETTER_BUCKET!;
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `dead-letters/topic=${topic}/` }),
    );
    const out: DeadLetterEntry[] = [];
    for (const object of listed.Contents ?? []) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
      const text = gunzipSync(await got.Body!.transformToByteArray()).toString('utf8');
      for (const line of text.split('\n').filter(Boolean)) out.push(JSON.parse(line) as DeadLetterEntry);
    }
    return out;
  }

  return {
    client,
    stack,
    async run(name, bad) {
      const topic = `bad-${name}`;
      const records: KafkaEventRecord[] = [0, 1, 2].map((offset) => ({
        topic,
        partition: 0,
        offset,
        timestamp: T0 + offset,
        timestampType: 'CREATE_TIME',
        key: null,
        value: goodValue(topic, offset),
        headers: [],
        ...(offset === 1 ? bad : {}),
      }));
      const event: KafkaEvent = {
        eventSource: 'aws:kafka',
        eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/bad/1',
        records: { [`${topic}-0`]: records },
      };
      const context = { awsRequestId: name, functionName: 'ingest', getRemainingTimeInMillis: () => 60_000 };
      last = undefined;
      let response: BatchResponse | undefined;
      let thrown: unknown;
      try {
        response = await handler(event, context as unknown as Context);
      } catch (error) {
        thrown = error;
      }
      await client.indices.refresh({ index: '_all' });
      // Raw search: documents may carry `__proto__` keys, which the client's parser refuses.
      const res = await client.transport.request(
        {
          method: 'POST',
          path: '/_all/_search',
          body: { size: 100, query: { term: { 'kafka.topic.keyword': topic } } },
        },
        { asStream: true },
      );
      const chunks: Buffer[] = [];
      for await (const chunk of res.body as unknown as AsyncIterable<Buffer>) chunks.push(chunk);
      const docs = (
        JSON.parse(Buffer.concat(chunks).toString('utf8')) as { hits: { hits: Placement['docs'] } }
      ).hits.hits;
      const dead = await deadLetters(topic);
      const placement = (offset: number): Placement => ({
        docs: docs.filter((d) => d._id === `${topic}:0:${offset}`),
        deadLetters: dead.filter((e) => e.offset === offset),
      });
      return { response, thrown, batch: last, bad: placement(1), good: [placement(0), placement(2)] };
    },
    async close() {
      s3.destroy();
      await client.close();
      await stack.close();
    },
  };
}
