// `sm` mode against the local stack: the function writes the SM policy (and leaves it alone once in
// sync), SM takes the snapshots on its cron, and the function only verifies and catalogs them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../../functions/lifecycle/report.ts';
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

function smYaml(s3Endpoint: string): string {
  return `
defaults:
  retention_days: 30
  rollover: { min_index_age: 1d }
  warm_after: 1d
  cold_after: 2d
  delete_after: 30d
  replicas: { hot: 0, warm: 0, cold: 0 }
  allocation: { warm: null, cold: null }
services:
  - name: api
    alias: logs-api
repository:
  name: sluice-snapshots
  type: s3
  settings: { bucket: sluice-snapshots, base_path: sm, region: us-east-1, endpoint: ${s3Endpoint}, path_style_access: true }
snapshot:
  mode: sm
  sm:
    policy_name: sluice-daily
    indices: "logs-*"
    creation:
      schedule: { cron: { expression: "0 2 * * *", timezone: UTC } }
    deletion:
      schedule: { cron: { expression: "0 3 * * *", timezone: UTC } }
      condition: { max_age: 60d, min_count: 3 }
`;
}

describe('lifecycle: sm mode', () => {
  let env: LifecycleEnv;
  let now = D0 + NOON;
  const reports: RunReport[] = [];

  beforeAll(async () => {
    env = await startLifecycleEnv();
    const handler = await lifecycleHandler(env, smYaml(env.stack.s3Endpoint), () => now);
    now = await setClock(env, { now: D0 + NOON });
    reports.push((await handler(scheduledEvent, context)) as RunReport);
    await seedDay(env, 'logs-api', D0, 7);
    for (let day = 1; day <= 3; day++) {
      now = await setClock(env, { advance: '1d' });
      await seedDay(env, 'logs-api', D0 + day * DAY, 7);
      reports.push((await handler(scheduledEvent, context)) as RunReport);
    }
  }, 120_000);

  afterAll(async () => {
    await env?.close();
  });

  it('writes the SM policy once; later runs find it in sync', async () => {
    expect(reports[0]?.counts.put_sm_policy).toBe(1);
    expect(reports.slice(1).flatMap((r) => r.drift)).toEqual([]);
    const res = await env.client.transport.request({
      method: 'GET',
      path: '/_plugins/_sm/policies/sluice-daily',
    });
    expect(
      (res.body as { sm_policy: { snapshot_config: { repository: string } } }).sm_policy.snapshot_config
        .repository,
    ).toBe('sluice-snapshots');
  });

  it('takes no snapshots itself but catalogs the SM snapshots that cover rolled-over indices', async () => {
    expect(reports.map((r) => r.counts.create_snapshot)).toEqual([0, 0, 0, 0]);
    expect(reports.map((r) => r.failed)).toEqual([0, 0, 0, 0]);
    const res = await env.client.snapshot.get({ repository: 'sluice-snapshots', snapshot: '_all' });
    const taken = (res.body as { snapshots: Array<{ snapshot: string }> }).snapshots.map((s) => s.snapshot);
    expect(taken.length).toBeGreaterThanOrEqual(3);
    expect(taken.every((name) => name.startsWith('sluice-daily-'))).toBe(true);
    const catalogued = await listKeys(env, 'catalog/snapshots/');
    expect(catalogued.length).toBeGreaterThan(0);
    expect(catalogued.every((k) => k.startsWith('catalog/snapshots/sluice-daily-'))).toBe(true);
    expect(reports.flatMap((r) => r.retention.deleted)).toEqual([]);
  });
});
