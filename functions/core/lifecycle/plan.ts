// The plan: a pure diff of the desired state against what the cluster returned, as an ordered list
// of actions (only where something differs) and a drift report. Order matters: the repository and
// templates exist before the policies that reference them and before indices are created; snapshots
// are taken and catalogued before anything is deleted.

import type { LifecycleConfig } from './config.ts';
import { TargetKinds } from './config.ts';
import type { DesiredState, Json } from './desired.ts';
import { policyId as policyIdOf, serviceOfIndex } from './desired.ts';
import {
  diffPaths,
  normaliseIsmPolicy,
  normaliseRepository,
  normaliseSmPolicy,
  normaliseTemplate,
} from './normalise.ts';
import { deletableIndices, indicesNeedingSnapshot, snapshotsToCatalog } from './snapshot.ts';
import type { ActualState } from './types.ts';

export type PlanAction =
  | { type: 'put_repository'; name: string; body: Json }
  | { type: 'put_component_template'; name: string; body: Json }
  | { type: 'put_index_template'; name: string; body: Json }
  | { type: 'put_policy'; policyId: string; body: Json; mode: 'create' }
  | {
      type: 'put_policy';
      policyId: string;
      body: Json;
      mode: 'update';
      ifSeqNo: number;
      ifPrimaryTerm: number;
    }
  | { type: 'put_sm_policy'; name: string; body: Json; mode: 'create' }
  | {
      type: 'put_sm_policy';
      name: string;
      body: Json;
      mode: 'update';
      ifSeqNo: number;
      ifPrimaryTerm: number;
    }
  | { type: 'bootstrap_alias'; index: string; alias: string }
  | { type: 'create_data_stream'; name: string }
  | { type: 'add_policy'; policyId: string; indices: string[] }
  | { type: 'change_policy'; policyId: string; indices: string[] }
  | { type: 'create_snapshot'; repository: string; snapshot: string; indices: string[] }
  | { type: 'catalog_snapshot'; repository: string; snapshot: string; indices: string[] }
  | { type: 'delete_index'; index: string; verifiedBy: string };

export type PlanActionType = PlanAction['type'];

export const DriftStatuses = {
  inSync: 'in_sync',
  missing: 'missing',
  differs: 'differs',
  /** Carries our prefix but is no longer desired: reported, never deleted automatically. */
  unexpected: 'unexpected',
  /** Needs a person: e.g. an index already sits where the write alias should be. */
  conflict: 'conflict',
} as const;
export type DriftStatus = (typeof DriftStatuses)[keyof typeof DriftStatuses];

export interface DriftItem {
  kind:
    | 'component_template'
    | 'index_template'
    | 'policy'
    | 'sm_policy'
    | 'repository'
    | 'alias'
    | 'data_stream';
  name: string;
  status: DriftStatus;
  differences: string[];
}

export interface Plan {
  actions: PlanAction[];
  drift: DriftItem[];
}

export interface PlanOptions {
  /** Epoch ms of this run (the caller's clock). */
  now: number;
}

function compare(
  drift: DriftItem[],
  kind: DriftItem['kind'],
  name: string,
  desired: Json,
  actual: Json | undefined,
): DriftStatus {
  if (actual === undefined) {
    drift.push({ kind, name, status: DriftStatuses.missing, differences: [] });
    return DriftStatuses.missing;
  }
  const differences = diffPaths(desired, actual);
  const status = differences.length === 0 ? DriftStatuses.inSync : DriftStatuses.differs;
  drift.push({ kind, name, status, differences });
  return status;
}

function reportUnexpected(
  drift: DriftItem[],
  kind: DriftItem['kind'],
  prefix: string,
  desired: object,
  actual: object,
): void {
  for (const name of Object.keys(actual).sort()) {
    if (name.startsWith(`${prefix}-`) && !(name in desired)) {
      drift.push({ kind, name, status: DriftStatuses.unexpected, differences: [] });
    }
  }
}

