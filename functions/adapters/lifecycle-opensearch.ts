// The lifecycle function's calls to OpenSearch, as documented in the API spec: reads of the actual
// state (templates, policies with their concurrency tokens, repository, indices with ISM explain,
// snapshots) and the writes the executor makes. Responses are parsed in lifecycle-actual.ts.

import type { Client } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import type { IndexStats } from '../core/lifecycle/catalog.ts';
import type { LifecycleConfig } from '../core/lifecycle/config.ts';
import { TargetKinds } from '../core/lifecycle/config.ts';
import type { Json } from '../core/lifecycle/desired.ts';
import type { ActualState, SnapshotInfo, VersionedPolicy } from '../core/lifecycle/types.ts';
import { AdapterError } from './errors.ts';
import {
  buildIndexInfos,
  type ExplainedIndex,
  parseAliases,
  parseCreationDates,
  parseDataStreams,
  parseExplain,
  parsePolicies,
  parseRepositories,
  parseSnapshots,
  parseTemplates,
  parseVersionedPolicy,
} from './lifecycle-actual.ts';

/** A refused or failed OpenSearch call, with the status and the server's error type when it gave one. */
export class LifecycleRequestError extends AdapterError {
  readonly statusCode: number | null;
  readonly errorType: string | null;

  constructor(
    message: string,
    details: { statusCode: number | null; errorType: string | null },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LifecycleRequestError';
    this.statusCode = details.statusCode;
    this.errorType = details.errorType;
  }
}

export interface ConcurrencyTokens {
  ifSeqNo: number;
  ifPrimaryTerm: number;
}

/** Everything the cluster reports that the plan compares with (the catalog side is read from S3). */
export type ClusterState = Omit<ActualState, 'catalogued'>;

export interface LifecycleCluster {
  readActual(config: LifecycleConfig, smPolicyName: string | null): Promise<ClusterState>;
  putRepository(name: string, body: Json): Promise<void>;
  putComponentTemplate(name: string, body: Json): Promise<void>;
  putIndexTemplate(name: string, body: Json): Promise<void>;
  putPolicy(policyId: string, body: Json, tokens?: ConcurrencyTokens): Promise<void>;
  putSmPolicy(name: string, body: Json, tokens?: ConcurrencyTokens): Promise<void>;
  bootstrapAlias(index: string, alias: string): Promise<void>;
  createDataStream(name: string): Promise<void>;
  /** Returns the indices ISM refused, with its reason. */
  addPolicy(policyId: string, indices: string[]): Promise<Array<{ index: string; reason: string }>>;
  changePolicy(policyId: string, indices: string[]): Promise<Array<{ index: string; reason: string }>>;
  /** With `wait`, the finished snapshot; without, null (the next run reads its state). */
  createSnapshot(
    repository: string,
    snapshot: string,
    indices: string[],
    options: { wait: boolean; metadata?: Json },
  ): Promise<SnapshotInfo | null>;
  getSnapshot(repository: string, snapshot: string): Promise<SnapshotInfo | null>;
  listSnapshots(repository: string): Promise<SnapshotInfo[]>;
  deleteSnapshot(repository: string, snapshot: string): Promise<void>;
  deleteIndex(index: string): Promise<void>;
  /** Document count, primary store size and `@timestamp` min/max of each index. */
  indexStats(indices: string[]): Promise<Record<string, IndexStats>>;
  /** Names of the indices matching a pattern (none is not an error). */
  listIndices(pattern: string): Promise<string[]>;
  restore(repository: string, snapshot: string, body: Json, options: { wait: boolean }): Promise<Json>;
  /** Refreshes, then counts the documents of each index. */
  countDocs(indices: string[]): Promise<Record<string, number>>;
}

type Method = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';

