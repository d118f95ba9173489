// Carries out a plan's actions in their order. A failed action is recorded and the run goes on,
// except that what depends on it is skipped: no snapshot without the repository, no index bootstrap
// without its templates, no attach without the policy. Before an index is deleted its snapshot is
// fetched and verified again and its catalog entry read back: the plan's view may be minutes old.

import type { CatalogStore } from '../adapters/lifecycle-catalog.ts';
import type { LifecycleCluster } from '../adapters/lifecycle-opensearch.ts';
import { LifecycleRequestError } from '../adapters/lifecycle-opensearch.ts';
import { buildCatalogEntry, catalogEntryKey } from '../core/lifecycle/catalog.ts';
import type { LifecycleConfig } from '../core/lifecycle/config.ts';
import { serviceOfIndex } from '../core/lifecycle/desired.ts';
import { SnapshotVerificationError } from '../core/lifecycle/errors.ts';
import type { PlanAction } from '../core/lifecycle/plan.ts';
import { verifySnapshot } from '../core/lifecycle/snapshot.ts';
import type { SnapshotInfo } from '../core/lifecycle/types.ts';
import { writeCatalogEntry } from './catalog.ts';

export const OutcomeStatuses = { done: 'done', failed: 'failed', skipped: 'skipped' } as const;
export type OutcomeStatus = (typeof OutcomeStatuses)[keyof typeof OutcomeStatuses];

export interface ActionOutcome {
  action: PlanAction;
  status: OutcomeStatus;
  /** Why it failed or was skipped, or what it found (e.g. the snapshot already existed). */
  detail?: string;
}

export interface ExecuteDeps {
  cluster: LifecycleCluster;
  catalog: CatalogStore;
  config: LifecycleConfig;
  /** The snapshots the plan was made from: catalog entries are built from them. */
  snapshots: readonly SnapshotInfo[];
  /** Wait for each snapshot to finish (`wait_for_completion`); otherwise a later run picks it up. */
  waitForSnapshots: boolean;
  /** Milliseconds left in the invocation; actions stop when fewer than `safetyMarginMs` remain. */
  remainingMs?: () => number;
  safetyMarginMs?: number;
}

export interface ExecuteResult {
  outcomes: ActionOutcome[];
  /** Snapshots that finished during this run (only with `waitForSnapshots`). */
  finishedSnapshots: SnapshotInfo[];
}

const TEMPLATE_ACTIONS = new Set(['put_component_template', 'put_index_template']);

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function describeAction(action: PlanAction): string {
  switch (action.type) {
    case 'put_repository':
      return `put repository ${action.name}`;
    case 'put_component_template':
      return `put component template ${action.name}`;
    case 'put_index_template':
      return `put index template ${action.name}`;
    case 'put_policy':
      return `${action.mode} ISM policy ${action.policyId}`;
    case 'put_sm_policy':
      return `${action.mode} SM policy ${action.name}`;
    case 'bootstrap_alias':
      return `bootstrap ${action.index} as write index of ${action.alias}`;
    case 'create_data_stream':
      return `create data stream ${action.name}`;
    case 'add_policy':
      return `attach ${action.policyId} to ${action.indices.join(', ')}`;
    case 'change_policy':
      return `change policy of ${action.indices.join(', ')} to ${action.policyId}`;
    case 'create_snapshot':
      return `snapshot ${action.indices.join(', ')} as ${action.snapshot}`;
    case 'catalog_snapshot':
      return `catalog ${action.snapshot}`;
    case 'delete_index':
      return `delete ${action.index} (held by ${action.verifiedBy})`;
  }
}

