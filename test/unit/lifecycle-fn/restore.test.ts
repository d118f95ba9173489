// Restore requests: parsing the event and the command's dates, and a restore through the catalog.
import { describe, expect, it } from 'vitest';
import { createMemoryCatalogStore } from '../../../functions/adapters/lifecycle-catalog.ts';
import { buildCatalogEntry } from '../../../functions/core/lifecycle/catalog.ts';
import { writeCatalogEntry } from '../../../functions/lifecycle/catalog.ts';
import {
  isRestoreEvent,
  parseRestoreEvent,
  parseRestoreTime,
  RestoreRequestError,
  runRestore,
} from '../../../functions/lifecycle/restore.ts';
import { config, DAY, NOW, snapshot } from '../lifecycle/helpers.ts';
import { FakeCluster, indexInfo } from './fake-cluster.ts';

const cfg = config();

describe('parseRestoreTime', () => {
  it.each([
    ['2026-11-01', 'from', Date.UTC(2026, 10, 1)],
    ['2026-11-03', 'to', Date.UTC(2026, 10, 4) - 1],
    ['2026-11-01T10:00:00Z', 'from', Date.UTC(2026, 10, 1, 10)],
    ['2026-11-01T10:00:00Z', 'to', Date.UTC(2026, 10, 1, 10)],
  ] as const)('%s as %s', (value, edge, expected) => {
    expect(parseRestoreTime(value, edge)).toBe(expected);
  });

  it('names a bad date', () => {
    expect(() => parseRestoreTime('yesterday', 'from')).toThrow(/from: "yesterday" is not a date/);
  });
});

describe('parseRestoreEvent', () => {
  it('accepts a configured service and a range', () => {
    expect(
      parseRestoreEvent({ action: 'restore', service: 'api', from: '2026-11-01', to: '2026-11-03' }, cfg),
    ).toEqual({
      query: { service: 'api', from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 4) - 1 },
      wait: false,
    });
  });

  it.each([
    [
      { service: 'web', from: '2026-11-01', to: '2026-11-01' },
      /"web" is not a configured service; use one of api, nginx/,
    ],
    [{ service: 'api', from: '2026-11-01' }, /from and to are required/],
    [{ service: 'api', from: '2026-11-03', to: '2026-11-01' }, /is before from/],
    [{ service: 'api', from: '2020-01-01', to: '2026-01-01' }, /more than 400 days/],
    [{ service: 'api', from: '2026-11-01', to: '2026-11-01', wait: 'yes' }, /wait must be true or false/],
  ])('refuses %j', (event, message) => {
    expect(() => parseRestoreEvent({ action: 'restore', ...event }, cfg)).toThrow(RestoreRequestError);
    expect(() => parseRestoreEvent({ action: 'restore', ...event }, cfg)).toThrow(message);
  });

  it('tells restore events from scheduled events', () => {
    expect(isRestoreEvent({ action: 'restore' })).toBe(true);
    expect(isRestoreEvent({ source: 'aws.events', 'detail-type': 'Scheduled Event' })).toBe(false);
    expect(isRestoreEvent(null)).toBe(false);
  });
});

describe('runRestore', () => {
  async function seeded() {
    const cluster = new FakeCluster(() => NOW);
    const catalog = createMemoryCatalogStore();
    const days = [0, 1, 2].map((d) => Date.UTC(2026, 10, 1) + d * DAY);
    for (const [i, day] of days.entries()) {
      const index = `logs-api-00000${i + 1}`;
      cluster.stats[index] = { docs: 10 + i, sizeBytes: 1, timestampMin: day, timestampMax: day + DAY - 1 };
      await writeCatalogEntry(
        catalog,
        'catalog',
        buildCatalogEntry(
          snapshot(`sluice-${index}-x`, [index]),
          'sluice-snapshots',
          { [index]: cluster.stats[index] },
          () => 'api',
        ),
      );
    }
    return { cluster, catalog };
  }

  it('restores the indices of the range under restored-*, counts and compares with the catalog', async () => {
    const { cluster, catalog } = await seeded();
    const progress: string[] = [];
    const summary = await runRestore(
      { config: cfg, cluster, catalog, onProgress: (p) => progress.push(p.type) },
      { service: 'api', from: Date.UTC(2026, 10, 2), to: Date.UTC(2026, 10, 4) - 1 },
      { wait: true },
    );
    expect(summary.indices.map((i) => [i.restoredAs, i.docs, i.expectedDocs])).toEqual([
      ['restored-logs-api-000002', 11, 11],
      ['restored-logs-api-000003', 12, 12],
    ]);
    expect(summary.documentsRestored).toBe(23);
    expect(summary.documentsExpected).toBe(23);
    expect(summary.uncoveredDays).toEqual([]);
    expect(cluster.restored.map((r) => r.body.rename_replacement)).toEqual(['restored-$1', 'restored-$1']);
    expect(progress).toEqual([
      'catalog',
      'restoring',
      'restored',
      'restoring',
      'restored',
      'counted',
      'counted',
    ]);
  });

  it('skips indices already restored and reports days no snapshot covers', async () => {
    const { cluster, catalog } = await seeded();
    cluster.indices.push(indexInfo('restored-logs-api-000001', NOW));
    const summary = await runRestore(
      { config: cfg, cluster, catalog },
      { service: 'api', from: Date.UTC(2026, 9, 31), to: Date.UTC(2026, 10, 2) - 1 },
      { wait: false },
    );
    expect(summary.alreadyRestored).toEqual(['logs-api-000001']);
    expect(summary.indices).toEqual([]);
    expect(summary.uncoveredDays).toEqual(['2026-10-31']);
    expect(summary.documentsRestored).toBeNull();
    expect(cluster.methods()).not.toContain('restore');
  });
});
