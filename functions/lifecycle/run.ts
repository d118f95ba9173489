// One reconciliation run: validate the desired state (before any call), read the cluster and the
// catalog, plan, execute, then snapshot retention. Everything the run needs to know about earlier
// runs comes from the snapshot API and the catalog: the function keeps no state of its own.

import type { CatalogStore } from '../adapters/lifecycle-catalog.ts';
import type { LifecycleCluster } from '../adapters/lifecycle-opensearch.ts';
import type { LifecycleConfig } from '../core/lifecycle/config.ts';
import type { DesiredState } from '../core/lifecycle/desired.ts';
import { parseDuration } from '../core/lifecycle/duration.ts';
import type { DriftItem, PlanAction } from '../core/lifecycle/plan.ts';
import { DriftStatuses, plan } from '../core/lifecycle/plan.ts';
import { ownedSnapshots, planRetention, staleCatalogEntries } from '../core/lifecycle/retention.ts';
import type { SnapshotInfo } from '../core/lifecycle/types.ts';
import type { SpecValidators } from '../core/lifecycle/validate.ts';
import { validateDesiredState } from '../core/lifecycle/validate.ts';
import { listCatalogued, readCatalogEntries, removeFromCatalog } from './catalog.ts';
import type { ActionOutcome } from './execute.ts';
import { describeAction, executePlan, OutcomeStatuses } from './execute.ts';

export interface LifecycleRunInput {
  config: LifecycleConfig;
  desired: DesiredState;
  validators: SpecValidators;
  cluster: LifecycleCluster;
  catalog: CatalogStore;
  now: () => number;
  waitForSnapshots: boolean;
  remainingMs?: () => number;
  safetyMarginMs?: number;
}

export interface RetentionOutcome {
  deleted: string[];
  kept: number;
  failed: Array<{ snapshot: string; error: string }>;
  staleEntriesRemoved: string[];
}

export interface LifecycleRunSummary {
  /** Drift found before the run acted (in-sync items left out). */
  drift: DriftItem[];
  /** Drift the run fixed: the matching action succeeded. */
  fixed: number;
  outcomes: ActionOutcome[];
  counts: Record<PlanAction['type'], number>;
  failed: number;
  retention: RetentionOutcome;
  passes: number;
}

/** Snapshot → catalog → delete: at most three passes of one run. */
const MAX_PASSES = 3;
const SECOND_PASS_ACTIONS = new Set<PlanAction['type']>(['catalog_snapshot', 'delete_index']);

function driftKey(item: Pick<DriftItem, 'kind' | 'name'>): string {
  return `${item.kind}:${item.name}`;
}

/** The drift item an action fixes, if any. */
function fixes(action: PlanAction): string | null {
  switch (action.type) {
    case 'put_repository':
      return driftKey({ kind: 'repository', name: action.name });
    case 'put_component_template':
      return driftKey({ kind: 'component_template', name: action.name });
    case 'put_index_template':
      return driftKey({ kind: 'index_template', name: action.name });
    case 'put_policy':
      return driftKey({ kind: 'policy', name: action.policyId });
    case 'put_sm_policy':
      return driftKey({ kind: 'sm_policy', name: action.name });
    case 'bootstrap_alias':
      return driftKey({ kind: 'alias', name: action.alias });
    case 'create_data_stream':
      return driftKey({ kind: 'data_stream', name: action.name });
    default:
      return null;
  }
}

function emptyCounts(): Record<PlanAction['type'], number> {
  return {
    put_repository: 0,
    put_component_template: 0,
    put_index_template: 0,
    put_policy: 0,
    put_sm_policy: 0,
    bootstrap_alias: 0,
    create_data_stream: 0,
    add_policy: 0,
    change_policy: 0,
    create_snapshot: 0,
    catalog_snapshot: 0,
    delete_index: 0,
  };
}

async function readState(input: LifecycleRunInput) {
  const cluster = await input.cluster.readActual(input.config, input.desired.smPolicy?.name ?? null);
  const catalogued = await listCatalogued(input.catalog, input.config.catalog.prefix);
  return { ...cluster, catalogued };
}

