// Restore plan: from catalog entries and a service/time range to the snapshots to restore from,
// with their indices renamed `restored-<index>` so they never collide with live indices or aliases.

import type { CatalogEntry } from './catalog.ts';
import { daysBetween, snapshotsCovering } from './catalog.ts';
import type { Json } from './desired.ts';

export const RESTORED_PREFIX = 'restored-';

export interface RestoreQuery {
  service: string;
  /** Epoch ms, inclusive. */
  from: number;
  to: number;
}

export interface RestoreRequest {
  repository: string;
  snapshot: string;
  /** Body of `POST _snapshot/<repository>/<snapshot>/_restore`. */
  body: Json;
}

export interface RestorePlan {
  requests: RestoreRequest[];
  /** Each index once, from the newest snapshot that holds it. */
  indices: Array<{ index: string; snapshot: string; restoredAs: string }>;
  /** Indices skipped because `restored-<index>` already exists in the cluster. */
  alreadyRestored: string[];
  /** UTC days of the range that no restored index is known to cover. */
  uncoveredDays: string[];
}

/** Leading dots are dropped: `.ds-logs-x-000001` restores as `restored-ds-logs-x-000001`, a plain index. */
export function restoredName(index: string, prefix = RESTORED_PREFIX): string {
  return `${prefix}${index.replace(/^\.+/, '')}`;
}

export function planRestore(
  entries: readonly CatalogEntry[],
  query: RestoreQuery,
  existingIndices: readonly string[] = [],
  prefix = RESTORED_PREFIX,
): RestorePlan {
  const existing = new Set(existingIndices);
  const coverage = snapshotsCovering(entries, query.service, query.from, query.to);
  // Newest snapshot per index: a later snapshot of a still-written index holds more documents.
  const chosen = new Map<string, { entry: CatalogEntry; span: [number, number] | null }>();
  for (const { entry, indices } of coverage) {
    for (const index of indices) {
      const span: [number, number] | null =
        index.timestampMin !== null && index.timestampMax !== null
          ? [Date.parse(index.timestampMin), Date.parse(index.timestampMax)]
          : null;
      chosen.set(index.index, { entry, span });
    }
  }
  const alreadyRestored: string[] = [];
  const bySnapshot = new Map<string, { entry: CatalogEntry; indices: string[] }>();
  const indices: RestorePlan['indices'] = [];
  const covered = new Set<string>();
  for (const [index, { entry, span }] of [...chosen.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const restoredAs = restoredName(index, prefix);
    if (span !== null) for (const day of daysBetween(span[0], span[1], 400)) covered.add(day);
    if (existing.has(restoredAs)) {
      alreadyRestored.push(index);
      continue;
    }
    indices.push({ index, snapshot: entry.snapshot, restoredAs });
    const group = bySnapshot.get(entry.snapshot) ?? { entry, indices: [] };
    group.indices.push(index);
    bySnapshot.set(entry.snapshot, group);
  }
  const requests = [...bySnapshot.values()]
    .sort((a, b) => a.entry.snapshot.localeCompare(b.entry.snapshot))
    .map(({ entry, indices: names }) => ({
      repository: entry.repository,
      snapshot: entry.snapshot,
      body: {
        indices: names.join(','),
        // The pattern skips leading dots so backing indices become ordinary, writable indices.
        rename_pattern: '\\.*(.+)',
        rename_replacement: `${prefix}$1`,
        include_global_state: false,
        include_aliases: false,
        partial: false,
        // Restored copies are read for investigation only: no replicas needed.
        index_settings: { 'index.number_of_replicas': 0 },
        ignore_index_settings: ['index.plugins.index_state_management.rollover_alias'],
      },
    }));
  const uncoveredDays = daysBetween(query.from, query.to).filter((d) => !covered.has(d));
  return { requests, indices, alreadyRestored, uncoveredDays };
}
