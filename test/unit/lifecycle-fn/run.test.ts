// Whole runs against the in-memory cluster and catalog: bootstrap from nothing, a second run that
// changes nothing, refusal before any call, snapshots across invocations, retention.
import { describe, expect, it } from 'vitest';
import { createMemoryCatalogStore } from '../../../functions/adapters/lifecycle-catalog.ts';
import { buildCatalogEntry, catalogEntryKey } from '../../../functions/core/lifecycle/catalog.ts';
import type { LifecycleConfig } from '../../../functions/core/lifecycle/config.ts';
import { buildDesiredState, type DesiredState } from '../../../functions/core/lifecycle/desired.ts';
import { LifecycleConfigError } from '../../../functions/core/lifecycle/errors.ts';
import { writeCatalogEntry } from '../../../functions/lifecycle/catalog.ts';
import { runLifecycle } from '../../../functions/lifecycle/run.ts';
import { config, DAY, NOW, snapshot, validators } from '../lifecycle/helpers.ts';
import { FakeCluster, indexInfo } from './fake-cluster.ts';

function setup(cfg: LifecycleConfig = config(), desired: DesiredState = buildDesiredState(cfg)) {
  let now = NOW;
  const cluster = new FakeCluster(() => now);
  const catalog = createMemoryCatalogStore();
  const input = {
    config: cfg,
    desired,
    validators,
    cluster,
    catalog,
    now: () => now,
    waitForSnapshots: true,
  };
  return { cluster, catalog, input, advance: (ms: number) => (now += ms) };
}

describe('runLifecycle: desired state', () => {
  it('bootstraps an empty cluster, reports the drift it fixed, and a second run changes nothing', async () => {
    const { cluster, input } = setup();
    const first = await runLifecycle(input);
    expect(first.failed).toBe(0);
    expect(first.drift.every((d) => d.status === 'missing')).toBe(true);
    expect(first.fixed).toBe(first.drift.length);
    expect(first.counts).toMatchObject({
      put_repository: 1,
      put_component_template: 3,
      put_index_template: 2,
      put_policy: 2,
      bootstrap_alias: 1,
      create_data_stream: 1,
      add_policy: 0,
    });
    expect(cluster.indices.map((i) => [i.name, i.policyId])).toEqual([
      ['logs-api-000001', 'sluice-api'],
      ['.ds-logs-nginx-000001', 'sluice-nginx'],
    ]);
    cluster.calls = [];
    const second = await runLifecycle(input);
    expect(second.drift).toEqual([]);
    expect(second.outcomes).toEqual([]);
    expect(cluster.methods()).toEqual(['readActual']);
  });

  it('updates a changed policy with the stored tokens', async () => {
    const { cluster, input } = setup();
    await runLifecycle(input);
    const stored = cluster.policies['sluice-api'];
    if (stored === undefined) throw new Error('policy missing');
    stored.policy.description = 'edited by hand';
    const seqNo = stored.seqNo;
    cluster.calls = [];
    const run = await runLifecycle(input);
    expect(run.drift).toEqual([
      expect.objectContaining({ kind: 'policy', name: 'sluice-api', status: 'differs' }),
    ]);
    expect(run.fixed).toBe(1);
    const put = cluster.calls.find((c) => c.method === 'putPolicy');
    expect(put?.args[2]).toEqual({ ifSeqNo: seqNo, ifPrimaryTerm: 1 });
  });
});

