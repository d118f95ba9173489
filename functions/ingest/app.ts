import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { parse as parseYaml } from 'yaml';
import { createArchiveWriter, readArchiveSettings } from '../adapters/archive.ts';
import { createDeadLetterStore } from '../adapters/dead-letters.ts';
import { createBulkTransport, createOpenSearchClient } from '../adapters/opensearch.ts';
import { createS3Client } from '../adapters/s3.ts';
import type { IndexBatchDeps, IndexBatchOptions } from '../core/bulk/index-batch.ts';
import { type PipelineConfig, parsePipelineConfig } from '../core/pipeline/config.ts';
import type { Env } from '../runtime/env.ts';
import { ConfigError } from '../runtime/errors.ts';
import { createObservability } from '../runtime/observability.ts';
import { type IngestSettings, readIngestSettings } from './config.ts';
import type { ArchiveStage } from './process.ts';

/** Everything an ingest invocation needs, built once per container and then only read. */
export interface IngestApp {
  readonly settings: IngestSettings;
  readonly config: PipelineConfig;
  readonly deps: Omit<IndexBatchDeps, 'remainingMs'>;
  readonly options: IndexBatchOptions;
  /** The raw archive (ARCHIVE_BUCKET set), else undefined. */
  readonly archive: ArchiveStage | undefined;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

async function loadPipelineConfig(settings: IngestSettings, now: () => number): Promise<PipelineConfig> {
  let text = settings.pipelines.inline;
  if (text === undefined) {
    // Relative paths resolve from the deployment package root (LAMBDA_TASK_ROOT) or the working directory.
    const file = path.resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), settings.pipelines.file);
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `PIPELINES_FILE: cannot read ${settings.pipelines.file} (${(error as Error).message}); ship the file with the function or set PIPELINES_YAML`,
        { cause: error },
      );
    }
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`pipelines: not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  return parsePipelineConfig(raw, { now });
}

export async function createIngestApp(
  env: Env = process.env,
  observability: { logger: Logger; metrics: Metrics } = createObservability('ingest'),
): Promise<IngestApp> {
  const settings = readIngestSettings(env);
  const clock = { now: () => Date.now() };
  const config = await loadPipelineConfig(settings, clock.now);
  const client = await createOpenSearchClient(settings.opensearch);
  const s3 = createS3Client(settings.s3);
  const archive = readArchiveSettings(env);
  const { logger, metrics } = observability;
  return {
    settings,
    config,
    logger,
    metrics,
    deps: {
      transport: createBulkTransport(client, { gzip: settings.bulk.gzip }),
      deadLetters: createDeadLetterStore(s3, settings.deadLetters),
      clock,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      random: Math.random,
    },
    options: { ...settings.bulk, deadLetterPrefix: settings.deadLetters.prefix },
    archive: archive && { writer: createArchiveWriter(s3, archive), onFailure: archive.onFailure },
  };
}
