import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Json } from '../../../functions/core/lifecycle/desired.ts';
import { buildDesiredState } from '../../../functions/core/lifecycle/desired.ts';
import { normaliseSettings } from '../../../functions/core/lifecycle/normalise.ts';
import type { PlanAction } from '../../../functions/core/lifecycle/plan.ts';
import { plan } from '../../../functions/core/lifecycle/plan.ts';
import type { ActualState, SnapshotInfo } from '../../../functions/core/lifecycle/types.ts';
import { config, DAY, index, NOW } from './helpers.ts';

function fixture<T>(name: string): T {
  return JSON.parse(readFileSync(path.resolve(import.meta.dirname, 'fixtures', name), 'utf8')) as T;
}

function emptyCluster(): ActualState {
  return {
    componentTemplates: {},
    indexTemplates: {},
    policies: {},
    repositories: {},
    smPolicies: {},
    dataStreams: [],
    indices: [],
    snapshots: [],
    catalogued: [],
  };
}

/** The cluster as the GET calls returned it after an earlier apply (fixtures in OpenSearch's own format). */
function appliedCluster(): ActualState {
  const components = fixture<{ component_templates: Array<{ name: string; component_template: Json }> }>(
    'get-component-templates.json',
  );
  const templates = fixture<{ index_templates: Array<{ name: string; index_template: Json }> }>(
    'get-index-templates.json',
  );
  const apiPolicy = fixture<{ _seq_no: number; _primary_term: number; policy: Json }>(
    'get-policy-sluice-api.json',
  );
  // The nginx policy differs from api's only in its pattern; derive it from the same stored response.
  const nginxPolicy = structuredClone(apiPolicy);
  nginxPolicy.policy.policy_id = 'sluice-nginx';
  nginxPolicy.policy.description = String(nginxPolicy.policy.description).replace('api logs', 'nginx logs');
  (nginxPolicy.policy.ism_template as Array<{ index_patterns: string[] }>)[0]!.index_patterns = [
    'logs-nginx',
  ];
  return {
    ...emptyCluster(),
    componentTemplates: Object.fromEntries(
      components.component_templates.map((c) => [c.name, c.component_template]),
    ),
    indexTemplates: Object.fromEntries(templates.index_templates.map((t) => [t.name, t.index_template])),
    policies: {
      'sluice-api': {
        policy: apiPolicy.policy,
        seqNo: apiPolicy._seq_no,
        primaryTerm: apiPolicy._primary_term,
      },
      'sluice-nginx': { policy: nginxPolicy.policy, seqNo: 5, primaryTerm: 1 },
    },
    repositories: fixture('get-repository.json'),
    dataStreams: ['logs-nginx'],
    indices: [
      index('logs-api-000001', {
        aliases: [{ name: 'logs-api', isWriteIndex: true }],
        ismState: 'hot',
        writesEndedAt: null,
        policySeqNo: 41,
      }),
    ],
  };
}

const types = (actions: PlanAction[]) => actions.map((a) => a.type);

/** Sets a value deep inside a GET response, as a hand edit on the cluster would. */
function edit(root: unknown, path: Array<string | number>, value: unknown): void {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  node[path.at(-1)!] = value;
}

