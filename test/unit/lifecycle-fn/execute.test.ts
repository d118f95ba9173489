// The executor against the in-memory cluster: order, concurrency tokens, what a failure blocks,
// and the checks made again right before an index is deleted.
import { describe, expect, it } from 'vitest';
import { createMemoryCatalogStore } from '../../../functions/adapters/lifecycle-catalog.ts';
import { catalogEntryKey } from '../../../functions/core/lifecycle/catalog.ts';
import type { PlanAction } from '../../../functions/core/lifecycle/plan.ts';
import { executePlan } from '../../../functions/lifecycle/execute.ts';
import { config, DAY, NOW, snapshot } from '../lifecycle/helpers.ts';
import { FakeCluster, indexInfo } from './fake-cluster.ts';

const cfg = config();
const repository = 'sluice-snapshots';

function setup() {
  const cluster = new FakeCluster(() => NOW);
  const catalog = createMemoryCatalogStore();
  const deps = { cluster, catalog, config: cfg, snapshots: [], waitForSnapshots: true };
  return { cluster, catalog, deps };
}

describe('executePlan', () => {
  it('runs actions in plan order and passes update tokens', async () => {
    const { cluster, deps } = setup();
    cluster.policies['sluice-api'] = { policy: { description: 'old' }, seqNo: 7, primaryTerm: 3 };
    const actions: PlanAction[] = [
      { type: 'put_repository', name: repository, body: { type: 's3', settings: { bucket: 'b' } } },
      { type: 'put_component_template', name: 'c', body: {} },
      { type: 'put_index_template', name: 't', body: {} },
      {
        type: 'put_policy',
        policyId: 'sluice-api',
        body: { policy: {} },
        mode: 'update',
        ifSeqNo: 7,
        ifPrimaryTerm: 3,
      },
      { type: 'bootstrap_alias', index: 'logs-api-000001', alias: 'logs-api' },
    ];
    const { outcomes } = await executePlan(actions, deps);
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect(cluster.methods()).toEqual([
      'putRepository',
      'putComponentTemplate',
      'putIndexTemplate',
      'putPolicy',
      'bootstrapAlias',
    ]);
    expect(cluster.calls[3]?.args[2]).toEqual({ ifSeqNo: 7, ifPrimaryTerm: 3 });
  });

  it('a stale token fails the update (409) without blocking other policies', async () => {
    const { cluster, deps } = setup();
    cluster.policies['sluice-api'] = { policy: {}, seqNo: 8, primaryTerm: 1 };
    const actions: PlanAction[] = [
      {
        type: 'put_policy',
        policyId: 'sluice-api',
        body: { policy: {} },
        mode: 'update',
        ifSeqNo: 7,
        ifPrimaryTerm: 1,
      },
      { type: 'put_policy', policyId: 'sluice-nginx', body: { policy: {} }, mode: 'create' },
      { type: 'add_policy', policyId: 'sluice-api', indices: ['logs-api-000001'] },
      { type: 'add_policy', policyId: 'sluice-nginx', indices: ['.ds-logs-nginx-000001'] },
    ];
    const { outcomes } = await executePlan(actions, deps);
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'done', 'skipped', 'done']);
    expect(outcomes[0]?.detail).toContain('version conflict');
    expect(outcomes[2]?.detail).toBe('policy sluice-api could not be written');
  });

  it('a failed repository blocks snapshots; a failed template blocks bootstraps', async () => {
    const { cluster, deps } = setup();
    cluster.failures.set('putRepository', 'repository_verification_exception');
    cluster.failures.set('putIndexTemplate', 'illegal_argument_exception');
    const actions: PlanAction[] = [
      { type: 'put_repository', name: repository, body: {} },
      { type: 'put_index_template', name: 't', body: {} },
      { type: 'bootstrap_alias', index: 'logs-api-000001', alias: 'logs-api' },
      { type: 'create_data_stream', name: 'logs-nginx' },
      { type: 'create_snapshot', repository, snapshot: 's', indices: ['logs-api-000001'] },
    ];
    const { outcomes } = await executePlan(actions, deps);
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'failed', 'skipped', 'skipped', 'skipped']);
    expect(cluster.methods()).toEqual(['putRepository', 'putIndexTemplate']);
  });

  it('stops when the invocation runs out of time, leaving the rest for the next run', async () => {
    const { cluster, deps } = setup();
    let left = 30_000;
    const actions: PlanAction[] = [
      { type: 'put_component_template', name: 'a', body: {} },
      { type: 'put_component_template', name: 'b', body: {} },
    ];
    const remainingMs = () => {
      const now = left;
      left -= 15_000;
      return now;
    };
    const { outcomes } = await executePlan(actions, { ...deps, remainingMs, safetyMarginMs: 20_000 });
    expect(outcomes.map((o) => o.status)).toEqual(['done', 'skipped']);
    expect(cluster.methods()).toEqual(['putComponentTemplate']);
  });

  it('creates a snapshot and reports it finished and verified; a second create finds it', async () => {
    const { deps } = setup();
    const action: PlanAction = {
      type: 'create_snapshot',
      repository,
      snapshot: 's1',
      indices: ['logs-api-000001'],
    };
    const first = await executePlan([action], deps);
    expect(first.outcomes[0]).toMatchObject({ status: 'done', detail: 'finished and verified' });
    expect(first.finishedSnapshots.map((s) => s.snapshot)).toEqual(['s1']);
    const again = await executePlan([action], deps);
    expect(again.outcomes[0]).toMatchObject({ status: 'done', detail: 'already exists' });
  });

  it('without waiting, a snapshot is only started', async () => {
    const { deps } = setup();
    const { outcomes, finishedSnapshots } = await executePlan(
      [{ type: 'create_snapshot', repository, snapshot: 's1', indices: ['logs-api-000001'] }],
      { ...deps, waitForSnapshots: false },
    );
    expect(outcomes[0]?.detail).toBe('started');
    expect(finishedSnapshots).toEqual([]);
  });

  it('catalogs a verified snapshot: entry and day keys from index stats', async () => {
    const { cluster, catalog, deps } = setup();
    const info = snapshot('s1', ['logs-api-000001']);
    cluster.snapshots.push(info);
    cluster.stats['logs-api-000001'] = {
      docs: 42,
      sizeBytes: 1000,
      timestampMin: Date.UTC(2026, 5, 1, 10),
      timestampMax: Date.UTC(2026, 5, 2, 3),
    };
    const { outcomes } = await executePlan(
      [{ type: 'catalog_snapshot', repository, snapshot: 's1', indices: ['logs-api-000001'] }],
      { ...deps, snapshots: [info] },
    );
    expect(outcomes[0]).toMatchObject({ status: 'done', detail: '1 index(es), 2 day key(s)' });
    expect([...catalog.objects.keys()].sort()).toEqual([
      'catalog/by-service/api/2026-06-01.json',
      'catalog/by-service/api/2026-06-02.json',
      'catalog/snapshots/s1.json',
    ]);
    const entry = (await catalog.read('catalog/snapshots/s1.json')) as { indices: Array<{ docs: number }> };
    expect(entry.indices[0]?.docs).toBe(42);
  });

  it('refuses to catalog a snapshot that does not verify', async () => {
    const { cluster, catalog, deps } = setup();
    const info = snapshot('s1', ['logs-api-000001'], {
      state: 'PARTIAL',
      shards: { total: 1, failed: 1, successful: 0 },
    });
    cluster.snapshots.push(info);
    const { outcomes } = await executePlan(
      [
        { type: 'catalog_snapshot', repository, snapshot: 's1', indices: ['logs-api-000001'] },
        { type: 'delete_index', index: 'logs-api-000001', verifiedBy: 's1' },
      ],
      { ...deps, snapshots: [info] },
    );
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'skipped']);
    expect(outcomes[0]?.detail).toContain('state is PARTIAL');
    expect(catalog.objects.size).toBe(0);
  });

  it.each([
    ['the snapshot is gone', false, true, 'not found in repository'],
    ['the catalog entry is gone', true, false, 'no catalog entry'],
  ])('does not delete an index when %s', async (_name, hasSnapshot, hasEntry, reason) => {
    const { cluster, catalog, deps } = setup();
    cluster.indices.push(indexInfo('logs-api-000001', NOW - 40 * DAY));
    if (hasSnapshot) cluster.snapshots.push(snapshot('s1', ['logs-api-000001']));
    if (hasEntry) await catalog.write(catalogEntryKey('catalog', 's1'), { snapshot: 's1' });
    const { outcomes } = await executePlan(
      [{ type: 'delete_index', index: 'logs-api-000001', verifiedBy: 's1' }],
      deps,
    );
    expect(outcomes[0]?.status).toBe('failed');
    expect(outcomes[0]?.detail).toContain(reason);
    expect(cluster.methods()).not.toContain('deleteIndex');
    expect(cluster.indices.map((i) => i.name)).toEqual(['logs-api-000001']);
  });

  it('deletes an index after re-verifying its snapshot and finding the entry', async () => {
    const { cluster, catalog, deps } = setup();
    cluster.indices.push(indexInfo('logs-api-000001', NOW - 40 * DAY));
    cluster.snapshots.push(snapshot('s1', ['logs-api-000001']));
    await catalog.write(catalogEntryKey('catalog', 's1'), { snapshot: 's1' });
    const { outcomes } = await executePlan(
      [{ type: 'delete_index', index: 'logs-api-000001', verifiedBy: 's1' }],
      deps,
    );
    expect(outcomes[0]?.status).toBe('done');
    expect(cluster.methods()).toEqual(['getSnapshot', 'deleteIndex']);
    expect(cluster.indices).toEqual([]);
  });
});
