// Reads and writes of the snapshot catalog (layout in core/lifecycle/catalog.ts). The entry object is
// written last: it is what marks a snapshot as catalogued, so a run that stops half-way leaves a
// snapshot uncatalogued (and catalogued again next run) rather than catalogued but unfindable.

import type { CatalogStore } from '../adapters/lifecycle-catalog.ts';
import type { CatalogEntry } from '../core/lifecycle/catalog.ts';
import {
  addToDayIndex,
  catalogEntryKey,
  dayIndexKeysForEntry,
  dayKeysForRange,
  removeFromDayIndex,
} from '../core/lifecycle/catalog.ts';
import type { RetentionPlan } from '../core/lifecycle/retention.ts';

function entriesPrefix(prefix: string): string {
  return `${prefix}/snapshots/`;
}

/** Names of the snapshots with a catalog entry. */
export async function listCatalogued(store: CatalogStore, prefix: string): Promise<string[]> {
  const start = entriesPrefix(prefix);
  return (await store.list(start))
    .filter((key) => key.endsWith('.json'))
    .map((key) => key.slice(start.length, -'.json'.length))
    .filter((name) => name.length > 0 && !name.includes('/'));
}

function isEntry(value: unknown): value is CatalogEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<CatalogEntry>;
  return typeof v.snapshot === 'string' && typeof v.repository === 'string' && Array.isArray(v.indices);
}

export async function readCatalogEntry(
  store: CatalogStore,
  prefix: string,
  snapshot: string,
): Promise<CatalogEntry | undefined> {
  const value = await store.read(catalogEntryKey(prefix, snapshot));
  return isEntry(value) ? value : undefined;
}

/** Entries of the given snapshots; names without a (valid) entry are left out. */
export async function readCatalogEntries(
  store: CatalogStore,
  prefix: string,
  names: readonly string[],
): Promise<Record<string, CatalogEntry>> {
  const out: Record<string, CatalogEntry> = {};
  for (const name of names) {
    const entry = await readCatalogEntry(store, prefix, name);
    if (entry !== undefined) out[name] = entry;
  }
  return out;
}

/** Writes the day indexes an entry belongs under, then the entry. Idempotent. */
export async function writeCatalogEntry(
  store: CatalogStore,
  prefix: string,
  entry: CatalogEntry,
): Promise<{ entryKey: string; dayKeys: string[] }> {
  const dayKeys = dayIndexKeysForEntry(prefix, entry);
  for (const key of dayKeys) await store.write(key, addToDayIndex(await store.read(key), entry.snapshot));
  const entryKey = catalogEntryKey(prefix, entry.snapshot);
  await store.write(entryKey, entry);
  return { entryKey, dayKeys };
}

/** Applies a retention (or stale-entry) catalog plan: the entry first, so no restore is pointed at it. */
export async function removeFromCatalog(
  store: CatalogStore,
  removal: RetentionPlan['catalog'],
): Promise<void> {
  for (const key of removal.deleteKeys) await store.delete(key);
  for (const { key, snapshot } of removal.dayIndexRemovals) {
    const existing = await store.read(key);
    if (existing === undefined) continue;
    const next = removeFromDayIndex(existing, snapshot);
    if (next.snapshots.length === 0) await store.delete(key);
    else await store.write(key, next);
  }
}

/** Entries of the snapshots the day indexes list for a service between `from` and `to`. */
export async function entriesForRange(
  store: CatalogStore,
  prefix: string,
  query: { service: string; from: number; to: number },
): Promise<{ entries: CatalogEntry[]; missing: string[] }> {
  const names = new Set<string>();
  for (const key of dayKeysForRange(prefix, query.service, query.from, query.to)) {
    const day = await store.read(key);
    const list = (day as { snapshots?: unknown } | undefined)?.snapshots;
    if (Array.isArray(list)) for (const n of list) if (typeof n === 'string') names.add(n);
  }
  const sorted = [...names].sort();
  const found = await readCatalogEntries(store, prefix, sorted);
  return { entries: Object.values(found), missing: sorted.filter((n) => found[n] === undefined) };
}
