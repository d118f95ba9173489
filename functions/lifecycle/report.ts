// One structured log line and the metrics of a run or a restore. Drift is listed item by item
// (what differed and whether it was fixed); actions are shown as one line each, without bodies.
import { LifecycleConfigError } from '../core/lifecycle/errors.ts';
import type { AppLogger } from './app.ts';
import { describeAction } from './execute.ts';
import type { RestoreSummary } from './restore.ts';
import type { LifecycleRunSummary } from './run.ts';

export interface RunMetrics {
  addMetric(name: string, unit: 'Count', value: number): void;
}

export const LifecycleMetrics = {
  driftFound: 'LifecycleDriftFound',
  driftFixed: 'LifecycleDriftFixed',
  actionsFailed: 'LifecycleActionsFailed',
  snapshotsCreated: 'SnapshotsCreated',
  snapshotsCatalogued: 'SnapshotsCatalogued',
  indicesDeleted: 'IndicesDeleted',
  snapshotsDeleted: 'SnapshotsDeleted',
  configInvalid: 'LifecycleConfigInvalid',
  documentsRestored: 'DocumentsRestored',
} as const;

/** What the handler returns and logs: the run without request bodies. */
export function summariseRun(summary: LifecycleRunSummary) {
  return {
    drift: summary.drift,
    driftFixed: summary.fixed,
    actions: summary.outcomes.map((o) => ({
      type: o.action.type,
      action: describeAction(o.action),
      status: o.status,
      ...(o.detail ? { detail: o.detail } : {}),
    })),
    counts: summary.counts,
    failed: summary.failed,
    retention: summary.retention,
    passes: summary.passes,
  };
}

export type RunReport = ReturnType<typeof summariseRun>;

export function reportRun(logger: AppLogger, metrics: RunMetrics, summary: LifecycleRunSummary): RunReport {
  const report = summariseRun(summary);
  metrics.addMetric(LifecycleMetrics.driftFound, 'Count', summary.drift.length);
  metrics.addMetric(LifecycleMetrics.driftFixed, 'Count', summary.fixed);
  metrics.addMetric(LifecycleMetrics.actionsFailed, 'Count', summary.failed);
  metrics.addMetric(LifecycleMetrics.snapshotsCreated, 'Count', summary.counts.create_snapshot);
  metrics.addMetric(LifecycleMetrics.snapshotsCatalogued, 'Count', summary.counts.catalog_snapshot);
  metrics.addMetric(LifecycleMetrics.indicesDeleted, 'Count', summary.counts.delete_index);
  metrics.addMetric(LifecycleMetrics.snapshotsDeleted, 'Count', summary.retention.deleted.length);
  if (summary.failed > 0) logger.error('lifecycle run finished with failures', report);
  else logger.info('lifecycle run', report);
  return report;
}

export function reportRestore(logger: AppLogger, metrics: RunMetrics, summary: RestoreSummary): void {
  if (summary.documentsRestored !== null)
    metrics.addMetric(LifecycleMetrics.documentsRestored, 'Count', summary.documentsRestored);
  logger.info('restore', { ...summary });
}

/** A refused desired state: one error line naming every problem, and a metric to alarm on. */
export function reportFailure(logger: AppLogger, metrics: RunMetrics, error: unknown): void {
  if (error instanceof LifecycleConfigError) {
    metrics.addMetric(LifecycleMetrics.configInvalid, 'Count', 1);
    logger.error('lifecycle configuration refused before any call', { issues: error.issues });
    return;
  }
  logger.error('lifecycle invocation failed', {
    error: error instanceof Error ? error.message : String(error),
  });
}
