// Which indices need a snapshot, what the snapshot is called, and whether a snapshot can be
// trusted to replace the index. All derived from the snapshot API's answers and the catalog:
// the function keeps no state of its own between runs.

import type { LifecycleConfig } from './config.ts';
import { SnapshotModes } from './config.ts';
import { IsmStates, serviceOfIndex } from './desired.ts';
import { parseDuration } from './duration.ts';
import type { IndexInfo, SnapshotInfo } from './types.ts';
import { SnapshotStates } from './types.ts';

export interface Verification {
  ok: boolean;
  reasons: string[];
}

/**
 * A snapshot holds `expectedIndices` completely: state SUCCESS, every expected index present, every
 * shard successful and none failed. Anything less must never justify deleting an index.
 */
export function verifySnapshot(info: SnapshotInfo, expectedIndices: readonly string[]): Verification {
  const reasons: string[] = [];
  if (info.state !== SnapshotStates.success) reasons.push(`state is ${info.state}, not SUCCESS`);
  const present = new Set(info.indices);
  const missing = expectedIndices.filter((i) => !present.has(i));
  if (missing.length > 0) reasons.push(`indices missing: ${missing.join(', ')}`);
  const { total, successful, failed } = info.shards;
  if (failed !== 0) reasons.push(`${failed} shard(s) failed`);
  if (total !== successful) reasons.push(`${successful} of ${total} shards successful`);
  if (total === 0 && expectedIndices.length > 0) reasons.push('no shards were snapshotted');
  return { ok: reasons.length === 0, reasons };
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `yyyy.MM.dd` in UTC. */
export function snapshotDay(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}.${pad(d.getUTCMonth() + 1)}.${pad(d.getUTCDate())}`;
}

/**
 * Deterministic snapshot name `<prefix>-<index>-<yyyy.MM.dd>`: a retried run on the same day names
 * the same snapshot, so it finds it instead of taking a second one. When that name is taken by a
 * snapshot that failed, the next free `-2`, `-3`, … is used (a name cannot be reused until deleted).
 */
export function snapshotName(
  prefix: string,
  index: string,
  now: number,
  taken: ReadonlySet<string> = new Set(),
): string {
  // Data stream backing indices start with `.ds-`; a leading dot reads oddly after the prefix dash.
  const base = `${prefix}-${index.replace(/^\.+/, '')}-${snapshotDay(now)}`;
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}-${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/**
 * The newest snapshot that verifies for the index and started after the index stopped taking
 * writes (an earlier one misses documents). None while the index may still be written.
 */
export function coveringSnapshot(index: IndexInfo, snapshots: readonly SnapshotInfo[]): SnapshotInfo | null {
  if (index.writesEndedAt === null) return null;
  let best: SnapshotInfo | null = null;
  for (const s of snapshots) {
    if (s.start_time_in_millis < index.writesEndedAt) continue;
    if (!verifySnapshot(s, [index.name]).ok) continue;
    if (best === null || s.start_time_in_millis > best.start_time_in_millis) best = s;
  }
  return best;
}

function isWriteIndex(index: IndexInfo): boolean {
  return index.aliases.some((a) => a.isWriteIndex);
}

export interface SnapshotRequest {
  index: string;
  service: string;
  snapshot: string;
}

/**
 * Function mode: the indices that reached cold (by ISM state or by age) and have no covering
 * snapshot, each with the name to take it under. An index with a snapshot in progress waits.
 */
export function indicesNeedingSnapshot(
  config: LifecycleConfig,
  indices: readonly IndexInfo[],
  snapshots: readonly SnapshotInfo[],
  now: number,
): SnapshotRequest[] {
  if (config.snapshot.mode !== SnapshotModes.function) return [];
  const taken = new Set(snapshots.map((s) => s.snapshot));
  const requests: SnapshotRequest[] = [];
  for (const index of [...indices].sort((a, b) => a.name.localeCompare(b.name))) {
    const service = serviceOfIndex(config, index.name, index.dataStream);
    if (service === null || index.writesEndedAt === null || isWriteIndex(index)) continue;
    const coldAfter = parseDuration(service.cold_after) ?? Number.POSITIVE_INFINITY;
    const isCold = index.ismState === IsmStates.cold || now - index.createdAt >= coldAfter;
    if (!isCold) continue;
    if (coveringSnapshot(index, snapshots) !== null) continue;
    const inProgress = snapshots.some(
      (s) => s.state === SnapshotStates.inProgress && s.indices.includes(index.name),
    );
    if (inProgress) continue;
    const snapshot = snapshotName(config.snapshot.name_prefix, index.name, now, taken);
    taken.add(snapshot);
    requests.push({ index: index.name, service: service.name, snapshot });
  }
  return requests;
}

export interface DeletableIndex {
  index: string;
  service: string;
  /** The verified, catalogued snapshot that holds the index. */
  snapshot: string;
}

/**
 * Indices older than their service's `delete_after` that a verified, catalogued snapshot holds.
 * Without both, the index stays: keeping data too long is recoverable, losing it is not.
 */
export function deletableIndices(
  config: LifecycleConfig,
  indices: readonly IndexInfo[],
  snapshots: readonly SnapshotInfo[],
  catalogued: ReadonlySet<string>,
  now: number,
): DeletableIndex[] {
  const out: DeletableIndex[] = [];
  for (const index of [...indices].sort((a, b) => a.name.localeCompare(b.name))) {
    const service = serviceOfIndex(config, index.name, index.dataStream);
    if (service === null || isWriteIndex(index)) continue;
    const deleteAfter = parseDuration(service.delete_after);
    if (deleteAfter === undefined || now - index.createdAt < deleteAfter) continue;
    const candidates = snapshots.filter((s) => catalogued.has(s.snapshot));
    const covering = coveringSnapshot(index, candidates);
    if (covering === null) continue;
    out.push({ index: index.name, service: service.name, snapshot: covering.snapshot });
  }
  return out;
}

/** Verified snapshots holding managed indices still in the cluster but not yet in the catalog. */
export function snapshotsToCatalog(
  config: LifecycleConfig,
  indices: readonly IndexInfo[],
  snapshots: readonly SnapshotInfo[],
  catalogued: ReadonlySet<string>,
): Array<{ snapshot: string; indices: string[] }> {
  const bySnapshot = new Map<string, string[]>();
  for (const index of indices) {
    if (serviceOfIndex(config, index.name, index.dataStream) === null) continue;
    const covering = coveringSnapshot(index, snapshots);
    if (covering === null || catalogued.has(covering.snapshot)) continue;
    const list = bySnapshot.get(covering.snapshot) ?? [];
    list.push(index.name);
    bySnapshot.set(covering.snapshot, list);
  }
  return [...bySnapshot.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([snapshot, names]) => ({ snapshot, indices: names.sort() }));
}
