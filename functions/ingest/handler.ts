import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { BatchResponse } from '../core/kafka/types.ts';
import type { Env } from '../runtime/env.ts';
import { createObservability } from '../runtime/observability.ts';
import { createIngestApp, type IngestApp } from './app.ts';
import { UnfinishedBatchError } from './errors.ts';
import { type ProcessedBatch, processEvent } from './process.ts';
import { reportBatch } from './report.ts';

export interface IngestHandlerOptions {
  env?: Env;
  /** Sees every settled batch (the local runner totals them); not used on Lambda. */
  onBatch?: (batch: ProcessedBatch) => void;
}

/** The Lambda handler: build the app once per container, process, report, answer. */
export function createIngestHandler(options: IngestHandlerOptions = {}) {
  const observability = createObservability('ingest');
  const { logger, metrics } = observability;
  // Built on the first invocation and kept for the container's life; a failed build is retried next time.
  let app: Promise<IngestApp> | undefined;
  const getApp = (): Promise<IngestApp> =>
    (app ??= createIngestApp(options.env ?? process.env, observability).catch((error: unknown) => {
      app = undefined;
      throw error;
    }));

  const ingest = async (event: unknown, context: Context): Promise<BatchResponse> => {
    const { config, deps, options: bulk, settings, archive } = await getApp();
    const remainingMs = () => context.getRemainingTimeInMillis();
    const batch = await processEvent(event, config, { ...deps, remainingMs }, bulk, archive);
    reportBatch(logger, metrics, batch);
    options.onBatch?.(batch);
    const unfinished = batch.result.batchResponse.batchItemFailures.length;
    if (settings.onUnfinished === 'throw' && unfinished > 0) {
      throw new UnfinishedBatchError(unfinished);
    }
    return batch.result.batchResponse;
  };

  return middy(ingest).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

export const handler = createIngestHandler();
