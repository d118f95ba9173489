// Ten simulated days against the local stack: documents seeded per day through the official client,
// the server clock advanced day by day, ISM running on it and the lifecycle function run once a day.
// Checked: ISM walks hot → warm → cold; snapshot files land in S3; the catalog lists exactly the
// snapshots that exist; retention leaves exactly the expected ones; a deleted day restores with the
// same document count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../../functions/lifecycle/report.ts';
import type { RestoreSummary } from '../../../functions/lifecycle/restore.ts';
import { main } from '../../../infra/local/restore.ts';
import {
  context,
  DAY,
  explainState,
  type LifecycleEnv,
  lifecycleHandler,
  listKeys,
  scheduledEvent,
  seedDay,
  setClock,
  startLifecycleEnv,
} from './support.ts';

/** Day 0 of the simulation: 2026-11-01; runs and rollovers happen at noon. */
const D0 = Date.UTC(2026, 10, 1);
const NOON = 12 * 3_600_000;
const DAYS = 10;
const docsOn = (day: number) => 20 + day;

function timeTravelYaml(s3Endpoint: string): string {
  return `
prefix: sluice
defaults:
  retention_days: 5
  rollover: { min_index_age: 1d }
  warm_after: 2d
  cold_after: 4d
  delete_after: 6d
  replicas: { hot: 0, warm: 0, cold: 0 }
  allocation: { warm: null, cold: null }
services:
  - name: api
    alias: logs-api
repository:
  name: sluice-snapshots
  type: s3
  settings:
    bucket: sluice-snapshots
    base_path: opensearch
    region: us-east-1
    endpoint: ${s3Endpoint}
    path_style_access: true
snapshot:
  mode: function
  name_prefix: sluice
  retention: { max_age: 60h, min_count: 2 }
catalog:
  prefix: catalog
`;
}

const index = (k: number) => `logs-api-${String(k).padStart(6, '0')}`;

