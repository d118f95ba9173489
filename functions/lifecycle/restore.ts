// Restore of a service's logs for a time range: the catalog names the snapshots, the core plans the
// requests (indices renamed `restored-<index>`), the cluster restores them, and with `wait` the
// restored documents are counted against what the catalog recorded when the snapshot was taken.

import type { CatalogStore } from '../adapters/lifecycle-catalog.ts';
import type { LifecycleCluster } from '../adapters/lifecycle-opensearch.ts';
import type { LifecycleConfig } from '../core/lifecycle/config.ts';
import { DAY_MS } from '../core/lifecycle/duration.ts';
import { LifecycleError } from '../core/lifecycle/errors.ts';
import type { RestoreQuery } from '../core/lifecycle/restore.ts';
import { planRestore, RESTORED_PREFIX } from '../core/lifecycle/restore.ts';
import { entriesForRange } from './catalog.ts';

/** The function event that asks for a restore instead of a reconciliation run. */
export interface RestoreEvent {
  action: 'restore';
  service: string;
  /** `yyyy-MM-dd` (whole UTC day) or an ISO-8601 instant. */
  from: string;
  to: string;
  wait?: boolean;
}

/** A restore request that cannot be served as asked (the message says what to change). */
export class RestoreRequestError extends LifecycleError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RestoreRequestError';
  }
}

/** The longest range one restore may cover: beyond it, ask in parts. */
export const MAX_RESTORE_DAYS = 400;

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;

/** `yyyy-MM-dd` is a whole UTC day: its start for `from`, its last millisecond for `to`. */
export function parseRestoreTime(value: string, edge: 'from' | 'to'): number {
  const ms = Date.parse(DAY_RE.test(value) ? `${value}T00:00:00.000Z` : value);
  if (!Number.isFinite(ms)) {
    throw new RestoreRequestError(
      `${edge}: ${JSON.stringify(value)} is not a date; use yyyy-MM-dd or an ISO-8601 time`,
    );
  }
  return DAY_RE.test(value) && edge === 'to' ? ms + DAY_MS - 1 : ms;
}

export function isRestoreEvent(event: unknown): event is { action: 'restore' } {
  return typeof event === 'object' && event !== null && (event as { action?: unknown }).action === 'restore';
}

/** Checks a restore event against the configured services; returns the query and whether to wait. */
export function parseRestoreEvent(
  event: unknown,
  config: Pick<LifecycleConfig, 'services'>,
): { query: RestoreQuery; wait: boolean } {
  const e = (typeof event === 'object' && event !== null ? event : {}) as Record<string, unknown>;
  const names = config.services.map((s) => s.name);
  if (typeof e.service !== 'string' || !names.includes(e.service)) {
    throw new RestoreRequestError(
      `service: ${JSON.stringify(e.service)} is not a configured service; use one of ${names.join(', ')}`,
    );
  }
  if (typeof e.from !== 'string' || typeof e.to !== 'string') {
    throw new RestoreRequestError(
      'from and to are required, e.g. {"from": "2026-11-01", "to": "2026-11-03"}',
    );
  }
  const from = parseRestoreTime(e.from, 'from');
  const to = parseRestoreTime(e.to, 'to');
  if (to < from) throw new RestoreRequestError(`to (${e.to}) is before from (${e.from})`);
  if (to - from > MAX_RESTORE_DAYS * DAY_MS) {
    throw new RestoreRequestError(`the range spans more than ${MAX_RESTORE_DAYS} days; restore it in parts`);
  }
  if (e.wait !== undefined && typeof e.wait !== 'boolean')
    throw new RestoreRequestError('wait must be true or false');
  return { query: { service: e.service, from, to }, wait: e.wait === true };
}

export type RestoreProgress =
  | { type: 'catalog'; snapshots: number; missingEntries: string[] }
  | { type: 'restoring'; snapshot: string; indices: string[] }
  | { type: 'restored'; snapshot: string; indices: string[] }
  | { type: 'counted'; index: string; docs: number; expected: number | null };

export interface RestoredIndex {
  index: string;
  snapshot: string;
  restoredAs: string;
  /** Counted after the restore (with `wait`), else null. */
  docs: number | null;
  /** What the catalog recorded when the snapshot was taken. */
  expectedDocs: number | null;
}

export interface RestoreSummary {
  service: string;
  from: string;
  to: string;
  indices: RestoredIndex[];
  alreadyRestored: string[];
  uncoveredDays: string[];
  /** Day indexes that named a snapshot without a catalog entry (deleted meanwhile). */
  missingEntries: string[];
  documentsRestored: number | null;
  documentsExpected: number;
}

export interface RestoreDeps {
  config: LifecycleConfig;
  cluster: LifecycleCluster;
  catalog: CatalogStore;
  onProgress?: (progress: RestoreProgress) => void;
}

export async function runRestore(
  deps: RestoreDeps,
  query: RestoreQuery,
  options: { wait: boolean },
): Promise<RestoreSummary> {
  const { cluster, catalog, config } = deps;
  const report = deps.onProgress ?? (() => {});
  const { entries, missing } = await entriesForRange(catalog, config.catalog.prefix, query);
  report({ type: 'catalog', snapshots: entries.length, missingEntries: missing });
  const existing = await cluster.listIndices(`${RESTORED_PREFIX}*`);
  const restorePlan = planRestore(entries, query, existing);
  const expected = new Map<string, number | null>();
  for (const entry of entries) {
    for (const i of entry.indices) {
      if (restorePlan.indices.some((p) => p.index === i.index && p.snapshot === entry.snapshot)) {
        expected.set(i.index, i.docs);
      }
    }
  }
  for (const request of restorePlan.requests) {
    const indices = restorePlan.indices.filter((i) => i.snapshot === request.snapshot).map((i) => i.index);
    report({ type: 'restoring', snapshot: request.snapshot, indices });
    await cluster.restore(request.repository, request.snapshot, request.body, { wait: options.wait });
    report({ type: 'restored', snapshot: request.snapshot, indices });
  }
  let counts: Record<string, number> = {};
  if (options.wait) counts = await cluster.countDocs(restorePlan.indices.map((i) => i.restoredAs));
  const indices: RestoredIndex[] = restorePlan.indices.map((i) => {
    const docs = options.wait ? (counts[i.restoredAs] ?? 0) : null;
    const expectedDocs = expected.get(i.index) ?? null;
    if (docs !== null) report({ type: 'counted', index: i.restoredAs, docs, expected: expectedDocs });
    return { ...i, docs, expectedDocs };
  });
  return {
    service: query.service,
    from: new Date(query.from).toISOString(),
    to: new Date(query.to).toISOString(),
    indices,
    alreadyRestored: restorePlan.alreadyRestored,
    uncoveredDays: restorePlan.uncoveredDays,
    missingEntries: missing,
    documentsRestored: options.wait ? indices.reduce((sum, i) => sum + (i.docs ?? 0), 0) : null,
    documentsExpected: indices.reduce((sum, i) => sum + (i.expectedDocs ?? 0), 0),
  };
}
