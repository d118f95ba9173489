// The cluster model. Every change is an event (fully resolved: ids, uuids, times, seq_nos are in
// it), applied here and appended to the journal, so replaying the journal rebuilds the same state.
import type {
  IsmPolicyRecord,
  ManagedIndex,
  RepositoryRecord,
  SmMetadata,
  SmPolicyRecord,
  SnapshotRecord,
} from './lifecycle/types.ts';
import type { Mappings } from './mapping.ts';
import type { FlatSettings } from './settings.ts';
import type { ComponentTemplate, IndexTemplate } from './templates.ts';

export interface DocRecord {
  id: string;
  source: Record<string, unknown>;
  seqNo: number;
  primaryTerm: number;
  version: number;
}

export interface AliasMeta {
  is_write_index?: boolean;
  is_hidden?: boolean;
  filter?: unknown;
  index_routing?: string;
  search_routing?: string;
  routing?: string;
}

export interface IndexState {
  name: string;
  uuid: string;
  creationDate: number;
  settings: FlatSettings;
  mappings: Mappings;
  aliases: Record<string, AliasMeta>;
  dataStream?: string;
  /** A closed index keeps its data but refuses reads and writes. */
  closed?: boolean;
  docs: Map<string, DocRecord>;
  /** Versions of deleted documents, so a re-created id continues its version. */
  tombstones: Map<string, number>;
  /** Highest sequence number used (-1: none). */
  maxSeqNo: number;
  /** What searches see: the live docs as of the last refresh. */
  view: Map<string, DocRecord>;
  /** Changes not yet refreshed, in write order, with the (server clock, real) times of the write. */
  pending: PendingChange[];
  lastRefreshClock: number;
  lastRefreshReal: number;
  deletedDocs: number;
}

export interface PendingChange {
  at: number;
  real: number;
  id: string;
  doc: DocRecord | undefined;
}

export interface DataStreamState {
  name: string;
  timestampField: string;
  indices: string[];
  generation: number;
  template: string;
}

export type ClusterEvent =
  | { t: 'cluster.init'; uuid: string }
  | { t: 'cluster.settings'; persistent: Record<string, string>; transient: Record<string, string> }
  | {
      t: 'index.create';
      name: string;
      uuid: string;
      creationDate: number;
      settings: FlatSettings;
      mappings: Mappings;
      aliases: Record<string, AliasMeta>;
      dataStream?: string;
    }
  | { t: 'index.delete'; name: string }
  | { t: 'index.settings'; name: string; settings: FlatSettings }
  | { t: 'index.mappings'; name: string; mappings: Mappings }
  | { t: 'index.aliases'; name: string; aliases: Record<string, AliasMeta> }
  | { t: 'index.state'; name: string; closed: boolean }
  | {
      t: 'doc.put';
      index: string;
      id: string;
      source: Record<string, unknown>;
      seqNo: number;
      version: number;
    }
  | { t: 'doc.delete'; index: string; id: string; seqNo: number; version: number }
  | { t: 'template.put'; name: string; template: IndexTemplate }
  | { t: 'template.delete'; name: string }
  | { t: 'component.put'; name: string; template: ComponentTemplate }
  | { t: 'component.delete'; name: string }
  | { t: 'datastream.put'; stream: DataStreamState }
  | { t: 'datastream.delete'; name: string }
  | { t: 'ism.policy.put'; record: IsmPolicyRecord }
  | { t: 'ism.policy.delete'; id: string; seqNo: number }
  | { t: 'ism.managed.put'; managed: ManagedIndex }
  | { t: 'ism.managed.delete'; index: string }
  | { t: 'sm.policy.put'; record: SmPolicyRecord }
  | { t: 'sm.policy.delete'; name: string; seqNo: number }
  | { t: 'sm.meta.put'; meta: SmMetadata }
  | { t: 'repo.put'; repo: RepositoryRecord }
  | { t: 'repo.delete'; name: string }
  | { t: 'snapshot.put'; snapshot: SnapshotRecord }
  | { t: 'snapshot.delete'; repository: string; name: string };

