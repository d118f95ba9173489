// The snapshot catalog in S3: one JSON entry per snapshot and, per service and day, the names of
// the snapshots holding that day's logs, so a restore reads a few small objects instead of listing
// the repository. Pure: entries and keys are built here, the S3 adapter reads and writes them.

import { DAY_MS, startOfUtcDay, utcDay } from './duration.ts';
import type { SnapshotInfo } from './types.ts';

/** Facts about one index gathered before it is deleted (count, stats and a min/max aggregation). */
export interface IndexStats {
  docs: number;
  sizeBytes: number;
  /** Min and max `@timestamp`, epoch ms; null for an empty index. */
  timestampMin: number | null;
  timestampMax: number | null;
}

export interface CatalogIndex {
  index: string;
  /** `service.name` of the owning service; null when the index is not one of ours. */
  service: string | null;
  docs: number | null;
  sizeBytes: number | null;
  /** ISO-8601 UTC, or null when unknown. */
  timestampMin: string | null;
  timestampMax: string | null;
}

export interface CatalogEntry {
  snapshot: string;
  repository: string;
  uuid: string | null;
  state: string;
  indices: CatalogIndex[];
  startTime: string;
  endTime: string | null;
  durationMs: number | null;
  /** Sum of the known index sizes. */
  sizeBytes: number;
  shards: { total: number; failed: number; successful: number };
}

/** Days beyond this many per index are not indexed: one stray 1970 timestamp must not write 20,000 keys. */
export const MAX_DAYS_PER_INDEX = 400;

function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

export function buildCatalogEntry(
  info: SnapshotInfo,
  repository: string,
  stats: Readonly<Record<string, IndexStats>>,
  serviceOf: (index: string) => string | null,
): CatalogEntry {
  const indices = [...info.indices].sort().map((index): CatalogIndex => {
    const s = Object.hasOwn(stats, index) ? stats[index] : undefined;
    return {
      index,
      service: serviceOf(index),
      docs: s?.docs ?? null,
      sizeBytes: s?.sizeBytes ?? null,
      timestampMin: iso(s?.timestampMin),
      timestampMax: iso(s?.timestampMax),
    };
  });
  return {
    snapshot: info.snapshot,
    repository,
    uuid: info.uuid ?? null,
    state: info.state,
    indices,
    startTime: new Date(info.start_time_in_millis).toISOString(),
    endTime: iso(info.end_time_in_millis),
    durationMs: info.duration_in_millis ?? null,
    sizeBytes: indices.reduce((sum, i) => sum + (i.sizeBytes ?? 0), 0),
    shards: { ...info.shards },
  };
}

export function catalogEntryKey(prefix: string, snapshot: string): string {
  return `${prefix}/snapshots/${snapshot}.json`;
}

export function dayIndexKey(prefix: string, service: string, day: string): string {
  return `${prefix}/by-service/${service}/${day}.json`;
}

/** UTC days (`yyyy-MM-dd`) from `from` to `to` inclusive, at most `maxDays` ending at `to`. */
export function daysBetween(from: number, to: number, maxDays = Number.POSITIVE_INFINITY): string[] {
  if (to < from) return [];
  const last = startOfUtcDay(to);
  const first = Math.max(startOfUtcDay(from), last - (maxDays - 1) * DAY_MS);
  const days: string[] = [];
  for (let day = first; day <= last; day += DAY_MS) days.push(utcDay(day));
  return days;
}

/** The day-index keys an entry belongs under: each service and UTC day its indices' timestamps span. */
export function dayIndexKeysForEntry(prefix: string, entry: CatalogEntry): string[] {
  const keys = new Set<string>();
  for (const index of entry.indices) {
    if (index.service === null || index.timestampMin === null || index.timestampMax === null) continue;
    const from = Date.parse(index.timestampMin);
    const to = Date.parse(index.timestampMax);
    for (const day of daysBetween(from, to, MAX_DAYS_PER_INDEX))
      keys.add(dayIndexKey(prefix, index.service, day));
  }
  return [...keys].sort();
}

/** Content of one day-index object. */
export interface DayIndex {
  snapshots: string[];
}

function readDayIndex(existing: unknown): string[] {
  if (typeof existing !== 'object' || existing === null) return [];
  const list = (existing as { snapshots?: unknown }).snapshots;
  return Array.isArray(list) ? list.filter((s): s is string => typeof s === 'string') : [];
}

/** Adds a snapshot to a day index (idempotent, sorted): a rerun rewrites the same object. */
export function addToDayIndex(existing: unknown, snapshot: string): DayIndex {
  return { snapshots: [...new Set([...readDayIndex(existing), snapshot])].sort() };
}

export function removeFromDayIndex(existing: unknown, snapshot: string): DayIndex {
  return { snapshots: readDayIndex(existing).filter((s) => s !== snapshot) };
}

/** Keys to read to answer "which snapshots hold service S between from and to". */
export function dayKeysForRange(prefix: string, service: string, from: number, to: number): string[] {
  return daysBetween(from, to).map((day) => dayIndexKey(prefix, service, day));
}

export interface Coverage {
  entry: CatalogEntry;
  /** The entry's indices of the service whose timestamps overlap the range. */
  indices: CatalogIndex[];
}

/** Indices whose time span is unknown are included: missing one would make a restore silently incomplete. */
function overlaps(index: CatalogIndex, from: number, to: number): boolean {
  if (index.timestampMin === null || index.timestampMax === null) return true;
  return Date.parse(index.timestampMin) <= to && Date.parse(index.timestampMax) >= from;
}

/** The successful snapshots (from catalog entries) that hold logs of `service` between `from` and `to`. */
export function snapshotsCovering(
  entries: readonly CatalogEntry[],
  service: string,
  from: number,
  to: number,
): Coverage[] {
  const out: Coverage[] = [];
  for (const entry of entries) {
    if (entry.state !== 'SUCCESS') continue;
    const indices = entry.indices.filter((i) => i.service === service && overlaps(i, from, to));
    if (indices.length > 0) out.push({ entry, indices });
  }
  return out.sort(
    (a, b) =>
      a.entry.startTime.localeCompare(b.entry.startTime) || a.entry.snapshot.localeCompare(b.entry.snapshot),
  );
}
