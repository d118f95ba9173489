// Snapshot retention: delete snapshots older than `max_age`, always keeping the newest `min_count`
// successful ones, and never the last verified copy of an index whose data is still inside its
// service's retention window. Deleted snapshots take their catalog entries with them.

import type { CatalogEntry } from './catalog.ts';
import { catalogEntryKey, dayIndexKeysForEntry } from './catalog.ts';
import { DAY_MS } from './duration.ts';
import { verifySnapshot } from './snapshot.ts';
import type { SnapshotInfo } from './types.ts';
import { SnapshotStates } from './types.ts';

export interface RetentionInput {
  /** The snapshots this project owns in the repository (SM-managed ones are SM's to delete). */
  snapshots: readonly SnapshotInfo[];
  /** Catalog entries by snapshot name; a snapshot may lack one. */
  entries: Readonly<Record<string, CatalogEntry>>;
  maxAgeMs: number;
  minCount: number;
  now: number;
  /** Retention days of a service; `null` for an index of unknown service (pass the longest). */
  retentionDaysOf: (service: string | null) => number;
  catalogPrefix: string;
}

export const KeepReasons = {
  minCount: 'min_count',
  young: 'within_max_age',
  onlyCopy: 'only_copy',
  inProgress: 'in_progress',
} as const;
export type KeepReason = (typeof KeepReasons)[keyof typeof KeepReasons];

export interface RetentionPlan {
  deleteSnapshots: Array<{ snapshot: string; reason: string }>;
  keep: Array<{ snapshot: string; reason: KeepReason; detail?: string }>;
  catalog: {
    /** Catalog entry objects to delete. */
    deleteKeys: string[];
    /** Day-index objects from which a deleted snapshot's name is to be removed. */
    dayIndexRemovals: Array<{ key: string; snapshot: string }>;
  };
}

function newestFirst(a: SnapshotInfo, b: SnapshotInfo): number {
  return b.start_time_in_millis - a.start_time_in_millis || a.snapshot.localeCompare(b.snapshot);
}

/** Newest data timestamp of `index` held by `snapshot`; without a catalog entry, the snapshot's end bounds it. */
function dataMax(snapshot: SnapshotInfo, entry: CatalogEntry | undefined, index: string): number {
  const known = entry?.indices.find((i) => i.index === index)?.timestampMax;
  if (known) return Date.parse(known);
  return snapshot.end_time_in_millis ?? snapshot.start_time_in_millis;
}

/**
 * Indices with data inside their service's retention window, judged over every verified copy (the
 * newest data any copy holds), so that the order snapshots are looked at cannot change the answer.
 */
function indicesInsideWindow(input: RetentionInput): Set<string> {
  const newest = new Map<string, number>();
  const service = new Map<string, string>();
  for (const s of input.snapshots) {
    const entry = input.entries[s.snapshot];
    for (const index of s.indices) {
      if (!verifySnapshot(s, [index]).ok) continue;
      newest.set(index, Math.max(newest.get(index) ?? Number.NEGATIVE_INFINITY, dataMax(s, entry, index)));
      const known = entry?.indices.find((i) => i.index === index)?.service;
      if (known) service.set(index, known);
    }
  }
  const inside = new Set<string>();
  for (const [index, max] of newest) {
    if (max >= input.now - input.retentionDaysOf(service.get(index) ?? null) * DAY_MS) inside.add(index);
  }
  return inside;
}

export function planRetention(input: RetentionInput): RetentionPlan {
  const sorted = [...input.snapshots].sort(newestFirst);
  const keep: RetentionPlan['keep'] = [];
  const candidates: SnapshotInfo[] = [];
  let successful = 0;
  for (const s of sorted) {
    if (s.state === SnapshotStates.inProgress) {
      keep.push({ snapshot: s.snapshot, reason: KeepReasons.inProgress });
      continue;
    }
    if (s.state === SnapshotStates.success && successful < input.minCount) {
      successful++;
      keep.push({ snapshot: s.snapshot, reason: KeepReasons.minCount });
      continue;
    }
    if (s.state === SnapshotStates.success) successful++;
    if (input.now - s.start_time_in_millis <= input.maxAgeMs) {
      keep.push({ snapshot: s.snapshot, reason: KeepReasons.young });
      continue;
    }
    candidates.push(s);
  }

  // Oldest first, so that of two copies of the same data the newer one survives.
  const deleted = new Set<string>();
  const inside = indicesInsideWindow(input);
  const deleteSnapshots: RetentionPlan['deleteSnapshots'] = [];
  for (const s of [...candidates].reverse()) {
    const protectedIndex = s.indices.find((index) => {
      if (!inside.has(index) || !verifySnapshot(s, [index]).ok) return false;
      const otherCopy = sorted.some(
        (o) =>
          o.snapshot !== s.snapshot &&
          !deleted.has(o.snapshot) &&
          o.indices.includes(index) &&
          verifySnapshot(o, [index]).ok,
      );
      return !otherCopy;
    });
    if (protectedIndex !== undefined) {
      keep.push({ snapshot: s.snapshot, reason: KeepReasons.onlyCopy, detail: protectedIndex });
      continue;
    }
    deleted.add(s.snapshot);
    deleteSnapshots.push({
      snapshot: s.snapshot,
      reason: `older than ${Math.floor(input.maxAgeMs / DAY_MS)}d (${s.state})`,
    });
  }

  const deleteKeys: string[] = [];
  const dayIndexRemovals: RetentionPlan['catalog']['dayIndexRemovals'] = [];
  for (const { snapshot } of deleteSnapshots) {
    const entry = input.entries[snapshot];
    if (entry === undefined) continue;
    deleteKeys.push(catalogEntryKey(input.catalogPrefix, snapshot));
    for (const key of dayIndexKeysForEntry(input.catalogPrefix, entry))
      dayIndexRemovals.push({ key, snapshot });
  }
  return { deleteSnapshots, keep, catalog: { deleteKeys, dayIndexRemovals } };
}

/**
 * The snapshots retention may consider: in `function` mode, those named `<name_prefix>-…` by the
 * function; in `sm` mode none, since Snapshot Management deletes its own snapshots.
 */
export function ownedSnapshots(
  config: { snapshot: { mode: string; name_prefix: string } },
  snapshots: readonly SnapshotInfo[],
): SnapshotInfo[] {
  if (config.snapshot.mode !== 'function') return [];
  return snapshots.filter((s) => s.snapshot.startsWith(`${config.snapshot.name_prefix}-`));
}

/**
 * Catalog entries of snapshots no longer in the repository (deleted by SM or by hand): a restore
 * must not be pointed at them. Only the entry keys are returned; the day indexes are cleaned from them.
 */
export function staleCatalogEntries(
  catalogPrefix: string,
  entries: readonly CatalogEntry[],
  snapshots: readonly SnapshotInfo[],
): RetentionPlan['catalog'] {
  const present = new Set(snapshots.map((s) => s.snapshot));
  const stale = entries
    .filter((e) => !present.has(e.snapshot))
    .sort((a, b) => a.snapshot.localeCompare(b.snapshot));
  return {
    deleteKeys: stale.map((e) => catalogEntryKey(catalogPrefix, e.snapshot)),
    dayIndexRemovals: stale.flatMap((e) =>
      dayIndexKeysForEntry(catalogPrefix, e).map((key) => ({ key, snapshot: e.snapshot })),
    ),
  };
}
