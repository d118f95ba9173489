// The handler with the app built from inline YAML and in-memory ports: scheduled runs, restore
// events, and refusals (the build or the run fails before any cluster call).
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMemoryCatalogStore } from '../../../functions/adapters/lifecycle-catalog.ts';
import { createLifecycleApp } from '../../../functions/lifecycle/app.ts';
import { LifecycleRunError } from '../../../functions/lifecycle/errors.ts';
import { NOW, validators } from '../lifecycle/helpers.ts';
import { FakeCluster } from './fake-cluster.ts';

const YAML = `
prefix: sluice
services:
  - name: api
    alias: logs-api
repository:
  name: sluice-snapshots
  type: s3
  settings: { bucket: sluice-snapshots, region: us-east-1 }
snapshot:
  mode: function
`;

const context = { getRemainingTimeInMillis: () => 300_000, functionName: 'lifecycle' } as unknown as Context;
const silent = { info: () => {}, warn: () => {}, error: () => {} };
const scheduled = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };

let createLifecycleHandler: typeof import('../../../functions/lifecycle/handler.ts').createLifecycleHandler;

beforeAll(async () => {
  // Powertools reads these when the handler module loads: no log lines or EMF blobs in test output.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  ({ createLifecycleHandler } = await import('../../../functions/lifecycle/handler.ts'));
});

function build(yaml: string, cluster = new FakeCluster(() => NOW)) {
  const catalog = createMemoryCatalogStore();
  const env = { OPENSEARCH_ENDPOINT: 'http://127.0.0.1:1', OPENSEARCH_AUTH: 'none', LIFECYCLE_YAML: yaml };
  let builds = 0;
  const handler = createLifecycleHandler(() => {
    builds++;
    return createLifecycleApp(env, silent, { cluster, catalog, validators, now: () => NOW });
  });
  return { handler, cluster, catalog, builds: () => builds };
}

describe('lifecycle handler', () => {
  it('a scheduled event runs a reconciliation and returns the report without bodies', async () => {
    const { handler, builds } = build(YAML);
    const report = (await handler(scheduled, context)) as {
      failed: number;
      actions: Array<{ action: string; status: string }>;
    };
    expect(report.failed).toBe(0);
    expect(report.actions.map((a) => a.action)).toContain(
      'bootstrap logs-api-000001 as write index of logs-api',
    );
    expect(JSON.stringify(report)).not.toContain('dynamic_templates');
    await handler(scheduled, context);
    expect(builds()).toBe(1);
  });

  it('a restore event restores (nothing catalogued here) and reports', async () => {
    const { handler, cluster } = build(YAML);
    const summary = (await handler(
      { action: 'restore', service: 'api', from: '2026-06-01', to: '2026-06-02', wait: true },
      context,
    )) as { indices: unknown[]; uncoveredDays: string[] };
    expect(summary.indices).toEqual([]);
    expect(summary.uncoveredDays).toEqual(['2026-06-01', '2026-06-02']);
    expect(cluster.methods()).toEqual(['listIndices', 'countDocs']);
  });

  it('a YAML shape problem fails the build; the next invocation builds again', async () => {
    const { handler, cluster, builds } = build('prefix: sluice\nservices: []\n');
    await expect(handler(scheduled, context)).rejects.toThrow(/services: must list at least one service/);
    await expect(handler(scheduled, context)).rejects.toThrow(/services/);
    expect(builds()).toBe(2);
    expect(cluster.calls).toEqual([]);
  });

  it('a glacier repository is refused before any call', async () => {
    const { handler, cluster } = build(
      YAML.replace('region: us-east-1', 'region: us-east-1, storage_class: glacier'),
    );
    await expect(handler(scheduled, context)).rejects.toThrow(
      /storage_class: storage class glacier is an archive class/,
    );
    expect(cluster.calls).toEqual([]);
  });

  it('failed actions make the invocation fail after the run is reported', async () => {
    const cluster = new FakeCluster(() => NOW);
    cluster.failures.set('putIndexTemplate', 'illegal_argument_exception');
    const { handler } = build(YAML, cluster);
    const error = await handler(scheduled, context).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LifecycleRunError);
    expect((error as LifecycleRunError).failed).toBe(1);
    expect(cluster.methods()).not.toContain('bootstrapAlias');
  });
});
