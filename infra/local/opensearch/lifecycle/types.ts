// Records of the lifecycle features (ISM, snapshot repositories and snapshots, SM) as the cluster
// state keeps them. They travel in journal events, so they are plain JSON.

/** An ISM policy document of the `.opendistro-ism-config` index. */
export interface IsmPolicyRecord {
  id: string;
  seqNo: number;
  primaryTerm: number;
  version: number;
  /** The normalised policy (`policy_id`, `last_updated_time`, `states`, ...). */
  policy: IsmPolicy;
}

export interface IsmPolicy {
  policy_id: string;
  description: string;
  last_updated_time: number;
  schema_version: number;
  error_notification: unknown;
  default_state: string;
  states: IsmState[];
  ism_template: IsmTemplate[] | null;
}

export interface IsmState {
  name: string;
  actions: IsmAction[];
  transitions: IsmTransition[];
}

/** One action: `{ rollover: {...}, retry?: {...}, timeout?: ... }`, kept as written. */
export type IsmAction = Record<string, unknown>;

export interface IsmTransition {
  state_name: string;
  conditions?: Record<string, unknown>;
}

export interface IsmTemplate {
  index_patterns: string[];
  priority: number;
  last_updated_time: number;
}

/** What `explain` shows of a managed index; updated by each job run. */
export interface ManagedIndex {
  index: string;
  indexUuid: string;
  policyId: string;
  policySeqNo: number;
  policyPrimaryTerm: number;
  /** The policy as it was when attached (ISM keeps running the version it started with). */
  policy: IsmPolicy;
  enabled: boolean;
  initialized: boolean;
  state?: { name: string; start_time: number };
  action?: {
    name: string;
    start_time: number;
    index: number;
    failed: boolean;
    consumed_retries: number;
    last_retry_time: number;
  };
  step?: { name: string; start_time: number; step_status: string };
  info?: Record<string, unknown>;
  rolledOver?: boolean;
  rolledOverTime?: number;
  policyCompleted?: boolean;
  /** A snapshot started by the snapshot action, awaited by the next runs. */
  pendingSnapshot?: { repository: string; snapshot: string };
  /** A change_policy waiting for the next run. */
  pendingChange?: { policyId: string; state?: string };
  /** A retry asked for a state. */
  retryState?: string;
}

export interface SmPolicyRecord {
  name: string;
  seqNo: number;
  primaryTerm: number;
  version: number;
  policy: Record<string, unknown>;
}

export interface SmStateMetadata {
  current_state: string;
  trigger: { time: number };
  latest_execution?: {
    status: string;
    start_time: number;
    end_time?: number;
    info?: { message?: string; cause?: string };
  };
}

export interface SmMetadata {
  name: string;
  creation: SmStateMetadata;
  deletion?: SmStateMetadata;
}

export type RepositoryType = 'fs' | 's3';

export interface RepositoryRecord {
  name: string;
  type: RepositoryType;
  uuid: string;
  /** Flat string settings, as OpenSearch keeps them. */
  settings: Record<string, string>;
}

export type SnapshotStateName = 'IN_PROGRESS' | 'SUCCESS' | 'PARTIAL' | 'FAILED';

export interface SnapshotFailure {
  index: string;
  shard_id: number;
  reason: string;
  status: string;
  node_id: string;
}

export interface SnapshotRecord {
  repository: string;
  name: string;
  uuid: string;
  state: SnapshotStateName;
  indices: string[];
  dataStreams: string[];
  includeGlobalState: boolean;
  startTime: number;
  endTime: number;
  failures: SnapshotFailure[];
  metadata?: Record<string, unknown>;
  /** Stored bytes and files, for `_status`. */
  sizeBytes: number;
  fileCount: number;
}
