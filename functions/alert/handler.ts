import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createObservability } from '../runtime/observability.ts';
import { createAlertApp } from './app.ts';
import { type AlertApp, type RunLogger, type RunMetrics, type RunSummary, runAlerts } from './run.ts';

/**
 * The scheduled alert function. The app (rules, clients) is built on the first invocation of a
 * container and reused; a failed build is retried on the next invocation rather than cached. The
 * build receives the handler's own logger and metrics, so what a run counts is what gets published.
 */
export function createHandler(
  build: (observability: { logger: RunLogger; counters: RunMetrics }) => Promise<AlertApp>,
  { logger, metrics } = createObservability('alert'),
) {
  let app: Promise<AlertApp> | undefined;
  return middy(async (): Promise<RunSummary> => {
    app ??= build({ logger, counters: metrics }).catch((error: unknown) => {
      app = undefined;
      throw error;
    });
    return runAlerts(await app);
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

export const handler = createHandler((observability) => createAlertApp(process.env, observability));