interface CallOptions {
  query?: Record<string, string | number | boolean>;
  body?: unknown;
  /** Answer `undefined` instead of throwing on 404. */
  allow404?: boolean;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeError(body: unknown): { type: string | null; reason: string } {
  const error = isObject(body) ? body.error : undefined;
  if (isObject(error)) {
    const type = typeof error.type === 'string' ? error.type : null;
    const reason = typeof error.reason === 'string' ? error.reason : JSON.stringify(error);
    return { type, reason };
  }
  return { type: null, reason: typeof error === 'string' ? error : JSON.stringify(body) };
}

// Long index lists go in the URL; a few dozen names per request keeps it well under the 4 KB line limit.
const NAMES_PER_REQUEST = 40;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function indexPatternsOf(config: LifecycleConfig): string[] {
  const patterns = new Set<string>();
  for (const s of config.services) {
    // The bare name finds an index auto-created where the alias should be (a conflict the plan reports).
    patterns.add(s.target);
    patterns.add(s.kind === TargetKinds.dataStream ? `.ds-${s.target}-*` : `${s.target}-*`);
  }
  return [...patterns].sort();
}

function failedIndices(body: unknown): Array<{ index: string; reason: string }> {
  const list = isObject(body) && Array.isArray(body.failed_indices) ? body.failed_indices : [];
  return list.filter(isObject).map((f) => ({
    index: String(f.index_name ?? f.index ?? ''),
    reason: String(f.reason ?? 'unknown'),
  }));
}

export function createLifecycleCluster(client: Client): LifecycleCluster {
  async function call(method: Method, path: string, options: CallOptions = {}): Promise<unknown> {
    try {
      const res = await client.transport.request({
        method,
        path,
        querystring: options.query ?? {},
        ...(options.body === undefined ? {} : { body: options.body as Json }),
      });
      return res.body;
    } catch (error) {
      if (error instanceof errors.ResponseError) {
        const statusCode = error.meta.statusCode ?? null;
        if (statusCode === 404 && options.allow404) return undefined;
        const { type, reason } = describeError(error.meta.body);
        throw new LifecycleRequestError(
          `${method} ${path} failed with ${statusCode ?? 'no status'}${type ? ` ${type}` : ''}: ${reason}`,
          { statusCode, errorType: type },
          { cause: error },
        );
      }
      throw new LifecycleRequestError(
        `${method} ${path} failed: ${(error as Error).message}`,
        { statusCode: null, errorType: null },
        { cause: error },
      );
    }
  }

  const enc = encodeURIComponent;
  const list = (names: readonly string[]) => names.map(enc).join(',');

  async function readIndices(config: LifecycleConfig, dataStreams: Map<string, string[]>) {
    const wide = { expand_wildcards: 'all', ignore_unavailable: true, allow_no_indices: true };
    const settings = await call('GET', `/${list(indexPatternsOf(config))}/_settings/index.creation_date`, {
      query: wide,
      allow404: true,
    });
    const creationDates = parseCreationDates(settings);
    const names = [...creationDates.keys()].sort();
    const aliases = new Map<string, Array<{ name: string; isWriteIndex: boolean }>>();
    const explain = new Map<string, ExplainedIndex>();
    for (const part of chunks(names, NAMES_PER_REQUEST)) {
      const [aliasBody, explainBody] = await Promise.all([
        call('GET', `/${list(part)}/_alias`, { query: wide, allow404: true }),
        call('GET', `/_plugins/_ism/explain/${list(part)}`, { allow404: true }),
      ]);
      for (const [k, v] of parseAliases(aliasBody)) aliases.set(k, v);
      for (const [k, v] of parseExplain(explainBody)) explain.set(k, v);
    }
    return buildIndexInfos({ creationDates, aliases, explain, dataStreams });
  }

  async function readVersioned(path: string, key: 'policy' | 'sm_policy'): Promise<VersionedPolicy | null> {
    return parseVersionedPolicy(await call('GET', path, { allow404: true }), key);
  }

  const cluster: LifecycleCluster = {
    async readActual(config, smPolicyName) {
      const repository = config.repository.name;
      const [components, templates, policies, repositories, streams, snapshots, sm] = await Promise.all([
        call('GET', '/_component_template', { allow404: true }),
        call('GET', '/_index_template', { allow404: true }),
        call('GET', '/_plugins/_ism/policies', { query: { size: 1000 }, allow404: true }),
        call('GET', '/_snapshot', { allow404: true }),
        call('GET', '/_data_stream', { allow404: true }),
        cluster.listSnapshots(repository),
        smPolicyName === null
          ? Promise.resolve(null)
          : readVersioned(`/_plugins/_sm/policies/${enc(smPolicyName)}`, 'sm_policy'),
      ]);
      const dataStreams = parseDataStreams(streams);
      return {
        componentTemplates: parseTemplates(components, 'component_templates', 'component_template'),
        indexTemplates: parseTemplates(templates, 'index_templates', 'index_template'),
        policies: parsePolicies(policies),
        repositories: parseRepositories(repositories),
        smPolicies: smPolicyName !== null && sm !== null ? { [smPolicyName]: sm } : {},
        dataStreams: [...dataStreams.keys()].sort(),
        indices: await readIndices(config, dataStreams),
        snapshots,
      };
    },

    async putRepository(name, body) {
      await call('PUT', `/_snapshot/${enc(name)}`, { body });
    },
    async putComponentTemplate(name, body) {
      await call('PUT', `/_component_template/${enc(name)}`, { body });
    },
    async putIndexTemplate(name, body) {
      await call('PUT', `/_index_template/${enc(name)}`, { body });
    },
    async putPolicy(policyId, body, tokens) {
      await call('PUT', `/_plugins/_ism/policies/${enc(policyId)}`, {
        body,
        ...(tokens ? { query: { if_seq_no: tokens.ifSeqNo, if_primary_term: tokens.ifPrimaryTerm } } : {}),
      });
    },
    async putSmPolicy(name, body, tokens) {
      // SM creates with POST and updates with PUT (which requires the tokens).
      await call(tokens ? 'PUT' : 'POST', `/_plugins/_sm/policies/${enc(name)}`, {
        body,
        ...(tokens ? { query: { if_seq_no: tokens.ifSeqNo, if_primary_term: tokens.ifPrimaryTerm } } : {}),
      });
    },
    async bootstrapAlias(index, alias) {
      await call('PUT', `/${enc(index)}`, { body: { aliases: { [alias]: { is_write_index: true } } } });
    },
    async createDataStream(name) {
      await call('PUT', `/_data_stream/${enc(name)}`);
    },
    async addPolicy(policyId, indices) {
      return failedIndices(
        await call('POST', `/_plugins/_ism/add/${list(indices)}`, { body: { policy_id: policyId } }),
      );
    },
    async changePolicy(policyId, indices) {
      return failedIndices(
        await call('POST', `/_plugins/_ism/change_policy/${list(indices)}`, {
          body: { policy_id: policyId },
        }),
      );
    },
    async createSnapshot(repository, snapshot, indices, options) {
      const body = await call('PUT', `/_snapshot/${enc(repository)}/${enc(snapshot)}`, {
        query: { wait_for_completion: options.wait },
        body: {
          indices: indices.join(','),
          ignore_unavailable: false,
          include_global_state: false,
          partial: false,
          ...(options.metadata ? { metadata: options.metadata } : {}),
        },
      });
      if (!options.wait || !isObject(body) || !isObject(body.snapshot)) return null;
      return parseSnapshots({ snapshots: [body.snapshot] })[0] ?? null;
    },
    async getSnapshot(repository, snapshot) {
      const body = await call('GET', `/_snapshot/${enc(repository)}/${enc(snapshot)}`, { allow404: true });
      return parseSnapshots(body)[0] ?? null;
    },
    async listSnapshots(repository) {
      return parseSnapshots(await call('GET', `/_snapshot/${enc(repository)}/_all`, { allow404: true }));
    },
    async deleteSnapshot(repository, snapshot) {
      await call('DELETE', `/_snapshot/${enc(repository)}/${enc(snapshot)}`, { allow404: true });
    },
    async deleteIndex(index) {
      await call('DELETE', `/${enc(index)}`, { allow404: true });
    },
    async indexStats(indices) {
      const out: Record<string, IndexStats> = {};
      if (indices.length === 0) return out;
      const stats = await call('GET', `/${list(indices)}/_stats/store`);
      const byIndex = isObject(stats) && isObject(stats.indices) ? stats.indices : {};
      for (const index of indices) {
        const search = await call('POST', `/${enc(index)}/_search`, {
          body: {
            size: 0,
            track_total_hits: true,
            aggs: { ts_min: { min: { field: '@timestamp' } }, ts_max: { max: { field: '@timestamp' } } },
          },
        });
        const hits = isObject(search) && isObject(search.hits) ? search.hits : {};
        const total = isObject(hits.total) ? Number(hits.total.value) : Number(hits.total ?? 0);
        const aggs = isObject(search) && isObject(search.aggregations) ? search.aggregations : {};
        const value = (name: string): number | null => {
          const agg = aggs[name];
          return isObject(agg) && typeof agg.value === 'number' ? agg.value : null;
        };
        const entry = byIndex[index];
        const primaries = isObject(entry) && isObject(entry.primaries) ? entry.primaries : {};
        const store = isObject(primaries.store) ? primaries.store : {};
        out[index] = {
          docs: Number.isFinite(total) ? total : 0,
          sizeBytes: Number(store.size_in_bytes ?? 0),
          timestampMin: value('ts_min'),
          timestampMax: value('ts_max'),
        };
      }
      return out;
    },
    async listIndices(pattern) {
      const body = await call('GET', `/${enc(pattern)}/_settings/index.creation_date`, {
        query: { expand_wildcards: 'all', ignore_unavailable: true, allow_no_indices: true },
        allow404: true,
      });
      return [...parseCreationDates(body).keys()].sort();
    },
    async restore(repository, snapshot, body, options) {
      const answer = await call('POST', `/_snapshot/${enc(repository)}/${enc(snapshot)}/_restore`, {
        query: { wait_for_completion: options.wait },
        body,
      });
      return isObject(answer) ? answer : {};
    },
    async countDocs(indices) {
      const out: Record<string, number> = {};
      if (indices.length === 0) return out;
      await call('POST', `/${list(indices)}/_refresh`);
      for (const index of indices) {
        const body = await call('GET', `/${enc(index)}/_count`);
        out[index] = isObject(body) ? Number(body.count ?? 0) : 0;
      }
      return out;
    },
  };
  return cluster;
}
