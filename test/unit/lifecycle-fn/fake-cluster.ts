// An in-memory cluster behind the LifecycleCluster port: it keeps what the executor writes and
// answers reads from it, so a second run can be checked to change nothing. Calls are recorded.

import type {
  ClusterState,
  ConcurrencyTokens,
  LifecycleCluster,
} from '../../../functions/adapters/lifecycle-opensearch.ts';
import { LifecycleRequestError } from '../../../functions/adapters/lifecycle-opensearch.ts';
import type { IndexStats } from '../../../functions/core/lifecycle/catalog.ts';
import type { Json } from '../../../functions/core/lifecycle/desired.ts';
import type { IndexInfo, SnapshotInfo, VersionedPolicy } from '../../../functions/core/lifecycle/types.ts';

export interface Call {
  method: keyof LifecycleCluster;
  args: unknown[];
}

export class FakeCluster implements LifecycleCluster {
  calls: Call[] = [];
  componentTemplates: Record<string, Json> = {};
  indexTemplates: Record<string, Json> = {};
  policies: Record<string, VersionedPolicy> = {};
  repositories: Record<string, { type: string; settings: Json }> = {};
  smPolicies: Record<string, VersionedPolicy> = {};
  dataStreams: string[] = [];
  indices: IndexInfo[] = [];
  snapshots: SnapshotInfo[] = [];
  stats: Record<string, IndexStats> = {};
  /** Methods that throw, with the error type they throw. */
  failures = new Map<keyof LifecycleCluster, string>();
  /** State a snapshot created here finishes in. */
  snapshotState = 'SUCCESS';
  restored: Array<{ snapshot: string; body: Json }> = [];
  private seqNo = 0;

  private readonly now: () => number;

  constructor(now: () => number) {
    this.now = now;
  }