async function applyRetention(
  input: LifecycleRunInput,
  snapshots: SnapshotInfo[],
): Promise<RetentionOutcome> {
  const { config, catalog, cluster } = input;
  const prefix = config.catalog.prefix;
  const repository = config.repository.name;
  const names = await listCatalogued(catalog, prefix);
  const entries = await readCatalogEntries(catalog, prefix, names);
  const longest = Math.max(...config.services.map((s) => s.retention_days));
  const retention = planRetention({
    snapshots: ownedSnapshots(config, snapshots),
    entries,
    maxAgeMs: parseDuration(config.snapshot.retention.max_age) ?? Number.POSITIVE_INFINITY,
    minCount: config.snapshot.retention.min_count,
    now: input.now(),
    retentionDaysOf: (service) => config.services.find((s) => s.name === service)?.retention_days ?? longest,
    catalogPrefix: prefix,
  });
  const deleted: string[] = [];
  const failed: RetentionOutcome['failed'] = [];
  for (const { snapshot } of retention.deleteSnapshots) {
    try {
      // Catalog first: a restore is never pointed at a snapshot that is being deleted.
      await removeFromCatalog(catalog, {
        deleteKeys: retention.catalog.deleteKeys.filter((k) => k.endsWith(`/${snapshot}.json`)),
        dayIndexRemovals: retention.catalog.dayIndexRemovals.filter((r) => r.snapshot === snapshot),
      });
      await cluster.deleteSnapshot(repository, snapshot);
      deleted.push(snapshot);
    } catch (error) {
      failed.push({ snapshot, error: error instanceof Error ? error.message : String(error) });
    }
  }
  // Entries whose snapshot is gone (deleted by SM, by hand, or above) must not guide a restore.
  const remaining = snapshots.filter((s) => !deleted.includes(s.snapshot));
  const stale = staleCatalogEntries(
    prefix,
    Object.values(entries).filter((e) => !deleted.includes(e.snapshot)),
    remaining,
  );
  await removeFromCatalog(catalog, stale);
  return {
    deleted,
    kept: retention.keep.length,
    failed,
    staleEntriesRemoved: stale.deleteKeys,
  };
}

export async function runLifecycle(input: LifecycleRunInput): Promise<LifecycleRunSummary> {
  // Refused here, before the first request: a bad policy must never reach the cluster.
  validateDesiredState(input.desired, input.validators, input.config);

  const execute = (actions: PlanAction[], snapshots: SnapshotInfo[]) =>
    executePlan(actions, {
      cluster: input.cluster,
      catalog: input.catalog,
      config: input.config,
      snapshots,
      waitForSnapshots: input.waitForSnapshots,
      ...(input.remainingMs ? { remainingMs: input.remainingMs } : {}),
      ...(input.safetyMarginMs !== undefined ? { safetyMarginMs: input.safetyMarginMs } : {}),
    });

  const actual = await readState(input);
  const first = plan(input.config, input.desired, actual, { now: input.now() });
  const result = await execute(first.actions, actual.snapshots);
  const outcomes = [...result.outcomes];
  let passes = 1;
  let snapshots = actual.snapshots;
  // Snapshots that finished in this run are catalogued now, and their indices deleted once the
  // catalog holds them, instead of an hour later: read again and do only that part of a new plan.
  let progressed = result.finishedSnapshots.length > 0;
  while (progressed && passes < MAX_PASSES) {
    const again = await readState(input);
    const next = plan(input.config, input.desired, again, { now: input.now() });
    // An action that failed earlier in this run is left for the next run, not retried at once.
    const failed = new Set(
      outcomes.filter((o) => o.status === OutcomeStatuses.failed).map((o) => describeAction(o.action)),
    );
    const more = await execute(
      next.actions.filter((a) => SECOND_PASS_ACTIONS.has(a.type) && !failed.has(describeAction(a))),
      again.snapshots,
    );
    outcomes.push(...more.outcomes);
    snapshots = again.snapshots;
    passes++;
    progressed = more.outcomes.some(
      (o) => o.action.type === 'catalog_snapshot' && o.status === OutcomeStatuses.done,
    );
  }
  if (passes === 1 && outcomes.some((o) => o.action.type === 'create_snapshot' && o.status === 'done')) {
    snapshots = await input.cluster.listSnapshots(input.config.repository.name);
  }

  const retention = await applyRetention(input, snapshots);

  const drift = first.drift.filter((d) => d.status !== DriftStatuses.inSync);
  const fixedKeys = new Set(
    outcomes
      .filter((o) => o.status === OutcomeStatuses.done)
      .map((o) => fixes(o.action))
      .filter((k): k is string => k !== null),
  );
  const counts = emptyCounts();
  for (const o of outcomes) if (o.status === OutcomeStatuses.done) counts[o.action.type]++;
  return {
    drift,
    fixed: drift.filter((d) => fixedKeys.has(driftKey(d))).length,
    outcomes,
    counts,
    failed: outcomes.filter((o) => o.status === OutcomeStatuses.failed).length + retention.failed.length,
    retention,
    passes,
  };
}
