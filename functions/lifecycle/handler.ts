import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { createObservability } from '../runtime/observability.ts';
import { createLifecycleApp, type LifecycleApp } from './app.ts';
import { LifecycleRunError } from './errors.ts';
import { reportFailure, reportRestore, reportRun } from './report.ts';
import { isRestoreEvent, parseRestoreEvent, runRestore } from './restore.ts';
import { runLifecycle } from './run.ts';

const { logger, metrics } = createObservability('lifecycle');

/**
 * Scheduled: one reconciliation run. `{"action": "restore", service, from, to, wait?}`: a restore.
 * The app is built on a container's first invocation; a failed build is retried on the next one.
 */
export function createLifecycleHandler(build: () => Promise<LifecycleApp>) {
  let app: Promise<LifecycleApp> | undefined;
  const lifecycle = async (event: unknown, context: Context) => {
    try {
      app ??= build().catch((error: unknown) => {
        app = undefined;
        throw error;
      });
      const a = await app;
      if (isRestoreEvent(event)) {
        const { query, wait } = parseRestoreEvent(event, a.config);
        const summary = await runRestore(a, query, { wait });
        reportRestore(logger, metrics, summary);
        return summary;
      }
      const remainingMs = () => context.getRemainingTimeInMillis();
      const summary = await runLifecycle({ ...a, ...a.settings, remainingMs });
      const report = reportRun(logger, metrics, summary);
      if (summary.failed > 0) throw new LifecycleRunError(summary.failed);
      return report;
    } catch (error) {
      if (!(error instanceof LifecycleRunError)) reportFailure(logger, metrics, error);
      throw error;
    }
  };
  return middy(lifecycle).use(injectLambdaContext(logger)).use(logMetrics(metrics));
}

export const handler = createLifecycleHandler(() => createLifecycleApp(process.env, logger));
