import { describe, expect, it } from 'vitest';
import {
  addToDayIndex,
  buildCatalogEntry,
  catalogEntryKey,
  dayIndexKeysForEntry,
  dayKeysForRange,
  removeFromDayIndex,
  snapshotsCovering,
} from '../../../functions/core/lifecycle/catalog.ts';
import { DAY, NOW, snapshot } from './helpers.ts';

const t = (iso: string) => Date.parse(iso);
const serviceOf = (i: string) => (i.startsWith('logs-api-') ? 'api' : i.includes('nginx') ? 'nginx' : null);

function entry(name: string, indices: Record<string, [string, string] | null>, start = NOW) {
  return buildCatalogEntry(
    snapshot(name, Object.keys(indices), {
      start_time_in_millis: start,
      end_time_in_millis: start + 1000,
      duration_in_millis: 1000,
    }),
    'sluice-snapshots',
    Object.fromEntries(
      Object.entries(indices)
        .filter(([, span]) => span !== null)
        .map(([i, span]) => [
          i,
          { docs: 10, sizeBytes: 100, timestampMin: t(span![0]), timestampMax: t(span![1]) },
        ]),
    ),
    serviceOf,
  );
}

describe('catalog entries', () => {
  it('carry name, repository, per-index counts and time span, size, state and time taken', () => {
    const e = entry('s1', {
      'logs-api-000001': ['2026-06-01T10:00:00Z', '2026-06-02T09:00:00Z'],
      other: null,
    });
    expect(e).toEqual({
      snapshot: 's1',
      repository: 'sluice-snapshots',
      uuid: 'uuid-s1',
      state: 'SUCCESS',
      indices: [
        {
          index: 'logs-api-000001',
          service: 'api',
          docs: 10,
          sizeBytes: 100,
          timestampMin: '2026-06-01T10:00:00.000Z',
          timestampMax: '2026-06-02T09:00:00.000Z',
        },
        {
          index: 'other',
          service: null,
          docs: null,
          sizeBytes: null,
          timestampMin: null,
          timestampMax: null,
        },
      ],
      startTime: '2026-06-15T12:00:00.000Z',
      endTime: '2026-06-15T12:00:01.000Z',
      durationMs: 1000,
      sizeBytes: 100,
      shards: { total: 2, failed: 0, successful: 2 },
    });
  });

  it('are keyed by snapshot, and indexed under every service and UTC day they span', () => {
    expect(catalogEntryKey('catalog', 's1')).toBe('catalog/snapshots/s1.json');
    const e = entry('s1', {
      'logs-api-000001': ['2026-06-01T23:00:00Z', '2026-06-03T01:00:00Z'],
      '.ds-logs-nginx-000001': ['2026-06-03T05:00:00Z', '2026-06-03T06:00:00Z'],
      other: ['2026-06-01T00:00:00Z', '2026-06-01T00:00:00Z'],
    });
    expect(dayIndexKeysForEntry('catalog', e)).toEqual([
      'catalog/by-service/api/2026-06-01.json',
      'catalog/by-service/api/2026-06-02.json',
      'catalog/by-service/api/2026-06-03.json',
      'catalog/by-service/nginx/2026-06-03.json',
    ]);
  });

  it('cap the days of one index so a stray old timestamp cannot explode the index', () => {
    const e = entry('s1', { 'logs-api-000001': ['1970-01-01T00:00:00Z', '2026-06-03T01:00:00Z'] });
    const keys = dayIndexKeysForEntry('catalog', e);
    expect(keys.length).toBe(400);
    expect(keys.at(-1)).toBe('catalog/by-service/api/2026-06-03.json');
  });
});

describe('day index objects', () => {
  it('add is idempotent and sorted; remove drops one name; junk reads as empty', () => {
    const once = addToDayIndex({ snapshots: ['b'] }, 'a');
    expect(once).toEqual({ snapshots: ['a', 'b'] });
    expect(addToDayIndex(once, 'a')).toEqual(once);
    expect(removeFromDayIndex(once, 'b')).toEqual({ snapshots: ['a'] });
    expect(addToDayIndex('garbage', 'a')).toEqual({ snapshots: ['a'] });
    expect(addToDayIndex({ snapshots: [1, 'x'] }, 'a')).toEqual({ snapshots: ['a', 'x'] });
  });

  it('the keys of a query range are its UTC days', () => {
    expect(dayKeysForRange('c', 'api', t('2026-06-01T22:00:00Z'), t('2026-06-03T00:00:00Z'))).toEqual([
      'c/by-service/api/2026-06-01.json',
      'c/by-service/api/2026-06-02.json',
      'c/by-service/api/2026-06-03.json',
    ]);
    expect(dayKeysForRange('c', 'api', NOW, NOW - DAY)).toEqual([]);
  });
});

describe('which snapshots cover service S between from and to', () => {
  const entries = [
    entry('s1', { 'logs-api-000001': ['2026-06-01T00:00:00Z', '2026-06-01T23:59:59Z'] }, NOW - 3 * DAY),
    entry(
      's2',
      {
        'logs-api-000002': ['2026-06-02T00:00:00Z', '2026-06-02T23:59:59Z'],
        '.ds-logs-nginx-000001': ['2026-06-02T00:00:00Z', '2026-06-02T10:00:00Z'],
      },
      NOW - 2 * DAY,
    ),
    entry('s3', { 'logs-api-000003': null }, NOW - DAY),
    {
      ...entry('s4', { 'logs-api-000004': ['2026-06-02T00:00:00Z', '2026-06-02T23:59:59Z'] }),
      state: 'PARTIAL',
    },
  ];
  it.each([
    ['api', '2026-06-01T12:00:00Z', '2026-06-01T13:00:00Z', ['s1', 's3']],
    ['api', '2026-06-01T12:00:00Z', '2026-06-02T00:00:00Z', ['s1', 's2', 's3']],
    ['api', '2026-06-05T00:00:00Z', '2026-06-06T00:00:00Z', ['s3']],
    ['nginx', '2026-06-02T11:00:00Z', '2026-06-02T12:00:00Z', []],
    ['nginx', '2026-06-02T09:00:00Z', '2026-06-02T12:00:00Z', ['s2']],
    ['db', '2026-06-01T00:00:00Z', '2026-06-30T00:00:00Z', []],
  ])('%s from %s to %s → %j (unknown spans included, PARTIAL excluded)', (service, from, to, expected) => {
    expect(snapshotsCovering(entries, service, t(from), t(to)).map((c) => c.entry.snapshot)).toEqual(
      expected,
    );
  });

  it('returns only the matching indices of a snapshot', () => {
    const [coverage] = snapshotsCovering(
      entries,
      'nginx',
      t('2026-06-02T00:00:00Z'),
      t('2026-06-02T01:00:00Z'),
    );
    expect(coverage?.indices.map((i) => i.index)).toEqual(['.ds-logs-nginx-000001']);
  });
});
