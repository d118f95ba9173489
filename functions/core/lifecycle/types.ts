// What the lifecycle function read from the cluster (the "actual" side of the plan). Field names of
// snapshot results follow the OpenSearch API so adapters pass responses through unchanged.

import type { Json } from './desired.ts';

/** One entry of `GET _snapshot/<repository>/_all` (the fields used here). */
export interface SnapshotInfo {
  snapshot: string;
  uuid?: string;
  indices: string[];
  data_streams?: string[];
  /** SUCCESS, PARTIAL, FAILED, IN_PROGRESS, INCOMPATIBLE. */
  state: string;
  include_global_state?: boolean;
  start_time_in_millis: number;
  end_time_in_millis?: number;
  duration_in_millis?: number;
  shards: { total: number; failed: number; successful: number };
  failures?: unknown[];
}

export const SnapshotStates = {
  success: 'SUCCESS',
  partial: 'PARTIAL',
  failed: 'FAILED',
  inProgress: 'IN_PROGRESS',
} as const;

/** One index as the cluster reports it (cat indices + aliases + ISM explain). */
export interface IndexInfo {
  name: string;
  /** `index.creation_date`, epoch ms. */
  createdAt: number;
  /** Aliases of the index and whether it is their write index. */
  aliases: Array<{ name: string; isWriteIndex: boolean }>;
  /** Parent data stream of a backing index, else null. */
  dataStream: string | null;
  /** ISM explain: the managing policy (null when unmanaged) and the version it runs. */
  policyId: string | null;
  policySeqNo: number | null;
  /** ISM explain `state.name`. */
  ismState: string | null;
  /**
   * When the index stopped taking writes (its rollover time), epoch ms; null while it may still be
   * written. A snapshot counts for an index only if it started after this: earlier ones miss data.
   */
  writesEndedAt: number | null;
}

/** A stored policy with the concurrency tokens an update must carry. */
export interface VersionedPolicy {
  policy: Json;
  seqNo: number;
  primaryTerm: number;
}

export interface ActualState {
  /** `GET _component_template`: name → `component_template`. */
  componentTemplates: Record<string, Json>;
  /** `GET _index_template`: name → `index_template`. */
  indexTemplates: Record<string, Json>;
  /** `GET _plugins/_ism/policies/<id>`: id → policy (unwrapped) with `_seq_no`/`_primary_term`. */
  policies: Record<string, VersionedPolicy>;
  /** `GET _snapshot`: name → `{type, settings}`. */
  repositories: Record<string, { type: string; settings: Json }>;
  /** `GET _plugins/_sm/policies/<name>`: name → `sm_policy` with its tokens. */
  smPolicies: Record<string, VersionedPolicy>;
  dataStreams: string[];
  indices: IndexInfo[];
  /** Snapshots in the configured repository. */
  snapshots: SnapshotInfo[];
  /** Names of the snapshots that have a catalog entry. */
  catalogued: string[];
}
