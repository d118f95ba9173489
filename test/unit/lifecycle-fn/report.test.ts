// The run's one log line and its metrics.
import { describe, expect, it } from 'vitest';
import { LifecycleConfigError } from '../../../functions/core/lifecycle/errors.ts';
import type { PlanAction } from '../../../functions/core/lifecycle/plan.ts';
import { LifecycleMetrics, reportFailure, reportRun } from '../../../functions/lifecycle/report.ts';
import type { LifecycleRunSummary } from '../../../functions/lifecycle/run.ts';

function recorder() {
  const lines: Array<{ level: string; message: string; extra: Record<string, unknown> }> = [];
  const metrics: Record<string, number> = {};
  return {
    lines,
    metrics,
    logger: {
      info: (message: string, extra: Record<string, unknown>) =>
        lines.push({ level: 'info', message, extra }),
      warn: (message: string, extra: Record<string, unknown>) =>
        lines.push({ level: 'warn', message, extra }),
      error: (message: string, extra: Record<string, unknown>) =>
        lines.push({ level: 'error', message, extra }),
    },
    counter: { addMetric: (name: string, _unit: 'Count', value: number) => (metrics[name] = value) },
  };
}

const putTemplate: PlanAction = {
  type: 'put_index_template',
  name: 'sluice-api',
  body: { huge: 'x'.repeat(100) },
};
const snap: PlanAction = { type: 'create_snapshot', repository: 'r', snapshot: 's', indices: ['i'] };

function summary(failed: number): LifecycleRunSummary {
  return {
    drift: [
      {
        kind: 'index_template',
        name: 'sluice-api',
        status: 'differs',
        differences: ['priority: desired "200", actual "100"'],
      },
    ],
    fixed: 1,
    outcomes: [
      { action: putTemplate, status: 'done' },
      { action: snap, status: failed > 0 ? 'failed' : 'done', ...(failed > 0 ? { detail: 'boom' } : {}) },
    ],
    counts: {
      put_repository: 0,
      put_component_template: 0,
      put_index_template: 1,
      put_policy: 0,
      put_sm_policy: 0,
      bootstrap_alias: 0,
      create_data_stream: 0,
      add_policy: 0,
      change_policy: 0,
      create_snapshot: failed > 0 ? 0 : 1,
      catalog_snapshot: 0,
      delete_index: 0,
    },
    failed,
    retention: { deleted: ['old'], kept: 3, failed: [], staleEntriesRemoved: [] },
    passes: 1,
  };
}

describe('reportRun', () => {
  it('one info line with drift and one line per action, no request bodies; metrics per count', () => {
    const r = recorder();
    const report = reportRun(r.logger, r.counter, summary(0));
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0]?.level).toBe('info');
    expect(r.lines[0]?.message).toBe('lifecycle run');
    expect(report.actions).toEqual([
      { type: 'put_index_template', action: 'put index template sluice-api', status: 'done' },
      { type: 'create_snapshot', action: 'snapshot i as s', status: 'done' },
    ]);
    expect(JSON.stringify(r.lines[0]?.extra)).not.toContain('xxxx');
    expect(r.metrics).toEqual({
      [LifecycleMetrics.driftFound]: 1,
      [LifecycleMetrics.driftFixed]: 1,
      [LifecycleMetrics.actionsFailed]: 0,
      [LifecycleMetrics.snapshotsCreated]: 1,
      [LifecycleMetrics.snapshotsCatalogued]: 0,
      [LifecycleMetrics.indicesDeleted]: 0,
      [LifecycleMetrics.snapshotsDeleted]: 1,
    });
  });

  it('an error line when actions failed', () => {
    const r = recorder();
    reportRun(r.logger, r.counter, summary(1));
    expect(r.lines[0]).toMatchObject({ level: 'error', message: 'lifecycle run finished with failures' });
    expect(r.metrics[LifecycleMetrics.actionsFailed]).toBe(1);
  });
});

describe('reportFailure', () => {
  it('a refused configuration lists its issues and counts', () => {
    const r = recorder();
    const issue = {
      path: 'repository.settings.storage_class',
      message: 'archive class',
      fix: 'use standard_ia',
    };
    reportFailure(r.logger, r.counter, new LifecycleConfigError([issue]));
    expect(r.lines).toEqual([
      {
        level: 'error',
        message: 'lifecycle configuration refused before any call',
        extra: { issues: [issue] },
      },
    ]);
    expect(r.metrics[LifecycleMetrics.configInvalid]).toBe(1);
  });
});
