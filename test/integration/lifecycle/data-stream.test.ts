// A data stream service: backing indices roll over by ISM, are snapshotted under a name without the
// leading dot, catalogued under their service, deleted past delete_after, and restore as plain indices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../../functions/lifecycle/report.ts';
import type { RestoreSummary } from '../../../functions/lifecycle/restore.ts';
import {
  context,
  DAY,
  type LifecycleEnv,
  lifecycleHandler,
  listKeys,
  scheduledEvent,
  seedDay,
  setClock,
  startLifecycleEnv,
} from './support.ts';

const D0 = Date.UTC(2026, 10, 1);
const NOON = 12 * 3_600_000;

function yaml(s3Endpoint: string): string {
  return `
defaults:
  retention_days: 30
  rollover: { min_index_age: 1d }
  warm_after: 1d
  cold_after: 2d
  delete_after: 3d
  replicas: { hot: 0, warm: 0, cold: 0 }
  allocation: { warm: null, cold: null }
services:
  - name: nginx
    data_stream: logs-nginx
repository:
  name: sluice-snapshots
  type: s3
  settings: { bucket: sluice-snapshots, base_path: ds, region: us-east-1, endpoint: ${s3Endpoint}, path_style_access: true }
snapshot:
  retention: { max_age: 400d, min_count: 7 }
`;
}

describe('lifecycle: a data stream service', () => {
  let env: LifecycleEnv;
  let now = D0 + NOON;
  const reports: RunReport[] = [];
  let handler: Awaited<ReturnType<typeof lifecycleHandler>>;

  beforeAll(async () => {
    env = await startLifecycleEnv();
    handler = await lifecycleHandler(env, yaml(env.stack.s3Endpoint), () => now);
    now = await setClock(env, { now: D0 + NOON });
    reports.push((await handler(scheduledEvent, context)) as RunReport);
    await seedDay(env, 'logs-nginx', D0, 11);
    for (let day = 1; day <= 4; day++) {
      now = await setClock(env, { advance: '1d' });
      await seedDay(env, 'logs-nginx', D0 + day * DAY, 11 + day);
      reports.push((await handler(scheduledEvent, context)) as RunReport);
    }
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  it('created the data stream and ran without failures', () => {
    expect(reports[0]?.counts.create_data_stream).toBe(1);
    expect(reports.map((r) => r.failed)).toEqual([0, 0, 0, 0, 0]);
  });

  it('snapshotted and catalogued the first backing index under its service, then deleted it', async () => {
    const entries = await listKeys(env, 'catalog/snapshots/');
    expect(entries).toContain('catalog/snapshots/sluice-ds-logs-nginx-000001-2026.11.03.json');
    expect(await listKeys(env, 'catalog/by-service/nginx/')).toContain(
      'catalog/by-service/nginx/2026-11-01.json',
    );
    const deleted = reports.flatMap((r) =>
      r.actions.filter((a) => a.type === 'delete_index' && a.status === 'done'),
    );
    expect(deleted.map((a) => a.action)).toContain(
      'delete .ds-logs-nginx-000001 (held by sluice-ds-logs-nginx-000001-2026.11.03)',
    );
    const res = await env.client.indices.getDataStream({ name: 'logs-nginx' });
    const backing = (res.body as { data_streams: Array<{ indices: Array<{ index_name: string }> }> })
      .data_streams[0]?.indices;
    expect(backing?.map((i) => i.index_name)).not.toContain('.ds-logs-nginx-000001');
  });

  it('restores the deleted day as a plain index with the same document count', async () => {
    const summary = (await handler(
      { action: 'restore', service: 'nginx', from: '2026-11-01', to: '2026-11-01', wait: true },
      context,
    )) as RestoreSummary;
    expect(summary.indices.map((i) => i.restoredAs)).toEqual(['restored-ds-logs-nginx-000001']);
    expect(summary.documentsRestored).toBe(11);
    expect(summary.documentsExpected).toBe(11);
  });
});
