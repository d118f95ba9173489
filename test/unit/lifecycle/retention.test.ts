import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../../functions/core/lifecycle/catalog.ts';
import { buildCatalogEntry } from '../../../functions/core/lifecycle/catalog.ts';
import type { RetentionInput } from '../../../functions/core/lifecycle/retention.ts';
import {
  ownedSnapshots,
  planRetention,
  staleCatalogEntries,
} from '../../../functions/core/lifecycle/retention.ts';
import { verifySnapshot } from '../../../functions/core/lifecycle/snapshot.ts';
import type { SnapshotInfo } from '../../../functions/core/lifecycle/types.ts';
import { DAY, NOW, snapshot } from './helpers.ts';

const RETENTION_DAYS: Record<string, number> = { api: 30, audit: 400 };
const retentionDaysOf = (service: string | null) =>
  service === null ? 400 : (RETENTION_DAYS[service] ?? 400);

function entryFor(s: SnapshotInfo, dataMaxAgoDays: number, service = 'api'): CatalogEntry {
  const stats = Object.fromEntries(
    s.indices.map((i) => [
      i,
      {
        docs: 1,
        sizeBytes: 1,
        timestampMin: NOW - (dataMaxAgoDays + 1) * DAY,
        timestampMax: NOW - dataMaxAgoDays * DAY,
      },
    ]),
  );
  return buildCatalogEntry(s, 'repo', stats, () => service);
}

function input(
  snapshots: SnapshotInfo[],
  entries: CatalogEntry[] = [],
  overrides: Partial<RetentionInput> = {},
): RetentionInput {
  return {
    snapshots,
    entries: Object.fromEntries(entries.map((e) => [e.snapshot, e])),
    maxAgeMs: 90 * DAY,
    minCount: 2,
    now: NOW,
    retentionDaysOf,
    catalogPrefix: 'catalog',
    ...overrides,
  };
}

const ago = (days: number) => NOW - days * DAY;
const deleted = (i: RetentionInput) => planRetention(i).deleteSnapshots.map((d) => d.snapshot);

