import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { parseReplayRequest } from '../core/archive/request.ts';
import type { Env } from '../runtime/env.ts';
import { createObservability } from '../runtime/observability.ts';
import { createReplayApp, type ReplayApp } from './app.ts';
import type { ReplayResult } from './replay.ts';

/**
 * The replay function: the event is a replay request (`{source, topic, since, until, targetIndex,
 * dryRun, restart}`). It stops before the function's timeout and answers `incomplete`; invoking it
 * again with the same event resumes from the checkpoint (a Step Functions loop or a rerun). Use
 * absolute times in such an event: `since: '6h'` moves with the clock, so it names a new replay.
 */
export function createReplayHandler(options: { env?: Env } = {}) {
  const observability = createObservability('replay');
  const { logger, metrics } = observability;
  let app: Promise<ReplayApp> | undefined;
  const getApp = (): Promise<ReplayApp> =>
    (app ??= createReplayApp(options.env ?? process.env, observability).catch((error: unknown) => {
      app = undefined;
      throw error;
    }));

  const run = async (event: unknown, context: Context): Promise<Omit<ReplayResult, 'prepare'>> => {
    const request = parseReplayRequest(event, Date.now());
    const result = await (await getApp()).run(request, {
      remainingMs: () => context.getRemainingTimeInMillis(),
    });
    const { totals } = result;
    metrics.addMetric('ReplayRecords', MetricUnit.Count, totals.replayed);
    metrics.addMetric('ReplayIndexed', MetricUnit.Count, totals.indexed);
    metrics.addMetric('ReplayDuplicates', MetricUnit.Count, totals.duplicates);
    metrics.addMetric('ReplayDeadLettered', MetricUnit.Count, totals.deadLettered);
    metrics.addMetric('ReplayBytes', MetricUnit.Bytes, totals.bytes);
    logger.info('replay run finished', { request, status: result.status, totals, prepare: result.prepare });
    const { prepare: _prepare, ...answer } = result;
    return answer;
  };

  return middy(run).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

export const handler = createReplayHandler();