/** ISM, SM, repositories and snapshots: the lifecycle part of the cluster state. */
export interface LifecycleSnapshot {
  configSeqNo: number;
  ismPolicies: IsmPolicyRecord[];
  managed: ManagedIndex[];
  smPolicies: SmPolicyRecord[];
  smMeta: SmMetadata[];
  repositories: RepositoryRecord[];
  snapshots: SnapshotRecord[];
}

export const PRIMARY_TERM = 1;

export interface Snapshot {
  version: 1;
  walSeq: number;
  clusterUuid: string;
  clusterSettings?: { persistent: Record<string, string>; transient: Record<string, string> };
  indices: Array<
    Omit<IndexState, 'docs' | 'tombstones' | 'view' | 'pending' | 'lastRefreshClock' | 'lastRefreshReal'> & {
      docs: DocRecord[];
      tombstones: Array<[string, number]>;
    }
  >;
  templates: Array<[string, IndexTemplate]>;
  components: Array<[string, ComponentTemplate]>;
  dataStreams: DataStreamState[];
  lifecycle?: LifecycleSnapshot;
}

export class ClusterState {
  clusterUuid = '';
  clusterSettings: { persistent: Record<string, string>; transient: Record<string, string> } = {
    persistent: {},
    transient: {},
  };
  readonly indices = new Map<string, IndexState>();
  readonly templates = new Map<string, IndexTemplate>();
  readonly components = new Map<string, ComponentTemplate>();
  readonly dataStreams = new Map<string, DataStreamState>();
  /** Sequence numbers of the ISM/SM config documents (one counter, as in `.opendistro-ism-config`). */
  configSeqNo = -1;
  readonly ismPolicies = new Map<string, IsmPolicyRecord>();
  readonly managed = new Map<string, ManagedIndex>();
  readonly smPolicies = new Map<string, SmPolicyRecord>();
  readonly smMeta = new Map<string, SmMetadata>();
  readonly repositories = new Map<string, RepositoryRecord>();
  /** Snapshots per repository, by name. */
  readonly snapshots = new Map<string, Map<string, SnapshotRecord>>();
  /** Times used for refresh bookkeeping of newly created indices. */
  clockNow: () => number = () => 0;
  realNow: () => number = Date.now;