describe('runLifecycle: refused before any call', () => {
  it('glacier storage class', async () => {
    const cfg = config({
      repository: {
        name: 'sluice-snapshots',
        type: 's3',
        settings: { bucket: 'b', storage_class: 'glacier' },
      },
    });
    const { cluster, catalog, input } = setup(cfg);
    await expect(runLifecycle(input)).rejects.toThrow(
      /repository\.settings\.storage_class: storage class glacier/,
    );
    expect(cluster.calls).toEqual([]);
    expect(catalog.objects.size).toBe(0);
  });

  it('an invalid policy (transition to a state that does not exist)', async () => {
    const cfg = config();
    const desired = buildDesiredState(cfg);
    const policy = desired.policies['sluice-api']?.policy;
    if (policy?.states[0] === undefined) throw new Error('no policy');
    policy.states[0].transitions = [{ state_name: 'frozen', conditions: { min_index_age: '1d' } }];
    const { cluster, input } = setup(cfg, desired);
    const error = await runLifecycle(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LifecycleConfigError);
    expect((error as LifecycleConfigError).message).toMatch(
      /policies\.sluice-api\.policy\.states\.0\.transitions\.0\.state_name: invalid policy: transition to unknown state "frozen"/,
    );
    expect(cluster.calls).toEqual([]);
  });

  it('a snapshot action naming an unknown repository', async () => {
    const cfg = config();
    const desired = buildDesiredState(cfg);
    desired.policies['sluice-api']?.policy.states[2]?.actions.push({
      snapshot: { repository: 'nope', snapshot: 'x' },
    });
    const { cluster, input } = setup(cfg, desired);
    await expect(runLifecycle(input)).rejects.toThrow(/unknown repository "nope"/);
    expect(cluster.calls).toEqual([]);
  });

  it('an SM policy whose deletion would outrun retention', async () => {
    const cfg = config({
      snapshot: {
        mode: 'sm',
        sm: {
          creation: { schedule: { cron: { expression: '0 2 * * *', timezone: 'UTC' } } },
          deletion: { condition: { max_age: '10d', min_count: 1 } },
        },
      },
    });
    const { cluster, input } = setup(cfg);
    await expect(runLifecycle(input)).rejects.toThrow(
      /snapshot\.sm\.deletion\.condition\.max_age: 10d is shorter/,
    );
    expect(cluster.calls).toEqual([]);
  });
});

function coldIndexSetup(createdDaysAgo: number) {
  const ctx = setup();
  const { cluster } = ctx;
  return runLifecycle(ctx.input).then(() => {
    cluster.indices = [
      indexInfo('logs-api-000001', NOW - createdDaysAgo * DAY, {
        aliases: [{ name: 'logs-api', isWriteIndex: false }],
        policyId: 'sluice-api',
        ismState: 'cold',
        writesEndedAt: NOW - (createdDaysAgo - 1) * DAY,
      }),
      indexInfo('logs-api-000002', NOW - (createdDaysAgo - 1) * DAY, {
        aliases: [{ name: 'logs-api', isWriteIndex: true }],
        policyId: 'sluice-api',
        ismState: 'hot',
      }),
      ...cluster.indices.filter((i) => i.dataStream !== null),
    ];
    cluster.stats['logs-api-000001'] = {
      docs: 5,
      sizeBytes: 10,
      timestampMin: NOW - createdDaysAgo * DAY,
      timestampMax: NOW - (createdDaysAgo - 1) * DAY - 1,
    };
    cluster.calls = [];
    return ctx;
  });
}

describe('runLifecycle: snapshots', () => {
  it('waiting: snapshot, catalog and delete an old cold index in one run (three passes)', async () => {
    const { cluster, catalog, input } = await coldIndexSetup(40);
    const run = await runLifecycle(input);
    expect(run.failed).toBe(0);
    expect(run.passes).toBe(3);
    expect(run.counts).toMatchObject({ create_snapshot: 1, catalog_snapshot: 1, delete_index: 1 });
    const name = 'sluice-logs-api-000001-2026.06.15';
    expect(cluster.snapshots.map((s) => s.snapshot)).toEqual([name]);
    expect(await catalog.read(catalogEntryKey('catalog', name))).toMatchObject({
      snapshot: name,
      state: 'SUCCESS',
    });
    expect(cluster.indices.map((i) => i.name)).not.toContain('logs-api-000001');
  });

  it('not waiting: progress is carried by the snapshot API and the catalog across invocations', async () => {
    const { cluster, catalog, input } = await coldIndexSetup(40);
    const noWait = { ...input, waitForSnapshots: false };
    const first = await runLifecycle(noWait);
    expect(first.counts.create_snapshot).toBe(1);
    expect(first.passes).toBe(1);
    const inProgress = await runLifecycle(noWait);
    expect(inProgress.outcomes).toEqual([]);
    cluster.finishSnapshots();
    const third = await runLifecycle(noWait);
    expect(third.counts).toMatchObject({ create_snapshot: 0, catalog_snapshot: 1, delete_index: 0 });
    expect(await catalog.list('catalog/snapshots/')).toHaveLength(1);
    const fourth = await runLifecycle(noWait);
    expect(fourth.counts.delete_index).toBe(1);
    expect(cluster.indices.map((i) => i.name)).not.toContain('logs-api-000001');
  });

  it('an action that failed is not retried by a later pass of the same run', async () => {
    const { cluster, input } = await coldIndexSetup(10);
    await runLifecycle(input); // 000001: snapshotted and catalogued, too young to delete
    const first = cluster.indices.find((i) => i.name === 'logs-api-000001');
    if (first === undefined) throw new Error('index missing');
    first.createdAt = NOW - 40 * DAY; // now past delete_after: the first pass plans its delete
    cluster.indices.push(
      indexInfo('logs-api-000003', NOW - 10 * DAY, {
        policyId: 'sluice-api',
        ismState: 'cold',
        writesEndedAt: NOW - 9 * DAY,
      }),
    );
    cluster.failures.set('deleteIndex', 'cluster_block_exception');
    const run = await runLifecycle(input);
    // 000003's new snapshot makes further passes; the failed delete is not repeated in them.
    expect(run.passes).toBe(3);
    expect(run.counts).toMatchObject({ create_snapshot: 1, catalog_snapshot: 1 });
    const deletes = run.outcomes.filter((o) => o.action.type === 'delete_index');
    expect(deletes.map((o) => o.status)).toEqual(['failed']);
  });

  it('a failed snapshot is never catalogued and the index stays', async () => {
    const { cluster, catalog, input } = await coldIndexSetup(40);
    cluster.snapshotState = 'PARTIAL';
    const run = await runLifecycle(input);
    expect(run.counts.catalog_snapshot).toBe(0);
    expect(run.counts.delete_index).toBe(0);
    expect(catalog.objects.size).toBe(0);
    expect(cluster.indices.map((i) => i.name)).toContain('logs-api-000001');
  });

  it('a young cold index is snapshotted and catalogued but not deleted', async () => {
    const { cluster, input } = await coldIndexSetup(10);
    const run = await runLifecycle(input);
    expect(run.counts).toMatchObject({ create_snapshot: 1, catalog_snapshot: 1, delete_index: 0 });
    expect(cluster.indices.map((i) => i.name)).toContain('logs-api-000001');
  });
});

