import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Client } from '@opensearch-project/opensearch';
import type { Context } from 'aws-lambda';
import { createS3Client } from '../../../functions/adapters/s3.ts';
import type { DeadLetterEntry } from '../../../functions/core/bulk/types.ts';
import { createIngestHandler } from '../../../functions/ingest/handler.ts';
import type { ProcessedBatch } from '../../../functions/ingest/process.ts';
import { type EsmOptions, EsmSimulator, type TopicRecord } from '../../../infra/local/esm/simulator.ts';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.ts';

export const repo = path.resolve(import.meta.dirname, '../../..');

export interface IngestHarness {
  stack: LocalStack;
  client: Client;
  batches: ProcessedBatch[];
  handler: ReturnType<typeof createIngestHandler>;
  run(records: TopicRecord[], esm?: Partial<EsmOptions>): Promise<EsmSimulator>;
  faults(body: Record<string, unknown> | null): Promise<void>;
  deadLetters(prefix?: string): Promise<Array<DeadLetterEntry & { objectKey: string }>>;
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<IngestHarness> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const stack = await startLocalStack();
  const client = new Client({ node: stack.opensearchUrl });
  const batches: ProcessedBatch[] = [];
  const handler = createIngestHandler({
    env: {
      ...stack.env,
      PIPELINES_FILE: path.join(repo, 'infra/pipelines.yaml'),
      BULK_BASE_DELAY_MS: '5',
      BULK_MAX_DELAY_MS: '50',
      SAFETY_MARGIN_MS: '1000',
      ...env,
    },
    onBatch: (batch) => batches.push(batch),
  });
  const s3 = createS3Client({ region: 'us-east-1', endpoint: stack.s3Endpoint });
  return {
    stack,
    client,
    batches,
    handler,
    async run(records, esm = {}) {
      const sim = new EsmSimulator((event, context) => handler(event, context as unknown as Context), esm);
      sim.produce(records);
      await sim.drain();
      await client.indices.refresh({ index: '_all' });
      return sim;
    },
    async faults(body) {
      await client.transport.request(
        body === null
          ? { method: 'DELETE', path: '/_sluice/faults' }
          : { method: 'PUT', path: '/_sluice/faults', body },
      );
    },
    async deadLetters(prefix = 'dead-letters/') {
      const bucket = stack.env.DEAD_LETTER_BUCKET;
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
      const out: Array<DeadLetterEntry & { objectKey: string }> = [];
      for (const object of listed.Contents ?? []) {
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
        const text = gunzipSync(await got.Body!.transformToByteArray()).toString('utf8');
        for (const line of text.split('\n').filter(Boolean))
          out.push({ ...(JSON.parse(line) as DeadLetterEntry), objectKey: object.Key! });
      }
      return out;
    },
    async close() {
      s3.destroy();
      await client.close();
      await stack.close();
    },
  };
}

/** Records for one topic over `partitions` partitions, offsets from 0, in produce order. */
export function records(
  topic: string,
  values: Array<string | Buffer | null>,
  partitions = 2,
  timestamp = Date.UTC(2026, 10, 20, 12),
): TopicRecord[] {
  const next = new Array(partitions).fill(0);
  return values.map((value, i) => {
    const partition = i % partitions;
    return {
      topic,
      partition,
      offset: next[partition]++,
      timestamp: timestamp + i,
      key: null,
      value: value === null ? null : Buffer.isBuffer(value) ? value : Buffer.from(value),
    };
  });
}

/** JSON app-log lines for one service. */
export function appLines(
  service: string,
  count: number,
  extra: (i: number) => Record<string, unknown> = () => ({}),
): string[] {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      '@timestamp': new Date(Date.UTC(2026, 10, 20, 12, 0, i % 60)).toISOString(),
      'log.level': i % 10 === 0 ? 'error' : 'info',
      message: `event ${i}`,
      service: { name: service },
      seq: i,
      ...extra(i),
    }),
  );
}

export async function allDocs(
  client: Client,
  index: string,
): Promise<Array<{ _id: string; _source: Record<string, unknown> }>> {
  const res = await client.search({ index, body: { size: 10_000, query: { match_all: {} } } });
  return res.body.hits.hits as unknown as Array<{ _id: string; _source: Record<string, unknown> }>;
}
