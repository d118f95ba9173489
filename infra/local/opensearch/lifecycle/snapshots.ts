// Snapshot repositories and snapshots. Metadata lives in the cluster state (journaled); the data
// lives in the repository (a folder or an S3 bucket): a catalog `index-N` (+ `index.latest`), one
// `snap-{uuid}.json` per snapshot, `meta-{uuid}.json` for the global state, and per index a
// `meta.json` and the documents as gzip NDJSON. A fresh cluster registering the same repository
// reads the catalog back, so it can list and restore what another cluster wrote.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { illegalArgument, OpenSearchError } from '../errors.ts';
import { wildcardMatch } from '../index-name.ts';
import type { Mappings } from '../mapping.ts';
import { type LocalNode, NODE_ID, NODE_NAME, newUuid } from '../node.ts';
import { type FlatSettings, flattenSettings, mergeSettings, nestSettings } from '../settings.ts';
import type { AliasMeta, DataStreamState, IndexState } from '../state.ts';
import type { ComponentTemplate, IndexTemplate } from '../templates.ts';
import { type BlobStore, FsBlobStore, S3BlobStore } from './blob-store.ts';
import { isReadOnly, parseRepository } from './repository-settings.ts';
import type { RepositoryRecord, SnapshotFailure, SnapshotRecord } from './types.ts';

export const VERSION = '2.19.0';
export const VERSION_ID = 2190099 ^ 0x08000000;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function bool(value: unknown, fallback: boolean): boolean {
  if (value === undefined || value === null) return fallback;
  return value === true || value === 'true';
}

function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map(String);
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function repositoryMissing(name: string): OpenSearchError {
  return new OpenSearchError(404, 'repository_missing_exception', `[${name}] missing`);
}

function snapshotMissing(repo: string, name: string): OpenSearchError {
  return new OpenSearchError(404, 'snapshot_missing_exception', `[${repo}:${name}] is missing`);
}

function invalidName(repo: string, name: string, why: string): OpenSearchError {
  return new OpenSearchError(
    400,
    'invalid_snapshot_name_exception',
    `[${repo}:${name}] Invalid snapshot name [${name}], ${why}`,
  );
}

