// The real ingest handler with the raw archive on (ARCHIVE_BUCKET), driven by the ESM simulator.
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { Client } from '@opensearch-project/opensearch';
import type { Context } from 'aws-lambda';
import type { ArchiveWriteResult } from '../../../functions/adapters/archive.ts';
import { createS3Client } from '../../../functions/adapters/s3.ts';
import type { BatchResponse } from '../../../functions/core/kafka/types.ts';
import { createIngestHandler } from '../../../functions/ingest/handler.ts';
import type { ProcessedBatch } from '../../../functions/ingest/process.ts';
import { EsmSimulator, type TopicRecord } from '../../../infra/local/esm/simulator.ts';
import { LocalBuckets } from '../../../infra/local/s3.ts';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.ts';

export const repo = path.resolve(import.meta.dirname, '../../..');

export interface ArchiveHarness {
  stack: LocalStack;
  client: Client;
  s3: S3Client;
  /** Environment for the ingest, the replay app and the CLI. */
  env: Record<string, string>;
  batches: Array<{ batch: ProcessedBatch; archived: ArchiveWriteResult; response: BatchResponse }>;
  /** Runs records through the ESM simulator and the archive-enabled ingest; refreshes after. */
  ingest(records: TopicRecord[], env?: Record<string, string>): Promise<EsmSimulator>;
  close(): Promise<void>;
}

export async function startArchiveHarness(): Promise<ArchiveHarness> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const stack = await startLocalStack();
  const env = {
    ...stack.env,
    ARCHIVE_BUCKET: LocalBuckets.archive,
    PIPELINES_FILE: path.join(repo, 'infra/pipelines.yaml'),
    BULK_BASE_DELAY_MS: '5',
    BULK_MAX_DELAY_MS: '50',
    SAFETY_MARGIN_MS: '1000',
  };
  const client = new Client({ node: stack.opensearchUrl });
  const s3 = createS3Client({ region: 'us-east-1', endpoint: stack.s3Endpoint });
  const batches: ArchiveHarness['batches'] = [];
  return {
    stack,
    client,
    s3,
    env,
    batches,
    async ingest(records, extra = {}) {
      const handler = createIngestHandler({
        env: { ...env, ...extra },
        onBatch: (batch) => {
          if (batch.archive === undefined) throw new Error('the archive should be on in this harness');
          batches.push({ batch, archived: batch.archive, response: batch.result.batchResponse });
        },
      });
      const sim = new EsmSimulator((event, context) => handler(event, context as unknown as Context));
      sim.produce(records);
      await sim.drain();
      await client.indices.refresh({ index: '_all' });
      return sim;
    },
    async close() {
      s3.destroy();
      await client.close();
      await stack.close();
    },
  };
}