describe('plan', () => {
  const cfg = config();
  const desired = buildDesiredState(cfg);

  it('an empty cluster gets everything, in dependency order', () => {
    const { actions, drift } = plan(cfg, desired, emptyCluster(), { now: NOW });
    expect(types(actions)).toEqual([
      'put_repository',
      'put_component_template',
      'put_component_template',
      'put_component_template',
      'put_index_template',
      'put_index_template',
      'put_policy',
      'put_policy',
      'bootstrap_alias',
      'create_data_stream',
    ]);
    expect(
      actions
        .filter((a) => a.type === 'put_policy')
        .every((a) => a.type === 'put_policy' && a.mode === 'create'),
    ).toBe(true);
    expect(actions).toContainEqual({ type: 'bootstrap_alias', index: 'logs-api-000001', alias: 'logs-api' });
    expect(drift.every((d) => d.status === 'missing')).toBe(true);
  });

  it("is a no-op when the cluster already holds the desired state in OpenSearch's own format", () => {
    const { actions, drift } = plan(cfg, desired, appliedCluster(), { now: NOW });
    expect(actions).toEqual([]);
    expect(drift.filter((d) => d.status !== 'in_sync')).toEqual([]);
  });

  it('an update carries the stored seq_no and primary_term, and the drift names the path', () => {
    const actual = appliedCluster();
    const stored = structuredClone(actual.policies['sluice-api']!);
    const states = stored.policy.states as Array<{ transitions: Array<{ conditions: Json }> }>;
    states[0]!.transitions[0]!.conditions = { min_index_age: '3d' };
    actual.policies['sluice-api'] = stored;
    const { actions, drift } = plan(cfg, desired, actual, { now: NOW });
    expect(actions).toEqual([
      {
        type: 'put_policy',
        policyId: 'sluice-api',
        body: desired.policies['sluice-api'],
        mode: 'update',
        ifSeqNo: 41,
        ifPrimaryTerm: 2,
      },
    ]);
    expect(drift.find((d) => d.name === 'sluice-api' && d.kind === 'policy')?.differences).toEqual([
      'states[0].transitions[0].conditions.min_index_age: desired "2d", actual "3d"',
    ]);
  });

  it.each([
    [
      'replicas changed by hand',
      (a: ActualState) =>
        edit(
          a.componentTemplates['sluice-api-settings'],
          ['template', 'settings', 'index', 'number_of_replicas'],
          '2',
        ),
      'put_component_template',
    ],
    [
      'mapping type changed',
      (a: ActualState) =>
        edit(
          a.componentTemplates['sluice-ecs-mappings'],
          ['template', 'mappings', 'properties', 'message', 'type'],
          'keyword',
        ),
      'put_component_template',
    ],
    [
      'template priority',
      (a: ActualState) => edit(a.indexTemplates['sluice-api'], ['priority'], 10),
      'put_index_template',
    ],
    [
      'repository region',
      (a: ActualState) => (a.repositories['sluice-snapshots']!.settings.region = 'us-east-1'),
      'put_repository',
    ],
    [
      'ism_template priority',
      (a: ActualState) => edit(a.policies['sluice-api']!.policy, ['ism_template', 0, 'priority'], 1),
      'put_policy',
    ],
    [
      'a non-default retry',
      (a: ActualState) =>
        edit(a.policies['sluice-api']!.policy, ['states', 0, 'actions', 0, 'retry', 'count'], 5),
      'put_policy',
    ],
    ['data stream deleted', (a: ActualState) => (a.dataStreams = []), 'create_data_stream'],
  ])('one action for one drift: %s', (_name, mutate, expected) => {
    const actual = appliedCluster();
    mutate(actual);
    expect(types(plan(cfg, desired, actual, { now: NOW }).actions)).toEqual([expected]);
  });

  it('settings are compared semantically: nested, dotted, numbers and strings are the same', () => {
    expect(
      normaliseSettings({ index: { number_of_replicas: 1, translog: { durability: 'async' } } }),
    ).toEqual(normaliseSettings({ 'index.number_of_replicas': '1', 'translog.durability': 'async' }));
  });

  it('reports templates and policies with our prefix that are no longer desired, without deleting them', () => {
    const actual = appliedCluster();
    actual.indexTemplates['sluice-old'] = { index_patterns: ['logs-old-*'] };
    const result = plan(cfg, desired, actual, { now: NOW });
    expect(result.actions).toEqual([]);
    expect(result.drift).toContainEqual({
      kind: 'index_template',
      name: 'sluice-old',
      status: 'unexpected',
      differences: [],
    });
  });

  it('an index sitting on the alias name is a conflict, not a bootstrap', () => {
    const actual = appliedCluster();
    actual.indices = [index('logs-api', { policyId: null })];
    const result = plan(cfg, desired, actual, { now: NOW });
    expect(types(result.actions)).not.toContain('bootstrap_alias');
    expect(result.drift.find((d) => d.kind === 'alias')?.status).toBe('conflict');
  });

  it('attaches the policy to unmanaged indices of a service', () => {
    const actual = appliedCluster();
    const young = { ismState: 'hot', writesEndedAt: null };
    actual.indices.push(
      index('logs-api-000000', { ...young, policyId: null }),
      index('unrelated', { ...young, policyId: null }),
    );
    expect(plan(cfg, desired, actual, { now: NOW }).actions).toEqual([
      { type: 'add_policy', policyId: 'sluice-api', indices: ['logs-api-000000'] },
    ]);
  });

  it('change_policy for managed indices only when opted in, after an update or for an old version', () => {
    const optedIn = config({ ism: { change_policy_for_managed_indices: true } });
    const actual = appliedCluster();
    actual.indices.push(index('logs-api-000000', { policySeqNo: 40, ismState: 'hot', writesEndedAt: null }));
    expect(plan(cfg, desired, actual, { now: NOW }).actions).toEqual([]);
    expect(plan(optedIn, buildDesiredState(optedIn), actual, { now: NOW }).actions).toEqual([
      { type: 'change_policy', policyId: 'sluice-api', indices: ['logs-api-000000'] },
    ]);
  });

  describe('snapshots and deletion', () => {
    const snapshots = fixture<{ snapshots: SnapshotInfo[] }>('get-snapshots.json').snapshots;

    function clusterWith(indices: ActualState['indices'], catalogued: string[] = []): ActualState {
      return {
        ...appliedCluster(),
        indices: [...appliedCluster().indices, ...indices],
        snapshots,
        catalogued,
      };
    }

    it('snapshots a cold index lacking a verified snapshot, retrying a PARTIAL one under a new name', () => {
      const actual = clusterWith([
        index('logs-api-000002', { createdAt: NOW - 8 * DAY, writesEndedAt: NOW - 7 * DAY }),
        index('logs-api-000003', {
          createdAt: NOW - 3 * DAY,
          writesEndedAt: NOW - 2 * DAY,
          ismState: 'warm',
        }),
      ]);
      expect(plan(cfg, desired, actual, { now: NOW }).actions).toEqual([
        {
          type: 'create_snapshot',
          repository: 'sluice-snapshots',
          snapshot: 'sluice-logs-api-000002-2026.06.15',
          indices: ['logs-api-000002'],
        },
      ]);
    });

    it('catalogs a verified snapshot first, and deletes only once it is catalogued and delete_after has passed', () => {
      const old = index('logs-api-000001', {
        createdAt: NOW - 40 * DAY,
        writesEndedAt: Date.UTC(2026, 5, 9),
      });
      const notCatalogued = clusterWith([old]);
      notCatalogued.indices = [
        old,
        index('logs-api-000009', {
          aliases: [{ name: 'logs-api', isWriteIndex: true }],
          writesEndedAt: null,
          ismState: 'hot',
        }),
      ];
      expect(plan(cfg, desired, notCatalogued, { now: NOW }).actions).toEqual([
        {
          type: 'catalog_snapshot',
          repository: 'sluice-snapshots',
          snapshot: 'sluice-logs-api-000001-2026.06.10',
          indices: ['logs-api-000001'],
        },
      ]);
      const catalogued = { ...notCatalogued, catalogued: ['sluice-logs-api-000001-2026.06.10'] };
      expect(plan(cfg, desired, catalogued, { now: NOW }).actions).toEqual([
        { type: 'delete_index', index: 'logs-api-000001', verifiedBy: 'sluice-logs-api-000001-2026.06.10' },
      ]);
    });

    it('never deletes an index whose only snapshot is PARTIAL, however old', () => {
      const old = index('logs-api-000002', { createdAt: NOW - 400 * DAY, writesEndedAt: NOW - 399 * DAY });
      const actual = clusterWith(
        [old],
        snapshots.map((s) => s.snapshot),
      );
      expect(types(plan(cfg, desired, actual, { now: NOW }).actions)).not.toContain('delete_index');
    });

    it('a snapshot taken before the index stopped taking writes does not count', () => {
      const late = index('logs-api-000001', {
        createdAt: NOW - 40 * DAY,
        writesEndedAt: Date.UTC(2026, 5, 11),
      });
      const actual = clusterWith([late], ['sluice-logs-api-000001-2026.06.10']);
      actual.indices = [late];
      expect(types(plan(cfg, desired, actual, { now: NOW }).actions)).toEqual([
        'bootstrap_alias',
        'create_snapshot',
      ]);
    });
  });
});