/** OpenSearch's snapshot name rules. */
export function snapshotNameProblem(name: string): string | undefined {
  if (name === '') return 'cannot be empty';
  if (name.includes('#')) return "must not contain '#'";
  if (name.startsWith('_')) return "must not start with '_'";
  if (name.toLowerCase() !== name) return 'must be lowercase';
  if (/[\\/*?"<>| ,]/.test(name))
    return 'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]';
  return undefined;
}

/** What a snapshot holds of one index. */
interface StoredIndex {
  name: string;
  uuid: string;
  creationDate: number;
  settings: FlatSettings;
  mappings: Mappings;
  aliases: Record<string, AliasMeta>;
  dataStream?: string;
  docCount: number;
}

interface StoredDoc {
  id: string;
  source: Record<string, unknown>;
  seqNo: number;
  version: number;
}

interface GlobalState {
  templates: Array<[string, IndexTemplate]>;
  components: Array<[string, ComponentTemplate]>;
  dataStreams: DataStreamState[];
}

interface Catalog {
  generation: number;
  snapshots: SnapshotRecord[];
}

export interface SnapshotServiceOptions {
  /** Folder under which `fs` repositories keep their files (created when first needed). */
  fsRoot?: string;
}

export class SnapshotService {
  private readonly node: LocalNode;
  private fsRoot: string | undefined;
  private readonly ownsFsRoot: boolean;
  private readonly stores = new Map<string, { key: string; store: BlobStore }>();
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly tasks = new Set<Promise<unknown>>();
  /** Snapshots being written (a delete waits for these, not for every background task). */
  private readonly creating = new Set<Promise<unknown>>();

  constructor(node: LocalNode, options: SnapshotServiceOptions = {}) {
    this.node = node;
    this.fsRoot = options.fsRoot;
    this.ownsFsRoot = options.fsRoot === undefined;
  }

  /**
   * After a restart: a snapshot the journal shows as running was cut off with the old process, so
   * it failed (as OpenSearch marks snapshots aborted by a cluster-manager failover).
   */
  recoverInterrupted(): void {
    for (const repo of this.node.state.snapshots.values()) {
      for (const s of repo.values()) {
        if (s.state !== 'IN_PROGRESS') continue;
        this.node.commit({
          t: 'snapshot.put',
          snapshot: {
            ...s,
            state: 'FAILED',
            endTime: Math.max(s.startTime, this.node.now()),
            failures: [
              ...s.failures,
              {
                index: '',
                shard_id: 0,
                reason: 'the server stopped while the snapshot was running',
                status: 'INTERNAL_SERVER_ERROR',
                node_id: NODE_ID,
              },
            ],
          },
        });
      }
    }
    this.node.flush();
  }

  /** Waits for every background snapshot/restore to finish. */
  async settle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  close(): void {
    for (const { store } of this.stores.values()) if (store instanceof S3BlobStore) store.close();
    this.stores.clear();
    if (this.ownsFsRoot && this.fsRoot) rmSync(this.fsRoot, { recursive: true, force: true });
  }

  /** Counts a background promise in `settle()`. */
  track<T>(promise: Promise<T>): Promise<T> {
    const tracked = promise.finally(() => this.tasks.delete(tracked));
    this.tasks.add(tracked);
    tracked.catch(() => {});
    return tracked;
  }

  /** Runs repository writes one after the other (the catalog is read-modify-write). */
  private serial<T>(repo: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(repo) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    this.chains.set(
      repo,
      next.catch(() => {}),
    );
    return next;
  }

  // ------------------------------------------------------------ repositories

  repository(name: string): RepositoryRecord {
    const repo = this.node.state.repositories.get(name);
    if (!repo) throw repositoryMissing(name);
    return repo;
  }

  /** The folder of an fs repository: always inside the server's own folder, whatever the location. */
  fsPath(location: string): string {
    if (this.fsRoot === undefined) this.fsRoot = mkdtempSync(path.join(tmpdir(), 'sluice-os-repos-'));
    const relative = location.replace(/^[a-zA-Z]:/, '').replace(/^[/\\]+/, '');
    const full = path.resolve(this.fsRoot, relative);
    if (full !== this.fsRoot && !full.startsWith(this.fsRoot + path.sep))
      throw new OpenSearchError(
        500,
        'repository_exception',
        `location [${location}] doesn't match any of the locations specified by path.repo`,
      );
    return full;
  }

  /**
   * The S3 client settings of a repository: `s3.client.<client>.{endpoint,protocol,region,
   * path_style_access}` (client `default` unless the repository names one) from the cluster
   * settings, which stand in for OpenSearch's node settings here; the repository's own win.
   */
  private clientSettings(repo: RepositoryRecord): Record<string, string> {
    if (repo.type !== 's3') return repo.settings;
    const prefix = `s3.client.${repo.settings.client ?? 'default'}.`;
    const { persistent, transient } = this.node.state.clusterSettings;
    const out: Record<string, string> = {};
    for (const source of [persistent, transient]) {
      for (const [key, value] of Object.entries(source)) {
        const name = key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
        if (name && ['endpoint', 'protocol', 'region', 'path_style_access'].includes(name))
          Object.defineProperty(out, name, {
            value: String(value),
            enumerable: true,
            writable: true,
            configurable: true,
          });
      }
    }
    return { ...out, ...repo.settings };
  }

  store(repo: RepositoryRecord): BlobStore {
    const s = this.clientSettings(repo);
    const key = `${repo.type}:${JSON.stringify(s)}`;
    const cached = this.stores.get(repo.name);
    if (cached?.key === key) return cached.store;
    if (cached?.store instanceof S3BlobStore) cached.store.close();
    let store: BlobStore;
    if (repo.type === 'fs') {
      store = new FsBlobStore(this.fsPath(s.location ?? ''));
    } else {
      const endpoint =
        s.endpoint === undefined
          ? undefined
          : /^https?:\/\//.test(s.endpoint)
            ? s.endpoint
            : `${s.protocol ?? 'https'}://${s.endpoint}`;
      store = new S3BlobStore({
        bucket: s.bucket ?? '',
        basePath: s.base_path ?? '',
        ...(s.region ? { region: s.region } : {}),
        ...(endpoint ? { endpoint } : {}),
        pathStyle: s.path_style_access === 'true',
        ...(s.storage_class ? { storageClass: s.storage_class } : {}),
        ...(s.canned_acl ? { cannedAcl: s.canned_acl } : {}),
        ...(s.server_side_encryption_type
          ? { sseType: s.server_side_encryption_type }
          : s.server_side_encryption === 'true'
            ? { sseType: 'AES256' }
            : {}),
        ...(s.server_side_encryption_kms_key_id ? { kmsKeyId: s.server_side_encryption_kms_key_id } : {}),
        ...(s.expected_bucket_owner ? { expectedBucketOwner: s.expected_bucket_owner } : {}),
      });
    }
    this.stores.set(repo.name, { key, store });
    return store;
  }

  async putRepository(name: string, body: unknown, verify: boolean): Promise<void> {
    const { type, settings } = parseRepository(name, body);
    const existing = this.node.state.repositories.get(name);
    const repo: RepositoryRecord = { name, type, uuid: existing?.uuid ?? newUuid(), settings };
    if (verify && !isReadOnly(settings)) await this.verifyStore(repo);
    this.node.commit({ t: 'repo.put', repo });
    try {
      await this.syncCatalog(name);
    } catch (error) {
      throw new OpenSearchError(500, 'repository_exception', `[${name}] could not read repository data`, {
        cause: error,
        causedBy: { type: 'exception', reason: error instanceof Error ? error.message : String(error) },
      });
    }
  }

  private async verifyStore(repo: RepositoryRecord): Promise<void> {
    const store = this.store(repo);
    const key = `tests-${newUuid()}/master.dat`;
    try {
      await store.put(key, repo.uuid);
      await store.delete([key]);
    } catch (error) {
      this.stores.delete(repo.name);
      throw new OpenSearchError(
        500,
        'repository_verification_exception',
        `[${repo.name}] path [${repo.settings.base_path ?? ''}] is not accessible on master node`,
        {
          cause: error,
          causedBy: {
            type: 'i_o_exception',
            reason: `Unable to upload object [${store.where}/${key}]: ${error instanceof Error ? error.message : String(error)}`,
          },
        },
      );
    }
  }

  /** `_snapshot` / `_snapshot/{names}`: wildcards, `_all`, comma lists. */
  getRepositories(expression: string | undefined): RepositoryRecord[] {
    const names =
      expression === undefined || expression === '_all' || expression === '' ? ['*'] : list(expression);
    const out: RepositoryRecord[] = [];
    for (const n of names) {
      if (n.includes('*')) {
        for (const r of this.node.state.repositories.values())
          if (wildcardMatch(n, r.name) && !out.includes(r)) out.push(r);
      } else {
        const r = this.node.state.repositories.get(n);
        if (!r) throw repositoryMissing(n);
        if (!out.includes(r)) out.push(r);
      }
    }
    return out;
  }

  describeRepository(repo: RepositoryRecord): Record<string, unknown> {
    return { type: repo.type, uuid: repo.uuid, settings: nestRepositorySettings(repo.settings) };
  }

  deleteRepositories(expression: string): void {
    const repos = this.getRepositories(expression);
    if (repos.length === 0 && !expression.includes('*')) throw repositoryMissing(expression);
    for (const repo of repos) {
      const running = [...(this.node.state.snapshots.get(repo.name)?.values() ?? [])].some(
        (s) => s.state === 'IN_PROGRESS',
      );
      if (running)
        throw new OpenSearchError(
          400,
          'repository_conflict_exception',
          `[${repo.name}] trying to modify or unregister repository that is currently used`,
        );
      this.node.commit({ t: 'repo.delete', name: repo.name });
      this.stores.delete(repo.name);
    }
  }

  async verify(name: string): Promise<Record<string, unknown>> {
    await this.verifyStore(this.repository(name));
    return { nodes: { [NODE_ID]: { name: NODE_NAME } } };
  }

  /** Deletes files no snapshot of the catalog refers to. */
  async cleanup(name: string): Promise<Record<string, unknown>> {
    const repo = this.repository(name);
    if (isReadOnly(repo.settings))
      throw new OpenSearchError(
        500,
        'repository_exception',
        `[${name}] cannot run cleanup on readonly repository`,
      );
    return this.serial(name, async () => {
      const store = this.store(repo);
      const catalog = await this.readCatalog(store);
      const live = new Set(catalog.snapshots.map((s) => s.uuid));
      const files = await store.list('');
      const stale = files.filter(({ key }) => {
        if (key === 'index.latest' || key === `index-${catalog.generation}`) return false;
        let m = /^(?:snap|meta)-([^.]+)\.json$/.exec(key);
        if (m) return !live.has(m[1] ?? '');
        m = /^indices\/([^/]+)\//.exec(key);
        if (m) return !live.has(m[1] ?? '');
        return /^index-\d+$/.test(key) || key.startsWith('tests-');
      });
      await store.delete(stale.map((f) => f.key));
      return {
        results: { deleted_bytes: stale.reduce((n, f) => n + f.size, 0), deleted_blobs: stale.length },
      };
    });
  }

  // ------------------------------------------------------------ catalog

  /**
   * The newest catalog generation, found by listing: `index-N` files are written once and never
   * overwritten, so a reader never sees one half-written (`index.latest` is kept for people).
   */
  private async readCatalog(store: BlobStore): Promise<Catalog> {
    const generations = (await store.list('index-'))
      .map((f) => /^index-(\d+)$/.exec(f.key)?.[1])
      .filter((g): g is string => g !== undefined)
      .map(Number);
    if (generations.length === 0) return { generation: -1, snapshots: [] };
    const generation = Math.max(...generations);
    const key = `index-${generation}`;
    for (let attempt = 1; ; attempt++) {
      const data = await store.get(key);
      if (data === undefined) return { generation, snapshots: [] };
      try {
        return {
          generation,
          snapshots: parseBlob<{ snapshots: SnapshotRecord[] }>(store, key, data).snapshots,
        };
      } catch (error) {
        // An object store may answer a read racing a write with a short body: read again.
        if (attempt >= 3) throw error;
        await new Promise((r) => setTimeout(r, 50 * attempt));
      }
    }
  }

  private async writeCatalog(store: BlobStore, catalog: Catalog): Promise<void> {
    const generation = catalog.generation + 1;
    await store.put(`index-${generation}`, JSON.stringify({ snapshots: catalog.snapshots }));
    await store.put('index.latest', JSON.stringify({ generation }));
    if (catalog.generation >= 0) await store.delete([`index-${catalog.generation}`]);
  }

  /** Makes the cluster state's list of finished snapshots of a repository match its catalog. */
  async syncCatalog(name: string): Promise<void> {
    const repo = this.repository(name);
    await this.serial(name, async () => {
      const catalog = await this.readCatalog(this.store(repo));
      if (!this.node.state.repositories.has(name)) return;
      const known = this.node.state.snapshots.get(name) ?? new Map<string, SnapshotRecord>();
      const inCatalog = new Set<string>();
      for (const s of catalog.snapshots) {
        inCatalog.add(s.name);
        const current = known.get(s.name);
        if (!current || JSON.stringify(current) !== JSON.stringify({ ...s, repository: name }))
          this.node.commit({ t: 'snapshot.put', snapshot: { ...s, repository: name } });
      }
      for (const s of [...known.values()]) {
        if (s.state !== 'IN_PROGRESS' && !inCatalog.has(s.name))
          this.node.commit({ t: 'snapshot.delete', repository: name, name: s.name });
      }
      this.node.flush();
    });
  }

  // ------------------------------------------------------------ snapshots

  snapshots(repo: string): SnapshotRecord[] {
    return [...(this.node.state.snapshots.get(repo)?.values() ?? [])].sort(
      (a, b) => a.startTime - b.startTime || (a.name < b.name ? -1 : 1),
    );
  }

  /** Resolves `_all`, `*`, `_current`, names and wildcards (with `-` exclusions). */
  select(repo: string, expression: string, ignoreUnavailable: boolean): SnapshotRecord[] {
    const all = this.snapshots(repo);
    const parts = list(expression);
    const picked = new Set<SnapshotRecord>();
    for (const [i, part] of parts.entries()) {
      if (part === '_all' || part === '*') {
        for (const s of all) picked.add(s);
      } else if (part === '_current') {
        for (const s of all) {
          if (s.state === 'IN_PROGRESS') picked.add(s);
        }
      } else if (part.startsWith('-') && i > 0) {
        for (const s of all) {
          if (wildcardMatch(part.slice(1), s.name)) picked.delete(s);
        }
      } else if (part.includes('*')) {
        for (const s of all) {
          if (wildcardMatch(part, s.name)) picked.add(s);
        }
      } else {
        const s = all.find((x) => x.name === part);
        if (s) picked.add(s);
        else if (!ignoreUnavailable) throw snapshotMissing(repo, part);
      }
    }
    return all.filter((s) => picked.has(s));
  }

  /** Creates a snapshot; resolves when it is written (the caller decides whether to wait). */
  create(
    repoName: string,
    name: string,
    body: unknown,
    extraMetadata?: Record<string, unknown>,
  ): {
    record: SnapshotRecord;
    done: Promise<SnapshotRecord>;
  } {
    const repo = this.repository(repoName);
    const problem = snapshotNameProblem(name);
    if (problem) throw invalidName(repoName, name, problem);
    if (isReadOnly(repo.settings))
      throw new OpenSearchError(
        500,
        'repository_exception',
        `[${repoName}] cannot create snapshot in a readonly repository`,
      );
    if (this.node.state.snapshots.get(repoName)?.has(name))
      throw invalidName(repoName, name, 'snapshot with the same name already exists');
    const request = isObject(body) ? body : {};
    const known = [
      'indices',
      'ignore_unavailable',
      'include_global_state',
      'partial',
      'metadata',
      'expand_wildcards',
      'feature_states',
    ];
    for (const key of Object.keys(request)) {
      if (!known.includes(key)) throw illegalArgument(`Unknown key for a VALUE_STRING in [${key}].`);
    }
    if (request.metadata !== undefined && !isObject(request.metadata))
      throw illegalArgument('malformed metadata, expected an object');
    const ignoreUnavailable = bool(request.ignore_unavailable, false);
    const includeGlobalState = bool(request.include_global_state, true);
    const partial = bool(request.partial, false);
    const expression = list(request.indices).join(',') || '*';
    const indices = this.node.resolve(expression, { ignoreUnavailable, allowNoIndices: true, closed: true });
    const failures: SnapshotFailure[] = [];
    const open: IndexState[] = [];
    for (const index of indices) {
      if (!index.closed) open.push(index);
      else if (partial || ignoreUnavailable)
        failures.push({
          index: index.name,
          shard_id: 0,
          reason: 'IndexClosedException[closed]',
          status: 'INTERNAL_SERVER_ERROR',
          node_id: NODE_ID,
        });
      else
        throw new OpenSearchError(
          400,
          'snapshot_exception',
          `[${repoName}:${name}] Indices [${index.name}] are closed`,
        );
    }
    const streams = new Set<string>();
    for (const index of open) if (index.dataStream) streams.add(index.dataStream);
    // Capture now: the snapshot is the state at its start, whatever is written meanwhile.
    const captured = open.map((index) => ({
      meta: {
        name: index.name,
        uuid: index.uuid,
        creationDate: index.creationDate,
        settings: index.settings,
        mappings: index.mappings,
        aliases: index.aliases,
        ...(index.dataStream === undefined ? {} : { dataStream: index.dataStream }),
        docCount: index.docs.size,
      } satisfies StoredIndex,
      docs: [...index.docs.values()].map((d) => ({
        id: d.id,
        source: d.source,
        seqNo: d.seqNo,
        version: d.version,
      })),
    }));
    const global: GlobalState = {
      templates: includeGlobalState ? [...this.node.state.templates] : [],
      components: includeGlobalState ? [...this.node.state.components] : [],
      dataStreams: [...streams].flatMap((n) => {
        const s = this.node.state.dataStreams.get(n);
        return s ? [s] : [];
      }),
    };
    const metadata =
      request.metadata !== undefined || extraMetadata
        ? { ...(isObject(request.metadata) ? request.metadata : {}), ...(extraMetadata ?? {}) }
        : undefined;
    const record: SnapshotRecord = {
      repository: repoName,
      name,
      uuid: newUuid(),
      state: 'IN_PROGRESS',
      indices: open.map((i) => i.name).sort(),
      dataStreams: [...streams].sort(),
      includeGlobalState,
      startTime: this.node.now(),
      endTime: 0,
      failures,
      ...(metadata ? { metadata } : {}),
      sizeBytes: 0,
      fileCount: 0,
    };
    this.node.commit({ t: 'snapshot.put', snapshot: record });
    const done = this.track(
      this.serial(repoName, async () => {
        // Yield first so that the answer to the request goes out before the work is done.
        await new Promise((r) => setImmediate(r));
        let finished: SnapshotRecord;
        try {
          const store = this.store(repo);
          let size = 0;
          let files = 0;
          const put = async (key: string, data: Buffer | string) => {
            await store.put(key, data);
            size += Buffer.byteLength(data);
            files++;
          };
          for (const { meta, docs } of captured) {
            const dir = `indices/${record.uuid}/${encodeURIComponent(meta.name)}`;
            await put(`${dir}/meta.json`, JSON.stringify(meta));
            await put(`${dir}/docs.ndjson.gz`, gzipSync(docs.map((d) => JSON.stringify(d)).join('\n')));
          }
          await put(`meta-${record.uuid}.json`, JSON.stringify(global));
          const state = failures.length > 0 ? 'PARTIAL' : 'SUCCESS';
          finished = {
            ...record,
            state,
            endTime: Math.max(this.node.now(), record.startTime),
            sizeBytes: size,
            fileCount: files,
          };
          await store.put(`snap-${record.uuid}.json`, JSON.stringify(finished));
          const catalog = await this.readCatalog(store);
          await this.writeCatalog(store, {
            generation: catalog.generation,
            snapshots: [...catalog.snapshots.filter((s) => s.name !== name), finished],
          });
        } catch (error) {
          finished = {
            ...record,
            state: 'FAILED',
            endTime: this.node.now(),
            failures: [
              ...record.failures,
              {
                index: '',
                shard_id: 0,
                reason: error instanceof Error ? error.message : String(error),
                status: 'INTERNAL_SERVER_ERROR',
                node_id: NODE_ID,
              },
            ],
          };
        }
        if (this.node.state.repositories.has(repoName)) {
          this.node.commit({ t: 'snapshot.put', snapshot: finished });
          this.node.flush();
        }
        return finished;
      }),
    );
    this.creating.add(done);
    done.finally(() => this.creating.delete(done)).catch(() => {});
    return { record, done };
  }

  async delete(repoName: string, expression: string): Promise<void> {
    const repo = this.repository(repoName);
    await this.syncCatalog(repoName);
    const doomed = this.select(repoName, expression, false);
    // A snapshot still being written is deleted once it is done.
    await Promise.allSettled([...this.creating]);
    await this.serial(repoName, async () => {
      const store = this.store(repo);
      const catalog = await this.readCatalog(store);
      const names = new Set(doomed.map((s) => s.name));
      const keys: string[] = [];
      for (const s of doomed) {
        keys.push(`snap-${s.uuid}.json`, `meta-${s.uuid}.json`);
        keys.push(...(await store.list(`indices/${s.uuid}/`)).map((f) => f.key));
      }
      await this.writeCatalog(store, {
        generation: catalog.generation,
        snapshots: catalog.snapshots.filter((s) => !names.has(s.name)),
      });
      await store.delete(keys);
      for (const s of doomed) this.node.commit({ t: 'snapshot.delete', repository: repoName, name: s.name });
      this.node.flush();
    });
  }

  /** Clones some (or all) indices of a snapshot into a new snapshot of the same repository. */
  async clone(repoName: string, source: string, target: string, body: unknown): Promise<void> {
    const repo = this.repository(repoName);
    const problem = snapshotNameProblem(target);
    if (problem) throw invalidName(repoName, target, problem);
    await this.syncCatalog(repoName);
    const [from] = this.select(repoName, source, false);
    if (!from) throw snapshotMissing(repoName, source);
    if (this.node.state.snapshots.get(repoName)?.has(target))
      throw invalidName(repoName, target, 'snapshot with the same name already exists');
    const request = isObject(body) ? body : {};
    const patterns = list(request.indices);
    if (patterns.length === 0) throw illegalArgument('indices must be specified for a clone');
    const indices = from.indices.filter((n) => patterns.some((p) => wildcardMatch(p, n)));
    const record: SnapshotRecord = {
      ...from,
      name: target,
      uuid: newUuid(),
      indices,
      startTime: this.node.now(),
      endTime: this.node.now(),
    };
    await this.serial(repoName, async () => {
      const store = this.store(repo);
      for (const name of indices) {
        for (const file of ['meta.json', 'docs.ndjson.gz']) {
          const data = await store.get(`indices/${from.uuid}/${encodeURIComponent(name)}/${file}`);
          if (data) await store.put(`indices/${record.uuid}/${encodeURIComponent(name)}/${file}`, data);
        }
      }
      const global = await store.get(`meta-${from.uuid}.json`);
      if (global) await store.put(`meta-${record.uuid}.json`, global);
      await store.put(`snap-${record.uuid}.json`, JSON.stringify(record));
      const catalog = await this.readCatalog(store);
      await this.writeCatalog(store, {
        generation: catalog.generation,
        snapshots: [...catalog.snapshots, record],
      });
      this.node.commit({ t: 'snapshot.put', snapshot: record });
      this.node.flush();
    });
  }

  /** Restores indices (documents, mappings, settings, aliases) of a finished snapshot. */
  async restore(repoName: string, name: string, body: unknown): Promise<Record<string, unknown>> {
    const repo = this.repository(repoName);
    await this.syncCatalog(repoName);
    const snapshot = this.node.state.snapshots.get(repoName)?.get(name);
    if (!snapshot) throw snapshotMissing(repoName, name);
    const where = `[${repoName}:${name}/${snapshot.uuid}]`;
    if (snapshot.state !== 'SUCCESS' && snapshot.state !== 'PARTIAL')
      throw new OpenSearchError(
        500,
        'snapshot_restore_exception',
        `${where} unsupported snapshot state [${snapshot.state}]`,
      );
    const request = isObject(body) ? body : {};
    const patterns = list(request.indices);
    const ignoreUnavailable = bool(request.ignore_unavailable, false);
    const includeAliases = bool(request.include_aliases, true);
    const includeGlobalState = bool(request.include_global_state, false);
    let chosen: string[];
    if (patterns.length === 0 || patterns.includes('_all')) chosen = [...snapshot.indices];
    else {
      const picked = new Set<string>();
      for (const [i, p] of patterns.entries()) {
        if (p.startsWith('-') && i > 0) {
          for (const n of snapshot.indices) if (wildcardMatch(p.slice(1), n)) picked.delete(n);
          continue;
        }
        let matched = false;
        for (const n of snapshot.indices) {
          const stream = snapshot.dataStreams.find((d) => wildcardMatch(p, d));
          if (wildcardMatch(p, n) || (stream !== undefined && n.startsWith(`.ds-${stream}-`))) {
            picked.add(n);
            matched = true;
          }
        }
        if (!matched && !p.includes('*') && !ignoreUnavailable)
          throw new OpenSearchError(500, 'snapshot_restore_exception', `${where} indices [${p}] missing`);
      }
      chosen = snapshot.indices.filter((n) => picked.has(n));
    }
    let rename: ((n: string) => string) | undefined;
    if (typeof request.rename_pattern === 'string') {
      const re = new RegExp(request.rename_pattern, 'g');
      const replacement = typeof request.rename_replacement === 'string' ? request.rename_replacement : '';
      rename = (n) => n.replace(re, replacement);
    }
    const targets = chosen.map((n) => ({ source: n, target: rename ? rename(n) : n }));
    const seen = new Set<string>();
    for (const { target } of targets) {
      if (seen.has(target))
        throw new OpenSearchError(
          500,
          'snapshot_restore_exception',
          `${where} indices [${target}] and [${target}] are renamed into the same index [${target}]`,
        );
      seen.add(target);
      const existing = this.node.state.indices.get(target);
      if (existing && !existing.closed)
        throw new OpenSearchError(
          500,
          'snapshot_restore_exception',
          `${where} cannot restore index [${target}] because an open index with same name already exists in the cluster. Either close or delete the existing index or restore the index under a different name by providing a rename pattern and replacement name`,
        );
    }
    const store = this.store(repo);
    const loaded: Array<{ meta: StoredIndex; docs: StoredDoc[]; target: string }> = [];
    for (const { source, target } of targets) {
      const dir = `indices/${snapshot.uuid}/${encodeURIComponent(source)}`;
      const meta = await store.get(`${dir}/meta.json`);
      const docs = await store.get(`${dir}/docs.ndjson.gz`);
      if (!meta || !docs)
        throw new OpenSearchError(
          500,
          'snapshot_restore_exception',
          `${where} index [${source}] data is missing from the repository`,
        );
      const text = gunzipSync(docs).toString('utf8');
      loaded.push({
        meta: JSON.parse(meta.toString('utf8')) as StoredIndex,
        docs: text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as StoredDoc),
        target,
      });
    }
    let global: GlobalState | undefined;
    const globalData = await store.get(`meta-${snapshot.uuid}.json`);
    if (globalData) global = JSON.parse(globalData.toString('utf8')) as GlobalState;
    // Everything read: apply in one synchronous go, so no request sees half a restore.
    for (const { target } of loaded) {
      const existing = this.node.state.indices.get(target);
      if (existing && !existing.closed)
        throw new OpenSearchError(
          500,
          'snapshot_restore_exception',
          `${where} cannot restore index [${target}] because an open index with same name already exists in the cluster.`,
        );
    }
    const overrides = flattenSettings(request.index_settings ?? {});
    const ignored = list(request.ignore_index_settings).map((k) =>
      k.startsWith('index.') ? k : `index.${k}`,
    );
    let shards = 0;
    for (const { meta, docs, target } of loaded) {
      if (this.node.state.indices.has(target)) this.node.commit({ t: 'index.delete', name: target });
      const uuid = newUuid();
      let settings = mergeSettings(meta.settings, overrides);
      for (const key of ignored) delete settings[key];
      settings = mergeSettings(settings, { 'index.uuid': uuid, 'index.provided_name': target });
      const aliases: Record<string, AliasMeta> = {};
      if (includeAliases && !meta.dataStream) {
        for (const [alias, aliasMeta] of Object.entries(meta.aliases)) {
          if (!this.node.state.indices.has(alias))
            Object.defineProperty(aliases, alias, {
              value: aliasMeta,
              enumerable: true,
              writable: true,
              configurable: true,
            });
        }
      }
      const keepStream = meta.dataStream !== undefined && target === meta.name;
      this.node.commit({
        t: 'index.create',
        name: target,
        uuid,
        creationDate: meta.creationDate,
        settings,
        mappings: meta.mappings,
        aliases,
        ...(keepStream && meta.dataStream ? { dataStream: meta.dataStream } : {}),
      });
      for (const d of docs) {
        this.node.commit({
          t: 'doc.put',
          index: target,
          id: d.id,
          source: d.source,
          seqNo: d.seqNo,
          version: d.version,
        });
      }
      const index = this.node.state.indices.get(target);
      if (index) this.node.state.refresh(index);
      shards++;
    }
    // Data streams come back with their restored backing indices.
    for (const stream of global?.dataStreams ?? []) {
      const restored = loaded
        .filter((l) => l.meta.dataStream === stream.name && l.target === l.meta.name)
        .map((l) => l.target);
      if (restored.length === 0) continue;
      const current = this.node.state.dataStreams.get(stream.name);
      const indices = [...new Set([...(current?.indices ?? []), ...restored])].sort();
      const generation = Math.max(stream.generation, current?.generation ?? 0);
      this.node.commit({ t: 'datastream.put', stream: { ...stream, indices, generation } });
    }
    if (includeGlobalState && global) {
      for (const [n, t] of global.components) this.node.commit({ t: 'component.put', name: n, template: t });
      for (const [n, t] of global.templates) this.node.commit({ t: 'template.put', name: n, template: t });
    }
    this.node.flush();
    return {
      snapshot: name,
      indices: loaded.map((l) => l.target),
      shards: { total: shards, failed: 0, successful: shards },
    };
  }

  /** Background restore for `wait_for_completion=false`. */
  restoreInBackground(repo: string, name: string, body: unknown): Promise<Record<string, unknown>> {
    return this.track(this.restore(repo, name, body));
  }

  describe(s: SnapshotRecord, human: boolean): Record<string, unknown> {
    const done = s.state !== 'IN_PROGRESS';
    const failed = s.failures.filter((f) => f.index !== '').length;
    const total = s.indices.length + failed;
    const out: Record<string, unknown> = {
      snapshot: s.name,
      uuid: s.uuid,
      version_id: VERSION_ID,
      version: VERSION,
      remote_store_index_shallow_copy: false,
      indices: s.indices,
      data_streams: s.dataStreams,
      include_global_state: s.includeGlobalState,
    };
    if (s.metadata) out.metadata = s.metadata;
    out.state = s.state;
    out.start_time = new Date(s.startTime).toISOString();
    out.start_time_in_millis = s.startTime;
    if (done) {
      out.end_time = new Date(s.endTime).toISOString();
      out.end_time_in_millis = s.endTime;
      out.duration_in_millis = s.endTime - s.startTime;
      if (human) out.duration = `${s.endTime - s.startTime}ms`;
    } else {
      out.end_time_in_millis = 0;
      out.duration_in_millis = 0;
    }
    out.failures = s.failures;
    out.shards = done
      ? { total, failed, successful: total - failed }
      : { total: 0, failed: 0, successful: 0 };
    return out;
  }

  status(s: SnapshotRecord): Record<string, unknown> {
    const done = s.state !== 'IN_PROGRESS';
    const perIndexFiles = s.indices.length === 0 ? 0 : 2;
    const perIndexSize = s.indices.length === 0 ? 0 : Math.round(s.sizeBytes / Math.max(1, s.indices.length));
    const time = done ? s.endTime - s.startTime : 0;
    const shardsStats = (n: number) => ({
      initializing: 0,
      started: done ? 0 : n,
      finalizing: 0,
      done: done ? n : 0,
      failed: 0,
      total: n,
    });
    const stats = (files: number, size: number) => ({
      incremental: { file_count: files, size_in_bytes: size },
      total: { file_count: files, size_in_bytes: size },
      start_time_in_millis: s.startTime,
      time_in_millis: time,
    });
    const indices: Record<string, unknown> = {};
    for (const name of s.indices) {
      indices[name] = {
        shards_stats: shardsStats(1),
        stats: stats(perIndexFiles, perIndexSize),
        shards: { '0': { stage: done ? 'DONE' : 'STARTED', stats: stats(perIndexFiles, perIndexSize) } },
      };
    }
    return {
      snapshot: s.name,
      repository: s.repository,
      uuid: s.uuid,
      state: s.state === 'IN_PROGRESS' ? 'STARTED' : s.state,
      include_global_state: s.includeGlobalState,
      shards_stats: shardsStats(s.indices.length),
      stats: stats(s.fileCount, s.sizeBytes),
      indices,
    };
  }
}

/** A JSON file of the repository; a corrupt one is a repository error naming the file. */
function parseBlob<T>(store: BlobStore, key: string, data: Buffer): T {
  try {
    return JSON.parse(data.toString('utf8')) as T;
  } catch (error) {
    throw new OpenSearchError(
      500,
      'repository_exception',
      `[${store.where}] could not read [${key}] (${data.length} bytes): ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/** Repository settings as OpenSearch answers them: nested objects of strings. */
function nestRepositorySettings(flat: Record<string, string>): Record<string, unknown> {
  const prefixed = nestSettings(Object.fromEntries(Object.entries(flat).map(([k, v]) => [`r.${k}`, v])));
  return (prefixed.r as Record<string, unknown> | undefined) ?? {};
}