describe('snapshot retention', () => {
  it('deletes beyond max_age, keeping the newest min_count', () => {
    const snaps = [100, 200, 300, 10].map((d) =>
      snapshot(`s${d}`, [`idx-${d}`], { start_time_in_millis: ago(d) }),
    );
    // Data of every index is far outside retention: only age and min_count decide.
    const entries = snaps.map((s) => entryFor(s, 1000));
    expect(deleted(input(snaps, entries))).toEqual(['s300', 's200']);
    expect(deleted(input(snaps, entries, { minCount: 4 }))).toEqual([]);
    expect(deleted(input(snaps, entries, { maxAgeMs: 250 * DAY }))).toEqual(['s300']);
  });

  it('keeps the only verified copy of data still inside its retention window, naming the index', () => {
    const s = snapshot('only', ['logs-audit-000001'], { start_time_in_millis: ago(200) });
    const young = [
      snapshot('y1', ['a'], { start_time_in_millis: ago(1) }),
      snapshot('y2', ['b'], { start_time_in_millis: ago(2) }),
    ];
    const plan = planRetention(input([s, ...young], [entryFor(s, 199, 'audit')]));
    expect(plan.deleteSnapshots).toEqual([]);
    expect(plan.keep).toContainEqual({ snapshot: 'only', reason: 'only_copy', detail: 'logs-audit-000001' });
  });

  it('deletes the older of two copies of in-window data, and never both', () => {
    const a = snapshot('a', ['logs-audit-000001'], { start_time_in_millis: ago(300) });
    const b = snapshot('b', ['logs-audit-000001'], { start_time_in_millis: ago(200) });
    const young = [
      snapshot('y1', ['x'], { start_time_in_millis: ago(1) }),
      snapshot('y2', ['y'], { start_time_in_millis: ago(2) }),
    ];
    expect(deleted(input([a, b, ...young], [entryFor(a, 250, 'audit'), entryFor(b, 250, 'audit')]))).toEqual([
      'a',
    ]);
  });

  it('a PARTIAL copy is no copy: it neither protects data nor counts towards min_count', () => {
    const good = snapshot('good', ['logs-audit-000001'], { start_time_in_millis: ago(300) });
    const partial = snapshot('partial', ['logs-audit-000001'], {
      start_time_in_millis: ago(200),
      state: 'PARTIAL',
    });
    const plan = planRetention(input([good, partial], [entryFor(good, 250, 'audit')], { minCount: 1 }));
    expect(plan.deleteSnapshots.map((d) => d.snapshot)).toEqual(['partial']);
    expect(plan.keep.map((k) => [k.snapshot, k.reason])).toEqual([['good', 'min_count']]);
  });

  it('never deletes a snapshot in progress', () => {
    const running = snapshot('running', ['a'], { start_time_in_millis: ago(500), state: 'IN_PROGRESS' });
    expect(deleted(input([running], [], { minCount: 1 }))).toEqual([]);
  });

  it('without a catalog entry, the snapshot end time bounds the data (a recent snapshot of a deleted index is kept)', () => {
    const s = snapshot('s', ['logs-x-000001'], {
      start_time_in_millis: ago(100),
      end_time_in_millis: ago(100),
    });
    const young = [
      snapshot('y1', ['a'], { start_time_in_millis: ago(1) }),
      snapshot('y2', ['b'], { start_time_in_millis: ago(2) }),
    ];
    expect(deleted(input([s, ...young]))).toEqual([]);
    expect(deleted(input([s, ...young], [], { now: NOW + 400 * DAY }))).toEqual(['s']);
  });

  it('removes the catalog entry and the day-index references of what it deletes', () => {
    const old = snapshot('old', ['logs-api-000001'], { start_time_in_millis: ago(500) });
    const entry = buildCatalogEntry(
      old,
      'repo',
      {
        'logs-api-000001': {
          docs: 1,
          sizeBytes: 1,
          timestampMin: Date.UTC(2025, 0, 1, 22),
          timestampMax: Date.UTC(2025, 0, 2, 1),
        },
      },
      () => 'api',
    );
    const young = [
      snapshot('y1', ['a'], { start_time_in_millis: ago(1) }),
      snapshot('y2', ['b'], { start_time_in_millis: ago(2) }),
    ];
    expect(planRetention(input([old, ...young], [entry])).catalog).toEqual({
      deleteKeys: ['catalog/snapshots/old.json'],
      dayIndexRemovals: [
        { key: 'catalog/by-service/api/2025-01-01.json', snapshot: 'old' },
        { key: 'catalog/by-service/api/2025-01-02.json', snapshot: 'old' },
      ],
    });
  });

  it('considers only the function-named snapshots in function mode, none in sm mode', () => {
    const snaps = [
      snapshot('sluice-logs-api-000001-2026.06.01', []),
      snapshot('sluice-daily-2026.06.01-02.00', []),
      snapshot('manual', []),
    ];
    expect(
      ownedSnapshots({ snapshot: { mode: 'function', name_prefix: 'sluice' } }, snaps).map((s) => s.snapshot),
    ).toEqual(['sluice-logs-api-000001-2026.06.01', 'sluice-daily-2026.06.01-02.00']);
    expect(ownedSnapshots({ snapshot: { mode: 'sm', name_prefix: 'sluice' } }, snaps)).toEqual([]);
  });

  it('finds catalog entries whose snapshot is gone from the repository', () => {
    const kept = snapshot('kept', ['logs-api-000001']);
    const gone = entryFor(snapshot('gone', ['logs-api-000002']), 10);
    const stale = staleCatalogEntries('catalog', [entryFor(kept, 10), gone], [kept]);
    expect(stale.deleteKeys).toEqual(['catalog/snapshots/gone.json']);
    expect(stale.dayIndexRemovals.map((r) => r.key)).toEqual([
      'catalog/by-service/api/2026-06-04.json',
      'catalog/by-service/api/2026-06-05.json',
    ]);
  });

  describe('properties', () => {
    const INDICES = ['logs-api-000001', 'logs-api-000002', 'logs-audit-000001', 'logs-audit-000002', 'other'];
    const arbSnapshot = fc.record({
      startAgo: fc.integer({ min: 0, max: 800 }),
      state: fc.constantFrom('SUCCESS', 'SUCCESS', 'SUCCESS', 'PARTIAL', 'FAILED', 'IN_PROGRESS'),
      indices: fc.subarray(INDICES, { minLength: 1 }),
      catalogued: fc.boolean(),
      dataLagDays: fc.integer({ min: 0, max: 30 }),
    });
    const arbInput = fc.record({
      snaps: fc.array(arbSnapshot, { maxLength: 14 }),
      minCount: fc.integer({ min: 1, max: 5 }),
      maxAgeDays: fc.integer({ min: 0, max: 500 }),
    });

    interface Spec {
      snaps: Array<{
        startAgo: number;
        state: string;
        indices: string[];
        catalogued: boolean;
        dataLagDays: number;
      }>;
      minCount: number;
      maxAgeDays: number;
    }

    function build(spec: Spec): RetentionInput {
      const snapshots = spec.snaps.map((s, n) => {
        const failed = s.state === 'SUCCESS' ? 0 : s.indices.length;
        return snapshot(`s${n}`, s.indices, {
          state: s.state,
          start_time_in_millis: ago(s.startAgo),
          end_time_in_millis: ago(s.startAgo) + 1000,
          shards: { total: s.indices.length, failed, successful: s.indices.length - failed },
        });
      });
      const entries = spec.snaps.flatMap((s, n) => {
        const snap = snapshots[n]!;
        if (!s.catalogued) return [];
        const stats = Object.fromEntries(
          s.indices.map((i) => [
            i,
            {
              docs: 1,
              sizeBytes: 1,
              timestampMin: ago(s.startAgo + s.dataLagDays + 1),
              timestampMax: ago(s.startAgo + s.dataLagDays),
            },
          ]),
        );
        return [
          buildCatalogEntry(snap, 'repo', stats, (i) =>
            i.startsWith('logs-api') ? 'api' : i.startsWith('logs-audit') ? 'audit' : null,
          ),
        ];
      });
      return input(snapshots, entries, { minCount: spec.minCount, maxAgeMs: spec.maxAgeDays * DAY });
    }

    it('the newest min_count successful snapshots are always kept', () => {
      fc.assert(
        fc.property(arbInput, (spec) => {
          const i = build(spec);
          const gone = new Set(deleted(i));
          const newest = [...i.snapshots]
            .filter((s) => s.state === 'SUCCESS')
            .sort(
              (a, b) =>
                b.start_time_in_millis - a.start_time_in_millis || a.snapshot.localeCompare(b.snapshot),
            )
            .slice(0, i.minCount);
          return newest.every((s) => !gone.has(s.snapshot));
        }),
      );
    });

    it('nothing younger than max_age and nothing in progress is deleted', () => {
      fc.assert(
        fc.property(arbInput, (spec) => {
          const i = build(spec);
          const gone = new Set(deleted(i));
          return i.snapshots.every(
            (s) =>
              !gone.has(s.snapshot) ||
              (i.now - s.start_time_in_millis > i.maxAgeMs && s.state !== 'IN_PROGRESS'),
          );
        }),
      );
    });

    it('data inside its retention window keeps at least one verified copy', () => {
      fc.assert(
        fc.property(arbInput, (spec) => {
          const i = build(spec);
          const gone = new Set(deleted(i));
          for (const index of INDICES) {
            const copies = i.snapshots.filter(
              (s) => s.indices.includes(index) && verifySnapshot(s, [index]).ok,
            );
            // Judged from the facts directly: the index's service is whatever a catalog entry says,
            // and any copy whose data for the index is inside that service's window counts.
            const service =
              Object.values(i.entries)
                .flatMap((e) => e.indices)
                .find((x) => x.index === index && x.service !== null)?.service ?? null;
            const insideWindow = copies.some((s) => {
              const e = i.entries[s.snapshot]?.indices.find((x) => x.index === index);
              const max = e?.timestampMax
                ? Date.parse(e.timestampMax)
                : (s.end_time_in_millis ?? s.start_time_in_millis);
              return max >= i.now - i.retentionDaysOf(service) * DAY;
            });
            if (insideWindow && copies.every((s) => gone.has(s.snapshot))) return false;
          }
          return true;
        }),
        { numRuns: 500 },
      );
    });

    it('every deleted snapshot loses its catalog entry, and only those', () => {
      fc.assert(
        fc.property(arbInput, (spec) => {
          const i = build(spec);
          const plan = planRetention(i);
          const expected = plan.deleteSnapshots
            .filter((d) => i.entries[d.snapshot])
            .map((d) => `catalog/snapshots/${d.snapshot}.json`);
          expect(plan.catalog.deleteKeys).toEqual(expected);
          expect(
            plan.catalog.dayIndexRemovals.every((r) =>
              plan.deleteSnapshots.some((d) => d.snapshot === r.snapshot),
            ),
          ).toBe(true);
        }),
      );
    });
  });
});