  apply(event: ClusterEvent): void {
    switch (event.t) {
      case 'cluster.init':
        this.clusterUuid = event.uuid;
        return;
      case 'cluster.settings':
        this.clusterSettings = { persistent: event.persistent, transient: event.transient };
        return;
      case 'index.create':
        this.indices.set(event.name, {
          name: event.name,
          uuid: event.uuid,
          creationDate: event.creationDate,
          settings: event.settings,
          mappings: event.mappings,
          aliases: event.aliases,
          ...(event.dataStream === undefined ? {} : { dataStream: event.dataStream }),
          docs: new Map(),
          tombstones: new Map(),
          maxSeqNo: -1,
          view: new Map(),
          pending: [],
          lastRefreshClock: this.clockNow(),
          lastRefreshReal: this.realNow(),
          deletedDocs: 0,
        });
        return;
      case 'index.delete':
        this.indices.delete(event.name);
        this.managed.delete(event.name);
        return;
      case 'index.settings':
        this.mustIndex(event.name).settings = event.settings;
        return;
      case 'index.mappings':
        this.mustIndex(event.name).mappings = event.mappings;
        return;
      case 'index.aliases':
        this.mustIndex(event.name).aliases = event.aliases;
        return;
      case 'index.state':
        this.mustIndex(event.name).closed = event.closed;
        return;
      case 'doc.put': {
        const index = this.mustIndex(event.index);
        if (index.docs.has(event.id)) index.deletedDocs++;
        index.docs.set(event.id, {
          id: event.id,
          source: event.source,
          seqNo: event.seqNo,
          primaryTerm: PRIMARY_TERM,
          version: event.version,
        });
        index.tombstones.delete(event.id);
        index.maxSeqNo = Math.max(index.maxSeqNo, event.seqNo);
        this.track(index, event.id);
        return;
      }
      case 'doc.delete': {
        const index = this.mustIndex(event.index);
        if (index.docs.delete(event.id)) index.deletedDocs++;
        index.tombstones.set(event.id, event.version);
        index.maxSeqNo = Math.max(index.maxSeqNo, event.seqNo);
        this.track(index, event.id);
        return;
      }
      case 'template.put':
        this.templates.set(event.name, event.template);
        return;
      case 'template.delete':
        this.templates.delete(event.name);
        return;
      case 'component.put':
        this.components.set(event.name, event.template);
        return;
      case 'component.delete':
        this.components.delete(event.name);
        return;
      case 'datastream.put':
        this.dataStreams.set(event.stream.name, event.stream);
        return;
      case 'datastream.delete':
        this.dataStreams.delete(event.name);
        return;
      case 'ism.policy.put':
        this.ismPolicies.set(event.record.id, event.record);
        this.configSeqNo = Math.max(this.configSeqNo, event.record.seqNo);
        return;
      case 'ism.policy.delete':
        this.ismPolicies.delete(event.id);
        this.configSeqNo = Math.max(this.configSeqNo, event.seqNo);
        return;
      case 'ism.managed.put':
        this.managed.set(event.managed.index, event.managed);
        return;
      case 'ism.managed.delete':
        this.managed.delete(event.index);
        return;
      case 'sm.policy.put':
        this.smPolicies.set(event.record.name, event.record);
        this.configSeqNo = Math.max(this.configSeqNo, event.record.seqNo);
        return;
      case 'sm.policy.delete':
        this.smPolicies.delete(event.name);
        this.smMeta.delete(event.name);
        this.configSeqNo = Math.max(this.configSeqNo, event.seqNo);
        return;
      case 'sm.meta.put':
        this.smMeta.set(event.meta.name, event.meta);
        return;
      case 'repo.put':
        this.repositories.set(event.repo.name, event.repo);
        if (!this.snapshots.has(event.repo.name)) this.snapshots.set(event.repo.name, new Map());
        return;
      case 'repo.delete':
        this.repositories.delete(event.name);
        this.snapshots.delete(event.name);
        return;
      case 'snapshot.put': {
        let repo = this.snapshots.get(event.snapshot.repository);
        if (!repo) {
          repo = new Map();
          this.snapshots.set(event.snapshot.repository, repo);
        }
        repo.set(event.snapshot.name, event.snapshot);
        return;
      }
      case 'snapshot.delete':
        this.snapshots.get(event.repository)?.delete(event.name);
        return;
    }
  }

  mustIndex(name: string): IndexState {
    const index = this.indices.get(name);
    if (!index) throw new Error(`journal refers to a missing index [${name}]`);
    return index;
  }

  private track(index: IndexState, id: string): void {
    index.pending.push({ at: this.clockNow(), real: this.realNow(), id, doc: index.docs.get(id) });
  }

  private applyPending(index: IndexState, count: number): void {
    for (const change of index.pending.slice(0, count)) {
      if (change.doc) index.view.set(change.id, change.doc);
      else index.view.delete(change.id);
    }
    index.pending = index.pending.slice(count);
  }

  /** An explicit refresh: every written document becomes visible to searches. */
  refresh(index: IndexState): void {
    this.applyPending(index, index.pending.length);
    index.lastRefreshClock = this.clockNow();
    index.lastRefreshReal = this.realNow();
  }

