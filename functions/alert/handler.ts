import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import { createObservability } from '../runtime/observability.ts';
import { createAlertApp } from './app.ts';
import { type AlertApp, type RunSummary, runAlerts } from './run.ts';

const { logger, metrics } = createObservability('alert');

/**
 * The scheduled alert function. The app (rules, clients) is built on the first invocation of a
 * container and reused; a failed build is retried on the next invocation rather than cached.
 */
export function createHandler(build: () => Promise<AlertApp>) {
  let app: Promise<AlertApp> | undefined;
  return middy(async (): Promise<RunSummary> => {
    app ??= build().catch((error: unknown) => {
      app = undefined;
      throw error;
    });
    return runAlerts(await app);
  })
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
}

export const handler = createHandler(() => createAlertApp(process.env, { logger, counters: metrics }));