describe('runLifecycle: retention', () => {
  it('deletes snapshots past max_age beyond min_count, with their catalog entries; cleans stale entries', async () => {
    const cfg = config({ snapshot: { mode: 'function', retention: { max_age: '100d', min_count: 2 } } });
    const { cluster, catalog, input } = setup(cfg);
    await runLifecycle(input);
    const ages = [300, 250, 200, 150];
    for (const [i, age] of ages.entries()) {
      const index = `logs-api-00000${i + 1}`;
      const info = snapshot(`sluice-${index}-old`, [index], { start_time_in_millis: NOW - age * DAY });
      cluster.snapshots.push(info);
      await writeCatalogEntry(
        catalog,
        'catalog',
        buildCatalogEntry(
          info,
          'sluice-snapshots',
          {
            [index]: {
              docs: 1,
              sizeBytes: 1,
              timestampMin: NOW - (age + 1) * DAY,
              timestampMax: NOW - age * DAY,
            },
          },
          () => 'api',
        ),
      );
    }
    // An entry whose snapshot was deleted by hand.
    await catalog.write(catalogEntryKey('catalog', 'gone'), {
      snapshot: 'gone',
      repository: 'sluice-snapshots',
      state: 'SUCCESS',
      indices: [],
      startTime: new Date(NOW).toISOString(),
    });
    const run = await runLifecycle(input);
    expect(run.retention.deleted).toEqual(['sluice-logs-api-000001-old', 'sluice-logs-api-000002-old']);
    expect(run.retention.staleEntriesRemoved).toEqual(['catalog/snapshots/gone.json']);
    expect(cluster.snapshots.map((s) => s.snapshot)).toEqual([
      'sluice-logs-api-000003-old',
      'sluice-logs-api-000004-old',
    ]);
    expect((await catalog.list('catalog/snapshots/')).sort()).toEqual([
      'catalog/snapshots/sluice-logs-api-000003-old.json',
      'catalog/snapshots/sluice-logs-api-000004-old.json',
    ]);
    expect(await catalog.list('catalog/by-service/')).toHaveLength(4);
  });

  it('keeps everything in sm mode (SM deletes its own snapshots)', async () => {
    const cfg = config({
      snapshot: {
        mode: 'sm',
        retention: { max_age: '100d', min_count: 1 },
        sm: {
          creation: { schedule: { cron: { expression: '0 2 * * *', timezone: 'UTC' } } },
          deletion: { condition: { max_age: '400d', min_count: 7 } },
        },
      },
    });
    const { cluster, input } = setup(cfg);
    cluster.snapshots.push(
      snapshot('sluice-daily-2025.01.01', ['logs-api-000001'], { start_time_in_millis: NOW - 300 * DAY }),
    );
    const run = await runLifecycle(input);
    expect(run.counts.put_sm_policy).toBe(1);
    expect(run.retention.deleted).toEqual([]);
    expect(cluster.snapshots).toHaveLength(1);
  });
});