describe('lifecycle: ten days of time travel', () => {
  let env: LifecycleEnv;
  let now = D0 + NOON;
  const states: Array<string | null> = [];
  const reports: RunReport[] = [];
  let handler: Awaited<ReturnType<typeof lifecycleHandler>>;

  beforeAll(async () => {
    env = await startLifecycleEnv();
    handler = await lifecycleHandler(env, timeTravelYaml(env.stack.s3Endpoint), () => now);
    now = await setClock(env, { now: D0 + NOON });
    // Day 0: the first run bootstraps templates, policy, repository and logs-api-000001.
    reports.push((await handler(scheduledEvent, context)) as RunReport);
    await seedDay(env, 'logs-api', D0, docsOn(0));
    states.push(await explainState(env, index(1)));
    for (let day = 1; day < DAYS; day++) {
      // ISM runs on the server clock: the day's rollover creates index(day + 1) at noon.
      now = await setClock(env, { advance: '1d' });
      await seedDay(env, 'logs-api', D0 + day * DAY, docsOn(day));
      reports.push((await handler(scheduledEvent, context)) as RunReport);
      states.push(await explainState(env, index(1)).catch(() => 'deleted'));
    }
  }, 240_000);

  afterAll(async () => {
    await env?.close();
  });

  it('the first run fixed all drift and no run failed', () => {
    expect(reports[0]?.drift.length).toBeGreaterThan(0);
    expect(reports[0]?.driftFixed).toBe(reports[0]?.drift.length);
    expect(reports.map((r) => r.failed)).toEqual(new Array(DAYS).fill(0));
    // From the second run on, the desired state is in sync.
    expect(reports.slice(1).flatMap((r) => r.drift)).toEqual([]);
  });

  it('explain walks the first index hot → warm → cold', () => {
    const walked = states.filter((s, i) => s !== null && s !== states[i - 1] && s !== 'deleted');
    expect(walked).toEqual(['hot', 'warm', 'cold']);
  });

  it('rolled over once a day and deleted indices older than delete_after that a snapshot holds', async () => {
    const res = await env.client.cat.indices({ index: 'logs-api-*', format: 'json', h: ['index'] });
    const names = (res.body as Array<{ index: string }>).map((r) => r.index).sort();
    // Index k is created on day k-1 and deleted on day k+5: on day 9, 000005 … 000010 remain.
    expect(names).toEqual([5, 6, 7, 8, 9, 10].map(index));
  });

  it('snapshot files are in S3 and the catalog lists exactly the snapshots that exist', async () => {
    const files = await listKeys(env, 'opensearch/');
    expect(files.length).toBeGreaterThan(0);
    expect(files.some((k) => /\/index-\d+$/.test(k))).toBe(true);
    const res = await env.client.snapshot.get({ repository: 'sluice-snapshots', snapshot: '_all' });
    const existing = (res.body as { snapshots: Array<{ snapshot: string; state: string }> }).snapshots;
    expect(existing.every((s) => s.state === 'SUCCESS')).toBe(true);
    const catalogued = (await listKeys(env, 'catalog/snapshots/')).map((k) =>
      k.slice('catalog/snapshots/'.length, -'.json'.length),
    );
    expect(catalogued).toEqual(existing.map((s) => s.snapshot).sort());
  });

  it('retention leaves exactly the expected snapshots', async () => {
    // Index k is snapshotted on day k+3; past 60h and outside the newest 2, it goes on day k+6.
    const res = await env.client.snapshot.get({ repository: 'sluice-snapshots', snapshot: '_all' });
    const names = (res.body as { snapshots: Array<{ snapshot: string }> }).snapshots
      .map((s) => s.snapshot)
      .sort();
    const day = (n: number) => new Date(D0 + n * DAY).toISOString().slice(0, 10).replaceAll('-', '.');
    expect(names).toEqual([4, 5, 6].map((k) => `sluice-${index(k)}-${day(k + 3)}`));
    const deleted = reports.flatMap((r) => r.retention.deleted);
    expect(deleted).toEqual([1, 2, 3].map((k) => `sluice-${index(k)}-${day(k + 3)}`));
  });

  it('a restore of a deleted day brings back the same document count', async () => {
    // Day 3's documents were in index 4, deleted on day 9 after its snapshot on day 7.
    const summary = (await handler(
      { action: 'restore', service: 'api', from: '2026-11-04', to: '2026-11-04', wait: true },
      context,
    )) as RestoreSummary;
    expect(summary.indices.map((i) => i.restoredAs)).toEqual(['restored-logs-api-000004']);
    expect(summary.documentsRestored).toBe(docsOn(3));
    expect(summary.documentsExpected).toBe(docsOn(3));
    const count = await env.client.count({ index: 'restored-logs-api-000004' });
    expect((count.body as { count: number }).count).toBe(docsOn(3));
  });

  it('the restore command restores a day with progress on the terminal', async () => {
    const lines: string[] = [];
    const code = await main(
      ['--service', 'api', '--from', '2026-11-05', '--to', '2026-11-05', '--wait'],
      { ...env.stack.env, LIFECYCLE_YAML: timeTravelYaml(env.stack.s3Endpoint) },
      (line) => lines.push(line),
    );
    expect(lines).toContain('restoring logs-api-000005 from sluice-logs-api-000005-2026.11.09 …');
    expect(lines.at(-1)).toBe(`${docsOn(4)} documents restored into 1 index(es) (catalog: ${docsOn(4)})`);
    expect(code).toBe(0);
    // Asked again, the index is already there and is not restored twice.
    const again: string[] = [];
    expect(
      await main(
        ['--service', 'api', '--from', '2026-11-05', '--to', '2026-11-05'],
        { ...env.stack.env, LIFECYCLE_YAML: timeTravelYaml(env.stack.s3Endpoint) },
        (line) => again.push(line),
      ),
    ).toBe(0);
    expect(again).toContain('already restored (delete restored-* to restore again): logs-api-000005');
  });
});