  private record(method: keyof LifecycleCluster, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const type = this.failures.get(method);
    if (type !== undefined) {
      throw new LifecycleRequestError(`${method} failed: ${type}`, { statusCode: 400, errorType: type });
    }
  }

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  async readActual(): Promise<ClusterState> {
    this.record('readActual');
    return {
      componentTemplates: structuredClone(this.componentTemplates),
      indexTemplates: structuredClone(this.indexTemplates),
      policies: structuredClone(this.policies),
      repositories: structuredClone(this.repositories),
      smPolicies: structuredClone(this.smPolicies),
      dataStreams: [...this.dataStreams],
      indices: structuredClone(this.indices),
      snapshots: structuredClone(this.snapshots),
    };
  }
  async putRepository(name: string, body: Json) {
    this.record('putRepository', name, body);
    this.repositories[name] = structuredClone(body) as { type: string; settings: Json };
  }
  async putComponentTemplate(name: string, body: Json) {
    this.record('putComponentTemplate', name, body);
    this.componentTemplates[name] = structuredClone(body);
  }
  async putIndexTemplate(name: string, body: Json) {
    this.record('putIndexTemplate', name, body);
    this.indexTemplates[name] = structuredClone(body);
  }
  private putVersioned(
    store: Record<string, VersionedPolicy>,
    key: string,
    id: string,
    body: Json,
    tokens?: ConcurrencyTokens,
  ) {
    const current = store[id];
    if (
      current !== undefined &&
      (tokens?.ifSeqNo !== current.seqNo || tokens.ifPrimaryTerm !== current.primaryTerm)
    ) {
      throw new LifecycleRequestError('version conflict', {
        statusCode: 409,
        errorType: 'version_conflict_engine_exception',
      });
    }
    store[id] = { policy: structuredClone(body[key] ?? body) as Json, seqNo: ++this.seqNo, primaryTerm: 1 };
  }
  async putPolicy(policyId: string, body: Json, tokens?: ConcurrencyTokens) {
    this.record('putPolicy', policyId, body, tokens);
    this.putVersioned(this.policies, 'policy', policyId, body, tokens);
  }
  async putSmPolicy(name: string, body: Json, tokens?: ConcurrencyTokens) {
    this.record('putSmPolicy', name, body, tokens);
    this.putVersioned(this.smPolicies, 'sm_policy', name, body, tokens);
  }
  /** What `ism_template` does on a real cluster: a new index matching a policy's patterns is attached. */
  private attach(index: string): string | null {
    for (const [id, { policy }] of Object.entries(this.policies)) {
      const templates = Array.isArray(policy.ism_template) ? policy.ism_template : [];
      for (const t of templates as Array<{ index_patterns?: string[] }>) {
        for (const pattern of t.index_patterns ?? []) {
          const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
          if (re.test(index)) return id;
        }
      }
    }
    return null;
  }
  async bootstrapAlias(index: string, alias: string) {
    this.record('bootstrapAlias', index, alias);
    this.indices.push(
      indexInfo(index, this.now(), {
        aliases: [{ name: alias, isWriteIndex: true }],
        policyId: this.attach(index),
      }),
    );
  }
  async createDataStream(name: string) {
    this.record('createDataStream', name);
    this.dataStreams.push(name);
    // A data stream's own name is the ism_template pattern; its backing indices are managed.
    this.indices.push(
      indexInfo(`.ds-${name}-000001`, this.now(), { dataStream: name, policyId: this.attach(name) }),
    );
  }
  async addPolicy(policyId: string, indices: string[]) {
    this.record('addPolicy', policyId, indices);
    for (const i of this.indices) if (indices.includes(i.name)) i.policyId = policyId;
    return [];
  }
  async changePolicy(policyId: string, indices: string[]) {
    this.record('changePolicy', policyId, indices);
    for (const i of this.indices) {
      if (indices.includes(i.name)) {
        i.policyId = policyId;
        i.policySeqNo = this.policies[policyId]?.seqNo ?? null;
      }
    }
    return [];
  }
  async createSnapshot(repository: string, snapshot: string, indices: string[], options: { wait: boolean }) {
    this.record('createSnapshot', repository, snapshot, indices, options);
    if (this.snapshots.some((s) => s.snapshot === snapshot)) {
      throw new LifecycleRequestError('exists', {
        statusCode: 400,
        errorType: 'invalid_snapshot_name_exception',
      });
    }
    const ok = this.snapshotState === 'SUCCESS';
    const info: SnapshotInfo = {
      snapshot,
      indices: [...indices],
      state: options.wait ? this.snapshotState : 'IN_PROGRESS',
      start_time_in_millis: this.now(),
      end_time_in_millis: this.now() + 1000,
      shards: { total: indices.length, failed: ok ? 0 : indices.length, successful: ok ? indices.length : 0 },
    };
    this.snapshots.push(info);
    return options.wait ? structuredClone(info) : null;
  }
  /** Completes the snapshots created without waiting. */
  finishSnapshots(): void {
    for (const s of this.snapshots) if (s.state === 'IN_PROGRESS') s.state = this.snapshotState;
  }
  async getSnapshot(_repository: string, snapshot: string) {
    this.record('getSnapshot', _repository, snapshot);
    const found = this.snapshots.find((s) => s.snapshot === snapshot);
    return found ? structuredClone(found) : null;
  }
  async listSnapshots(repository: string) {
    this.record('listSnapshots', repository);
    return structuredClone(this.snapshots);
  }
  async deleteSnapshot(repository: string, snapshot: string) {
    this.record('deleteSnapshot', repository, snapshot);
    this.snapshots = this.snapshots.filter((s) => s.snapshot !== snapshot);
  }
  async deleteIndex(index: string) {
    this.record('deleteIndex', index);
    this.indices = this.indices.filter((i) => i.name !== index);
  }
  async indexStats(indices: string[]) {
    this.record('indexStats', indices);
    const out: Record<string, IndexStats> = {};
    for (const i of indices)
      out[i] = this.stats[i] ?? { docs: 0, sizeBytes: 0, timestampMin: null, timestampMax: null };
    return out;
  }
  async listIndices(pattern: string) {
    this.record('listIndices', pattern);
    const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
    return this.indices
      .map((i) => i.name)
      .filter((n) => re.test(n))
      .sort();
  }
  async restore(repository: string, snapshot: string, body: Json, options: { wait: boolean }) {
    this.record('restore', repository, snapshot, body, options);
    this.restored.push({ snapshot, body });
    const names = String(body.indices).split(',');
    for (const name of names) {
      const restoredAs = `restored-${name.replace(/^\.+/, '')}`;
      this.indices.push(indexInfo(restoredAs, this.now()));
      this.stats[restoredAs] = this.stats[name] ?? {
        docs: 0,
        sizeBytes: 0,
        timestampMin: null,
        timestampMax: null,
      };
    }
    return { accepted: true };
  }
  async countDocs(indices: string[]) {
    this.record('countDocs', indices);
    const out: Record<string, number> = {};
    for (const i of indices) out[i] = this.stats[i]?.docs ?? 0;
    return out;
  }
}

export function indexInfo(name: string, createdAt: number, overrides: Partial<IndexInfo> = {}): IndexInfo {
  return {
    name,
    createdAt,
    aliases: [],
    dataStream: null,
    policyId: null,
    policySeqNo: null,
    ismState: null,
    writesEndedAt: null,
    ...overrides,
  };
}
