// Turns the cluster's raw answers (settings, aliases, ISM explain, data streams, policies, snapshots)
// into the lifecycle core's ActualState pieces. Pure, so each rule is a table test.

import type { IndexInfo, SnapshotInfo, VersionedPolicy } from '../core/lifecycle/types.ts';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value)) return Number(value);
  return null;
}

/** `GET <indices>/_settings/index.creation_date`: index → creation epoch ms (flat or nested settings). */
export function parseCreationDates(body: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!isObject(body)) return out;
  for (const [name, entry] of Object.entries(body)) {
    const settings = isObject(entry) && isObject(entry.settings) ? entry.settings : {};
    const nested = isObject(settings.index) ? settings.index.creation_date : undefined;
    const ms = toNumber(nested ?? settings['index.creation_date']);
    if (ms !== null) out.set(name, ms);
  }
  return out;
}

/** `GET <indices>/_alias`: index → its aliases with the write flag. */
export function parseAliases(body: unknown): Map<string, IndexInfo['aliases']> {
  const out = new Map<string, IndexInfo['aliases']>();
  if (!isObject(body)) return out;
  for (const [name, entry] of Object.entries(body)) {
    const aliases = isObject(entry) && isObject(entry.aliases) ? entry.aliases : {};
    out.set(
      name,
      Object.entries(aliases)
        .map(([alias, meta]) => ({
          name: alias,
          isWriteIndex: isObject(meta) && meta.is_write_index === true,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    );
  }
  return out;
}

export interface ExplainedIndex {
  policyId: string | null;
  policySeqNo: number | null;
  ismState: string | null;
}

/** `GET _plugins/_ism/explain/<indices>`: index → managing policy, its version and the ISM state. */
export function parseExplain(body: unknown): Map<string, ExplainedIndex> {
  const out = new Map<string, ExplainedIndex>();
  if (!isObject(body)) return out;
  for (const [name, entry] of Object.entries(body)) {
    if (name === 'total_managed_indices' || !isObject(entry)) continue;
    const id =
      entry['index.plugins.index_state_management.policy_id'] ??
      entry['index.opendistro.index_state_management.policy_id'] ??
      entry.policy_id;
    out.set(name, {
      policyId: typeof id === 'string' && id.length > 0 ? id : null,
      policySeqNo: toNumber(entry.policy_seq_no),
      ismState: isObject(entry.state) && typeof entry.state.name === 'string' ? entry.state.name : null,
    });
  }
  return out;
}

/** `GET _data_stream`: stream name → its backing indices, oldest generation first. */
export function parseDataStreams(body: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const list = isObject(body) && Array.isArray(body.data_streams) ? body.data_streams : [];
  for (const stream of list) {
    if (!isObject(stream) || typeof stream.name !== 'string') continue;
    const indices = Array.isArray(stream.indices) ? stream.indices : [];
    out.set(
      stream.name,
      indices
        .map((i) => (isObject(i) && typeof i.index_name === 'string' ? i.index_name : null))
        .filter((i): i is string => i !== null),
    );
  }
  return out;
}

const GENERATION_RE = /^(.*)-(\d+)$/;

/**
 * When each index stopped taking writes. Rollover creates the next generation and moves the write
 * alias (or the data stream's write index) to it in one step, so an index's writes ended when its
 * successor was created. The write index, and an index with no successor, get null: their end is
 * unknown, and an unknown end never lets a snapshot count or an index be deleted.
 */
export function writesEndedAt(
  indices: ReadonlyArray<Pick<IndexInfo, 'name' | 'createdAt' | 'aliases' | 'dataStream'>>,
  dataStreams: ReadonlyMap<string, readonly string[]>,
): Map<string, number | null> {
  const created = new Map(indices.map((i) => [i.name, i.createdAt]));
  const out = new Map<string, number | null>();
  const series = new Map<string, Array<{ name: string; generation: number; isWrite: boolean }>>();
  for (const index of indices) {
    out.set(index.name, null);
    const match = GENERATION_RE.exec(index.name);
    if (index.dataStream !== null || !match) continue;
    const key = match[1] as string;
    const list = series.get(key) ?? [];
    list.push({
      name: index.name,
      generation: Number(match[2]),
      isWrite: index.aliases.some((a) => a.isWriteIndex),
    });
    series.set(key, list);
  }
  for (const list of series.values()) {
    list.sort((a, b) => a.generation - b.generation);
    list.forEach((member, i) => {
      const next = list[i + 1];
      if (member.isWrite || next === undefined) return;
      out.set(member.name, created.get(next.name) ?? null);
    });
  }
  for (const backing of dataStreams.values()) {
    // The last backing index is the stream's write index.
    backing.forEach((name, i) => {
      const next = backing[i + 1];
      const nextCreated = next === undefined ? undefined : created.get(next);
      if (out.has(name)) out.set(name, nextCreated ?? null);
    });
  }
  return out;
}

/** Joins the per-index answers into IndexInfo, sorted by name. */
export function buildIndexInfos(parts: {
  creationDates: ReadonlyMap<string, number>;
  aliases: ReadonlyMap<string, IndexInfo['aliases']>;
  explain: ReadonlyMap<string, ExplainedIndex>;
  dataStreams: ReadonlyMap<string, readonly string[]>;
}): IndexInfo[] {
  const streamOf = new Map<string, string>();
  for (const [stream, backing] of parts.dataStreams) for (const index of backing) streamOf.set(index, stream);
  const base = [...parts.creationDates.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, createdAt]) => ({
      name,
      createdAt,
      aliases: parts.aliases.get(name) ?? [],
      dataStream: streamOf.get(name) ?? null,
    }));
  const ended = writesEndedAt(base, parts.dataStreams);
  return base.map((index) => {
    const explained = parts.explain.get(index.name);
    return {
      ...index,
      policyId: explained?.policyId ?? null,
      policySeqNo: explained?.policySeqNo ?? null,
      ismState: explained?.ismState ?? null,
      writesEndedAt: ended.get(index.name) ?? null,
    };
  });
}

/** `GET _plugins/_ism/policies`: id → policy with its concurrency tokens. */
export function parsePolicies(body: unknown): Record<string, VersionedPolicy> {
  const out: Record<string, VersionedPolicy> = {};
  const list = isObject(body) && Array.isArray(body.policies) ? body.policies : [];
  for (const item of list) {
    if (!isObject(item) || typeof item._id !== 'string' || !isObject(item.policy)) continue;
    out[item._id] = {
      policy: item.policy,
      seqNo: toNumber(item._seq_no) ?? 0,
      primaryTerm: toNumber(item._primary_term) ?? 0,
    };
  }
  return out;
}

/** `GET _plugins/_ism/policies/<id>` or `GET _plugins/_sm/policies/<name>`: one versioned policy. */
export function parseVersionedPolicy(body: unknown, key: 'policy' | 'sm_policy'): VersionedPolicy | null {
  if (!isObject(body) || !isObject(body[key])) return null;
  return {
    policy: body[key] as Json,
    seqNo: toNumber(body._seq_no) ?? 0,
    primaryTerm: toNumber(body._primary_term) ?? 0,
  };
}

/** `GET _component_template` / `GET _index_template`: name → body. */
export function parseTemplates(
  body: unknown,
  listKey: 'component_templates' | 'index_templates',
  itemKey: 'component_template' | 'index_template',
): Record<string, Json> {
  const out: Record<string, Json> = {};
  const list = isObject(body) && Array.isArray(body[listKey]) ? (body[listKey] as unknown[]) : [];
  for (const item of list) {
    if (isObject(item) && typeof item.name === 'string' && isObject(item[itemKey])) {
      out[item.name] = item[itemKey] as Json;
    }
  }
  return out;
}

/** `GET _snapshot`: repository name → `{type, settings}`. */
export function parseRepositories(body: unknown): Record<string, { type: string; settings: Json }> {
  const out: Record<string, { type: string; settings: Json }> = {};
  if (!isObject(body)) return out;
  for (const [name, repo] of Object.entries(body)) {
    if (!isObject(repo) || typeof repo.type !== 'string') continue;
    out[name] = { type: repo.type, settings: isObject(repo.settings) ? repo.settings : {} };
  }
  return out;
}

/** `GET _snapshot/<repository>/_all` (or one snapshot): the fields the core reads, checked. */
export function parseSnapshots(body: unknown): SnapshotInfo[] {
  const list = isObject(body) && Array.isArray(body.snapshots) ? body.snapshots : [];
  const out: SnapshotInfo[] = [];
  for (const s of list) {
    if (!isObject(s) || typeof s.snapshot !== 'string' || typeof s.state !== 'string') continue;
    const shards = isObject(s.shards) ? s.shards : {};
    const info: SnapshotInfo = {
      snapshot: s.snapshot,
      indices: Array.isArray(s.indices) ? s.indices.filter((i): i is string => typeof i === 'string') : [],
      state: s.state,
      start_time_in_millis: toNumber(s.start_time_in_millis) ?? 0,
      shards: {
        total: toNumber(shards.total) ?? 0,
        failed: toNumber(shards.failed) ?? 0,
        successful: toNumber(shards.successful) ?? 0,
      },
    };
    if (typeof s.uuid === 'string') info.uuid = s.uuid;
    if (Array.isArray(s.data_streams)) info.data_streams = s.data_streams as string[];
    if (typeof s.include_global_state === 'boolean') info.include_global_state = s.include_global_state;
    const end = toNumber(s.end_time_in_millis);
    if (end !== null && end > 0) info.end_time_in_millis = end;
    const duration = toNumber(s.duration_in_millis);
    if (duration !== null) info.duration_in_millis = duration;
    if (Array.isArray(s.failures)) info.failures = s.failures;
    out.push(info);
  }
  return out.sort(
    (a, b) => a.start_time_in_millis - b.start_time_in_millis || a.snapshot.localeCompare(b.snapshot),
  );
}