export function plan(
  config: LifecycleConfig,
  desired: DesiredState,
  actual: ActualState,
  options: PlanOptions,
): Plan {
  const actions: PlanAction[] = [];
  const drift: DriftItem[] = [];

  const repo = desired.repository;
  const repoStatus = compare(
    drift,
    'repository',
    repo.name,
    normaliseRepository(repo.body),
    actual.repositories[repo.name] === undefined
      ? undefined
      : normaliseRepository(actual.repositories[repo.name]),
  );
  if (repoStatus !== DriftStatuses.inSync)
    actions.push({ type: 'put_repository', name: repo.name, body: repo.body });

  for (const [name, body] of Object.entries(desired.componentTemplates)) {
    const current = actual.componentTemplates[name];
    const status = compare(
      drift,
      'component_template',
      name,
      normaliseTemplate(body),
      current && normaliseTemplate(current),
    );
    if (status !== DriftStatuses.inSync) actions.push({ type: 'put_component_template', name, body });
  }
  reportUnexpected(
    drift,
    'component_template',
    config.prefix,
    desired.componentTemplates,
    actual.componentTemplates,
  );

  for (const [name, body] of Object.entries(desired.indexTemplates)) {
    const current = actual.indexTemplates[name];
    const status = compare(
      drift,
      'index_template',
      name,
      normaliseTemplate(body),
      current && normaliseTemplate(current),
    );
    if (status !== DriftStatuses.inSync) actions.push({ type: 'put_index_template', name, body });
  }
  reportUnexpected(drift, 'index_template', config.prefix, desired.indexTemplates, actual.indexTemplates);

  const updatedPolicies = new Set<string>();
  for (const [policyId, body] of Object.entries(desired.policies)) {
    const current = actual.policies[policyId];
    const status = compare(
      drift,
      'policy',
      policyId,
      normaliseIsmPolicy(body.policy),
      current && normaliseIsmPolicy(current.policy),
    );
    if (current === undefined) {
      actions.push({ type: 'put_policy', policyId, body: body as unknown as Json, mode: 'create' });
    } else if (status === DriftStatuses.differs) {
      // Optimistic concurrency: an update without the tokens is refused (409) by OpenSearch.
      actions.push({
        type: 'put_policy',
        policyId,
        body: body as unknown as Json,
        mode: 'update',
        ifSeqNo: current.seqNo,
        ifPrimaryTerm: current.primaryTerm,
      });
      updatedPolicies.add(policyId);
    }
  }
  reportUnexpected(drift, 'policy', config.prefix, desired.policies, actual.policies);

  if (desired.smPolicy !== null) {
    const { name, body } = desired.smPolicy;
    const current = actual.smPolicies[name];
    const status = compare(
      drift,
      'sm_policy',
      name,
      normaliseSmPolicy(body),
      current && normaliseSmPolicy(current.policy),
    );
    if (current === undefined) actions.push({ type: 'put_sm_policy', name, body, mode: 'create' });
    else if (status === DriftStatuses.differs) {
      actions.push({
        type: 'put_sm_policy',
        name,
        body,
        mode: 'update',
        ifSeqNo: current.seqNo,
        ifPrimaryTerm: current.primaryTerm,
      });
    }
  }

  for (const target of desired.targets) {
    if (target.kind === TargetKinds.dataStream) {
      if (actual.dataStreams.includes(target.name)) {
        drift.push({ kind: 'data_stream', name: target.name, status: DriftStatuses.inSync, differences: [] });
      } else {
        drift.push({
          kind: 'data_stream',
          name: target.name,
          status: DriftStatuses.missing,
          differences: [],
        });
        actions.push({ type: 'create_data_stream', name: target.name });
      }
      continue;
    }
    const clash = actual.indices.find((i) => i.name === target.name);
    const hasWriteIndex = actual.indices.some((i) =>
      i.aliases.some((a) => a.name === target.name && a.isWriteIndex),
    );
    if (clash !== undefined) {
      // Writes reached the alias name before it was bootstrapped and auto-created an index there.
      drift.push({
        kind: 'alias',
        name: target.name,
        status: DriftStatuses.conflict,
        differences: [
          `an index named ${target.name} exists: reindex it into ${target.bootstrapIndex} and delete it, then rerun`,
        ],
      });
    } else if (hasWriteIndex) {
      drift.push({ kind: 'alias', name: target.name, status: DriftStatuses.inSync, differences: [] });
    } else {
      drift.push({ kind: 'alias', name: target.name, status: DriftStatuses.missing, differences: [] });
      actions.push({
        type: 'bootstrap_alias',
        index: target.bootstrapIndex ?? `${target.name}-000001`,
        alias: target.name,
      });
    }
  }

  // Indices created before their policy existed are not auto-attached by ism_template.
  for (const service of config.services) {
    const policyId = policyIdOf(config, service);
    const own = actual.indices
      .filter((i) => serviceOfIndex(config, i.name, i.dataStream)?.name === service.name)
      .sort((a, b) => a.name.localeCompare(b.name));
    const unmanaged = own.filter((i) => i.policyId === null).map((i) => i.name);
    if (unmanaged.length > 0) actions.push({ type: 'add_policy', policyId, indices: unmanaged });
    if (config.ism.change_policy_for_managed_indices) {
      const current = actual.policies[policyId];
      const stale = own.filter(
        (i) =>
          i.policyId !== null &&
          (i.policyId !== policyId ||
            updatedPolicies.has(policyId) ||
            (current !== undefined && i.policySeqNo !== null && i.policySeqNo !== current.seqNo)),
      );
      if (stale.length > 0)
        actions.push({ type: 'change_policy', policyId, indices: stale.map((i) => i.name) });
    }
  }

  const repository = desired.repository.name;
  for (const request of indicesNeedingSnapshot(config, actual.indices, actual.snapshots, options.now)) {
    actions.push({
      type: 'create_snapshot',
      repository,
      snapshot: request.snapshot,
      indices: [request.index],
    });
  }
  const catalogued = new Set(actual.catalogued);
  for (const entry of snapshotsToCatalog(config, actual.indices, actual.snapshots, catalogued)) {
    actions.push({ type: 'catalog_snapshot', repository, snapshot: entry.snapshot, indices: entry.indices });
  }
  for (const d of deletableIndices(config, actual.indices, actual.snapshots, catalogued, options.now)) {
    actions.push({ type: 'delete_index', index: d.index, verifiedBy: d.snapshot });
  }
  return { actions, drift };
}
