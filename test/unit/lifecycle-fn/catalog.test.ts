// Catalog reads and writes over the in-memory store (same contract as the S3 store).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMemoryCatalogStore } from '../../../functions/adapters/lifecycle-catalog.ts';
import { buildCatalogEntry, type CatalogEntry } from '../../../functions/core/lifecycle/catalog.ts';
import {
  entriesForRange,
  listCatalogued,
  readCatalogEntries,
  removeFromCatalog,
  writeCatalogEntry,
} from '../../../functions/lifecycle/catalog.ts';
import { DAY, snapshot } from '../lifecycle/helpers.ts';

const P = 'catalog';

function entry(name: string, index: string, min: number, max: number, docs = 10): CatalogEntry {
  return buildCatalogEntry(
    snapshot(name, [index]),
    'sluice-snapshots',
    { [index]: { docs, sizeBytes: 100, timestampMin: min, timestampMax: max } },
    () => 'api',
  );
}

describe('catalog', () => {
  it('a written entry is listed, read back, and found by the days it spans', async () => {
    const store = createMemoryCatalogStore();
    const day1 = Date.UTC(2026, 10, 1);
    await writeCatalogEntry(store, P, entry('s1', 'logs-api-000001', day1 + 1000, day1 + DAY + 5));
    expect(await listCatalogued(store, P)).toEqual(['s1']);
    expect(Object.keys(await readCatalogEntries(store, P, ['s1', 'nope']))).toEqual(['s1']);
    const found = await entriesForRange(store, P, { service: 'api', from: day1 + DAY, to: day1 + DAY + 10 });
    expect(found.entries.map((e) => e.snapshot)).toEqual(['s1']);
    const other = await entriesForRange(store, P, {
      service: 'api',
      from: day1 + 3 * DAY,
      to: day1 + 4 * DAY,
    });
    expect(other.entries).toEqual([]);
  });

  it('writing twice is idempotent, and two snapshots share a day index', async () => {
    const store = createMemoryCatalogStore();
    const day = Date.UTC(2026, 10, 1);
    await writeCatalogEntry(store, P, entry('s1', 'logs-api-000001', day, day + 10));
    await writeCatalogEntry(store, P, entry('s1', 'logs-api-000001', day, day + 10));
    await writeCatalogEntry(store, P, entry('s2', 'logs-api-000002', day + 20, day + 30));
    expect(await store.read('catalog/by-service/api/2026-11-01.json')).toEqual({ snapshots: ['s1', 's2'] });
  });

  it('removal drops the entry and the name from day indexes, deleting emptied day indexes', async () => {
    const store = createMemoryCatalogStore();
    const day = Date.UTC(2026, 10, 1);
    await writeCatalogEntry(store, P, entry('s1', 'logs-api-000001', day, day + DAY));
    await writeCatalogEntry(store, P, entry('s2', 'logs-api-000002', day, day + 10));
    await removeFromCatalog(store, {
      deleteKeys: ['catalog/snapshots/s1.json'],
      dayIndexRemovals: [
        { key: 'catalog/by-service/api/2026-11-01.json', snapshot: 's1' },
        { key: 'catalog/by-service/api/2026-11-02.json', snapshot: 's1' },
      ],
    });
    expect([...store.objects.keys()].sort()).toEqual([
      'catalog/by-service/api/2026-11-01.json',
      'catalog/snapshots/s2.json',
    ]);
    expect(await store.read('catalog/by-service/api/2026-11-01.json')).toEqual({ snapshots: ['s2'] });
  });

  it('a day index naming a snapshot without an entry reports it as missing', async () => {
    const store = createMemoryCatalogStore({
      'catalog/by-service/api/2026-11-01.json': { snapshots: ['gone'] },
    });
    const day = Date.UTC(2026, 10, 1);
    expect(await entriesForRange(store, P, { service: 'api', from: day, to: day + 1 })).toEqual({
      entries: [],
      missing: ['gone'],
    });
  });

  it('property: every entry is found for every day its data spans, and only those', async () => {
    const base = Date.UTC(2026, 0, 1);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 30 * DAY }), fc.integer({ min: 0, max: 3 * DAY })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.integer({ min: 0, max: 34 }),
        async (spans, probeDay) => {
          const store = createMemoryCatalogStore();
          const entries = spans.map(([start, length], i) =>
            entry(`s${i}`, `logs-api-${String(i + 1).padStart(6, '0')}`, base + start, base + start + length),
          );
          for (const e of entries) await writeCatalogEntry(store, P, e);
          const from = base + probeDay * DAY;
          const to = from + DAY - 1;
          const { entries: found } = await entriesForRange(store, P, { service: 'api', from, to });
          const expected = entries
            .filter((e) => {
              const i = e.indices[0];
              const dayStart = (ms: number) => Math.floor(ms / DAY) * DAY;
              return (
                i !== undefined &&
                dayStart(Date.parse(String(i.timestampMin))) <= from &&
                dayStart(Date.parse(String(i.timestampMax))) >= from
              );
            })
            .map((e) => e.snapshot)
            .sort();
          expect(found.map((e) => e.snapshot).sort()).toEqual(expected);
        },
      ),
      { numRuns: 60 },
    );
  });
});