  /**
   * The periodic refresh of a real cluster, evaluated lazily: refreshes happen every
   * `intervalMs` after the last one, on the server clock and on real time; a change becomes
   * visible once a refresh happened after it was written.
   */
  autoRefresh(index: IndexState, intervalMs: number): void {
    if (intervalMs < 0 || index.pending.length === 0) return;
    const lastTick = (anchor: number, now: number) =>
      intervalMs === 0 ? now : anchor + Math.floor((now - anchor) / intervalMs) * intervalMs;
    const clockNow = this.clockNow();
    const realNow = this.realNow();
    const tickClock = lastTick(index.lastRefreshClock, clockNow);
    const tickReal = lastTick(index.lastRefreshReal, realNow);
    let count = 0;
    while (count < index.pending.length) {
      const change = index.pending[count];
      if (!change || !(change.at < tickClock || change.real < tickReal || intervalMs === 0)) break;
      count++;
    }
    if (count === 0) return;
    this.applyPending(index, count);
    if (tickClock > index.lastRefreshClock) index.lastRefreshClock = tickClock;
    if (tickReal > index.lastRefreshReal) index.lastRefreshReal = tickReal;
  }

  /** After a restart every recovered document is searchable, as after a shard recovery. */
  refreshAll(): void {
    for (const index of this.indices.values()) this.refresh(index);
  }

  toSnapshot(walSeq: number): Snapshot {
    return {
      version: 1,
      walSeq,
      clusterUuid: this.clusterUuid,
      clusterSettings: this.clusterSettings,
      indices: [...this.indices.values()].map((i) => ({
        name: i.name,
        uuid: i.uuid,
        creationDate: i.creationDate,
        settings: i.settings,
        mappings: i.mappings,
        aliases: i.aliases,
        ...(i.dataStream === undefined ? {} : { dataStream: i.dataStream }),
        ...(i.closed ? { closed: true } : {}),
        maxSeqNo: i.maxSeqNo,
        deletedDocs: i.deletedDocs,
        docs: [...i.docs.values()],
        tombstones: [...i.tombstones],
      })),
      templates: [...this.templates],
      components: [...this.components],
      dataStreams: [...this.dataStreams.values()],
      lifecycle: {
        configSeqNo: this.configSeqNo,
        ismPolicies: [...this.ismPolicies.values()],
        managed: [...this.managed.values()],
        smPolicies: [...this.smPolicies.values()],
        smMeta: [...this.smMeta.values()],
        repositories: [...this.repositories.values()],
        snapshots: [...this.snapshots.values()].flatMap((m) => [...m.values()]),
      },
    };
  }

  loadSnapshot(snapshot: Snapshot): void {
    this.clusterUuid = snapshot.clusterUuid;
    if (snapshot.clusterSettings) this.clusterSettings = snapshot.clusterSettings;
    for (const i of snapshot.indices) {
      const docs = new Map(i.docs.map((d) => [d.id, d]));
      this.indices.set(i.name, {
        ...i,
        docs,
        tombstones: new Map(i.tombstones),
        view: new Map(docs),
        pending: [],
        lastRefreshClock: this.clockNow(),
        lastRefreshReal: this.realNow(),
      });
    }
    for (const [k, v] of snapshot.templates) this.templates.set(k, v);
    for (const [k, v] of snapshot.components) this.components.set(k, v);
    for (const d of snapshot.dataStreams) this.dataStreams.set(d.name, d);
    const lifecycle = snapshot.lifecycle;
    if (lifecycle) {
      this.configSeqNo = lifecycle.configSeqNo;
      for (const p of lifecycle.ismPolicies) this.ismPolicies.set(p.id, p);
      for (const m of lifecycle.managed) this.managed.set(m.index, m);
      for (const p of lifecycle.smPolicies) this.smPolicies.set(p.name, p);
      for (const m of lifecycle.smMeta) this.smMeta.set(m.name, m);
      for (const r of lifecycle.repositories) this.apply({ t: 'repo.put', repo: r });
      for (const s of lifecycle.snapshots) this.apply({ t: 'snapshot.put', snapshot: s });
    }
  }
}
