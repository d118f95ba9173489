import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { createS3CheckpointStore, createS3ObjectSource } from '../adapters/archive.ts';
import { createS3Client } from '../adapters/s3.ts';
import type { ReplayTotals } from '../core/archive/checkpoint.ts';
import { DEFAULT_CHECKPOINT_PREFIX } from '../core/archive/checkpoint.ts';
import { ReplayRequestError } from '../core/archive/errors.ts';
import { DEFAULT_ARCHIVE_PREFIX } from '../core/archive/keys.ts';
import type { ReplayProgress } from '../core/archive/progress.ts';
import { type ReplayRequest, ReplaySources } from '../core/archive/request.ts';
import { createIngestApp } from '../ingest/app.ts';
import type { Env } from '../runtime/env.ts';
import { readOptional, readString } from '../runtime/env.ts';
import { createObservability } from '../runtime/observability.ts';
import { type ReplayResult, replay } from './replay.ts';

export interface ReplayRunOptions {
  /** Time the run may use, in ms (a function's remaining time); unbounded when unset. */
  remainingMs?: () => number;
  progress?: (progress: ReplayProgress, totals: ReplayTotals) => void;
}

export interface ReplayApp {
  run(request: ReplayRequest, options?: ReplayRunOptions): Promise<ReplayResult>;
  close(): void;
}

/**
 * The replay's wiring: the ingest app's pipeline config, bulk transport and dead-letter store (the
 * same path the records first took), plus the archive/dead-letter buckets as sources. Checkpoints
 * live in the bucket being read, under REPLAY_CHECKPOINT_PREFIX.
 */
export async function createReplayApp(
  env: Env = process.env,
  observability: { logger: Logger; metrics: Metrics } = createObservability('replay'),
): Promise<ReplayApp> {
  const ingest = await createIngestApp(env, observability);
  const s3 = createS3Client(ingest.settings.s3);
  const archiveBucket = readOptional(env, 'ARCHIVE_BUCKET');
  const prefixes = {
    archive: readString(env, 'ARCHIVE_PREFIX', DEFAULT_ARCHIVE_PREFIX),
    deadLetters: ingest.settings.deadLetters.prefix,
    checkpoints: readString(env, 'REPLAY_CHECKPOINT_PREFIX', DEFAULT_CHECKPOINT_PREFIX),
  };
  return {
    async run(request, options = {}) {
      let bucket = ingest.settings.deadLetters.bucket;
      if (request.source === ReplaySources.archive) {
        if (archiveBucket === undefined)
          throw new ReplayRequestError('ARCHIVE_BUCKET is not set: nothing to replay from');
        bucket = archiveBucket;
      }
      return replay(request, {
        source: createS3ObjectSource(s3, bucket),
        checkpoints: createS3CheckpointStore(s3, bucket),
        config: ingest.config,
        index: { ...ingest.deps, remainingMs: options.remainingMs ?? (() => Number.MAX_SAFE_INTEGER) },
        indexOptions: ingest.options,
        prefixes,
        ...(options.progress ? { progress: options.progress } : {}),
      });
    },
    close() {
      s3.destroy();
    },
  };
}