export async function executePlan(actions: readonly PlanAction[], deps: ExecuteDeps): Promise<ExecuteResult> {
  const { cluster, catalog, config } = deps;
  const outcomes: ActionOutcome[] = [];
  const finishedSnapshots: SnapshotInfo[] = [];
  const known = new Map(deps.snapshots.map((s) => [s.snapshot, s]));
  let repositoryFailed = false;
  let templateFailed = false;
  const failedPolicies = new Set<string>();
  const failedCatalog = new Set<string>();
  const margin = deps.safetyMarginMs ?? 0;

  const blockedBy = (action: PlanAction): string | null => {
    switch (action.type) {
      case 'create_snapshot':
        return repositoryFailed ? 'the repository could not be registered' : null;
      case 'bootstrap_alias':
      case 'create_data_stream':
        return templateFailed ? 'a template could not be written' : null;
      case 'add_policy':
      case 'change_policy':
        return failedPolicies.has(action.policyId) ? `policy ${action.policyId} could not be written` : null;
      case 'delete_index':
        return failedCatalog.has(action.verifiedBy) ? `${action.verifiedBy} is not catalogued` : null;
      default:
        return null;
    }
  };

  const run = async (action: PlanAction): Promise<string | undefined> => {
    switch (action.type) {
      case 'put_repository':
        await cluster.putRepository(action.name, action.body);
        return undefined;
      case 'put_component_template':
        await cluster.putComponentTemplate(action.name, action.body);
        return undefined;
      case 'put_index_template':
        await cluster.putIndexTemplate(action.name, action.body);
        return undefined;
      case 'put_policy':
        await cluster.putPolicy(
          action.policyId,
          action.body,
          action.mode === 'update'
            ? { ifSeqNo: action.ifSeqNo, ifPrimaryTerm: action.ifPrimaryTerm }
            : undefined,
        );
        return undefined;
      case 'put_sm_policy':
        await cluster.putSmPolicy(
          action.name,
          action.body,
          action.mode === 'update'
            ? { ifSeqNo: action.ifSeqNo, ifPrimaryTerm: action.ifPrimaryTerm }
            : undefined,
        );
        return undefined;
      case 'bootstrap_alias':
        await cluster.bootstrapAlias(action.index, action.alias);
        return undefined;
      case 'create_data_stream':
        await cluster.createDataStream(action.name);
        return undefined;
      case 'add_policy':
      case 'change_policy': {
        const failed =
          action.type === 'add_policy'
            ? await cluster.addPolicy(action.policyId, action.indices)
            : await cluster.changePolicy(action.policyId, action.indices);
        if (failed.length > 0) {
          throw new Error(`ISM refused ${failed.map((f) => `${f.index} (${f.reason})`).join(', ')}`);
        }
        return undefined;
      }
      case 'create_snapshot':
        return createSnapshot(action);
      case 'catalog_snapshot':
        return catalogSnapshot(action);
      case 'delete_index':
        return deleteIndex(action);
    }
  };

  async function createSnapshot(
    action: Extract<PlanAction, { type: 'create_snapshot' }>,
  ): Promise<string | undefined> {
    try {
      const info = await cluster.createSnapshot(action.repository, action.snapshot, action.indices, {
        wait: deps.waitForSnapshots,
        metadata: { taken_by: 'sluice-lifecycle', indices: action.indices.join(',') },
      });
      if (info === null) return 'started';
      known.set(info.snapshot, info);
      finishedSnapshots.push(info);
      const check = verifySnapshot(info, action.indices);
      return check.ok ? 'finished and verified' : `finished, not verified: ${check.reasons.join('; ')}`;
    } catch (error) {
      // A rerun after a timeout finds its own snapshot under the same deterministic name.
      if (error instanceof LifecycleRequestError && error.errorType === 'invalid_snapshot_name_exception') {
        return 'already exists';
      }
      throw error;
    }
  }

  async function catalogSnapshot(
    action: Extract<PlanAction, { type: 'catalog_snapshot' }>,
  ): Promise<string | undefined> {
    const info =
      known.get(action.snapshot) ?? (await cluster.getSnapshot(action.repository, action.snapshot));
    if (info === null) throw new Error(`snapshot ${action.snapshot} is not in ${action.repository}`);
    const check = verifySnapshot(info, action.indices);
    if (!check.ok) throw new SnapshotVerificationError(action.snapshot, check.reasons);
    const stats = await cluster.indexStats(action.indices);
    const entry = buildCatalogEntry(
      info,
      action.repository,
      stats,
      (index) => serviceOfIndex(config, index)?.name ?? null,
    );
    const { dayKeys } = await writeCatalogEntry(catalog, config.catalog.prefix, entry);
    return `${entry.indices.length} index(es), ${dayKeys.length} day key(s)`;
  }

  async function deleteIndex(
    action: Extract<PlanAction, { type: 'delete_index' }>,
  ): Promise<string | undefined> {
    const repository = config.repository.name;
    const info = await cluster.getSnapshot(repository, action.verifiedBy);
    const reasons =
      info === null
        ? [`not found in repository ${repository}`]
        : verifySnapshot(info, [action.index]).reasons;
    const entry = await catalog.read(catalogEntryKey(config.catalog.prefix, action.verifiedBy));
    if (entry === undefined) reasons.push('no catalog entry');
    if (reasons.length > 0) throw new SnapshotVerificationError(action.verifiedBy, reasons);
    await cluster.deleteIndex(action.index);
    return undefined;
  }

  for (const action of actions) {
    if (deps.remainingMs !== undefined && deps.remainingMs() < margin) {
      outcomes.push({
        action,
        status: OutcomeStatuses.skipped,
        detail: 'out of time: the next run continues',
      });
      continue;
    }
    const blocked = blockedBy(action);
    if (blocked !== null) {
      outcomes.push({ action, status: OutcomeStatuses.skipped, detail: blocked });
      continue;
    }
    try {
      const detail = await run(action);
      outcomes.push({ action, status: OutcomeStatuses.done, ...(detail ? { detail } : {}) });
    } catch (error) {
      outcomes.push({ action, status: OutcomeStatuses.failed, detail: errorMessage(error) });
      if (action.type === 'put_repository') repositoryFailed = true;
      if (TEMPLATE_ACTIONS.has(action.type)) templateFailed = true;
      if (action.type === 'put_policy') failedPolicies.add(action.policyId);
      if (action.type === 'catalog_snapshot') failedCatalog.add(action.snapshot);
    }
  }
  return { outcomes, finishedSnapshots };
}
