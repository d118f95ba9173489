import type { OpenSearchConfig } from '../adapters/opensearch.ts';
import { type Env, readBool, readChoice, readInt, readOptional, readString } from '../runtime/env.ts';
import { readOpenSearchConfig } from '../runtime/opensearch-env.ts';

const MiB = 1024 * 1024;

/** Everything the ingest function reads from its environment, validated once at cold start. */
export interface IngestSettings {
  opensearch: OpenSearchConfig;
  s3: { region: string; endpoint?: string };
  deadLetters: { bucket: string; prefix: string; sse: 'AES256' | 'aws:kms'; kmsKeyId?: string };
  pipelines: { file: string; inline?: string };
  bulk: {
    maxChunkBytes: number;
    /** While a batch is still being prepared, a chunk leaves once it holds this much. */
    streamChunkBytes: number;
    concurrency: number;
    gzip: boolean;
    maxAttempts: number;
    baseDelayMs: number;
    maxDelayMs: number;
    requestTimeoutMs: number;
    safetyMarginMs: number;
  };
  /** `report`: partial batch response (needs ReportBatchItemFailures); `throw`: fail the invocation. */
  onUnfinished: 'report' | 'throw';
}

export function readIngestSettings(env: Env): IngestSettings {
  const region = readString(env, 'AWS_REGION', 'us-east-1');
  const opensearch = readOpenSearchConfig(env, {
    requestTimeoutMs: 30_000,
    timeoutKey: 'BULK_REQUEST_TIMEOUT_MS',
  });
  const sse = readChoice(env, 'DEAD_LETTER_SSE', ['AES256', 'aws:kms'] as const, 'AES256');
  const kmsKeyId = readOptional(env, 'DEAD_LETTER_KMS_KEY_ID');
  const inline = readOptional(env, 'PIPELINES_YAML');
  return {
    opensearch,
    s3: { region, endpoint: readOptional(env, 'S3_ENDPOINT') },
    deadLetters: {
      bucket: readString(env, 'DEAD_LETTER_BUCKET'),
      prefix: readString(env, 'DEAD_LETTER_PREFIX', 'dead-letters/'),
      sse,
      ...(kmsKeyId ? { kmsKeyId } : {}),
    },
    pipelines: {
      file: readString(env, 'PIPELINES_FILE', 'infra/pipelines.yaml'),
      ...(inline ? { inline } : {}),
    },
    bulk: {
      // Amazon OpenSearch Service caps HTTP bodies at 10 MiB on small instances, 100 MiB on large.
      maxChunkBytes: readInt(env, 'BULK_MAX_BYTES', 5 * MiB, { min: 64 * 1024, max: 100 * MiB }),
      // Smaller early chunks let the cluster work while later records are prepared; larger ones
      // mean fewer requests per batch.
      streamChunkBytes: readInt(env, 'BULK_STREAM_BYTES', MiB, { min: 64 * 1024, max: 100 * MiB }),
      concurrency: readInt(env, 'BULK_CONCURRENCY', 2, { min: 1, max: 32 }),
      gzip: readBool(env, 'BULK_GZIP', false),
      maxAttempts: readInt(env, 'BULK_MAX_ATTEMPTS', 10, { min: 1, max: 100 }),
      baseDelayMs: readInt(env, 'BULK_BASE_DELAY_MS', 100, { min: 1, max: 60_000 }),
      maxDelayMs: readInt(env, 'BULK_MAX_DELAY_MS', 10_000, { min: 1, max: 300_000 }),
      requestTimeoutMs: opensearch.requestTimeoutMs,
      safetyMarginMs: readInt(env, 'SAFETY_MARGIN_MS', 5_000, { min: 0, max: 300_000 }),
    },
    onUnfinished: readChoice(env, 'ON_UNFINISHED', ['report', 'throw'] as const, 'report'),
  };
}
