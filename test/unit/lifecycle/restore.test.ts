import { describe, expect, it } from 'vitest';
import { buildCatalogEntry } from '../../../functions/core/lifecycle/catalog.ts';
import { planRestore, restoredName } from '../../../functions/core/lifecycle/restore.ts';
import { DAY, NOW, snapshot } from './helpers.ts';

const t = (iso: string) => Date.parse(iso);

function entry(name: string, start: number, indices: Record<string, [string, string]>) {
  return buildCatalogEntry(
    snapshot(name, Object.keys(indices), { start_time_in_millis: start }),
    'sluice-snapshots',
    Object.fromEntries(
      Object.entries(indices).map(([i, [a, b]]) => [
        i,
        { docs: 5, sizeBytes: 50, timestampMin: t(a), timestampMax: t(b) },
      ]),
    ),
    (i) => (i.includes('api') ? 'api' : 'nginx'),
  );
}

const day1 = ['2026-06-01T00:00:00Z', '2026-06-01T23:59:59Z'] as [string, string];
const day2 = ['2026-06-02T00:00:00Z', '2026-06-02T23:59:59Z'] as [string, string];
const entries = [
  entry('daily-1', NOW - 3 * DAY, { 'logs-api-000001': day1, '.ds-logs-nginx-000001': day1 }),
  // A later snapshot of the same index holds more (it was still written when daily-1 ran).
  entry('daily-2', NOW - 2 * DAY, { 'logs-api-000001': day1, 'logs-api-000002': day2 }),
];

describe('restore plan', () => {
  it('restores each index once, from the newest snapshot holding it, renamed restored-…', () => {
    const plan = planRestore(entries, {
      service: 'api',
      from: t('2026-06-01T10:00:00Z'),
      to: t('2026-06-02T10:00:00Z'),
    });
    expect(plan.indices).toEqual([
      { index: 'logs-api-000001', snapshot: 'daily-2', restoredAs: 'restored-logs-api-000001' },
      { index: 'logs-api-000002', snapshot: 'daily-2', restoredAs: 'restored-logs-api-000002' },
    ]);
    expect(plan.requests).toEqual([
      {
        repository: 'sluice-snapshots',
        snapshot: 'daily-2',
        body: {
          indices: 'logs-api-000001,logs-api-000002',
          rename_pattern: '\\.*(.+)',
          rename_replacement: 'restored-$1',
          include_global_state: false,
          include_aliases: false,
          partial: false,
          index_settings: { 'index.number_of_replicas': 0 },
          ignore_index_settings: ['index.plugins.index_state_management.rollover_alias'],
        },
      },
    ]);
    expect(plan.uncoveredDays).toEqual([]);
  });

  it('the rename pattern turns every index name into its restored name', () => {
    const [request] = planRestore(entries, { service: 'nginx', from: t(day1[0]), to: t(day1[1]) }).requests;
    const pattern = new RegExp(`^${String(request?.body.rename_pattern)}$`);
    for (const name of ['.ds-logs-nginx-000001', 'logs-api-000001']) {
      expect(name.replace(pattern, String(request?.body.rename_replacement))).toBe(restoredName(name));
    }
    expect(restoredName('.ds-logs-nginx-000001')).toBe('restored-ds-logs-nginx-000001');
  });

  it('skips indices already restored and reports days no snapshot covers', () => {
    const plan = planRestore(
      entries,
      { service: 'api', from: t('2026-05-31T00:00:00Z'), to: t('2026-06-03T00:00:00Z') },
      ['restored-logs-api-000002'],
    );
    expect(plan.indices.map((i) => i.index)).toEqual(['logs-api-000001']);
    expect(plan.alreadyRestored).toEqual(['logs-api-000002']);
    expect(plan.uncoveredDays).toEqual(['2026-05-31', '2026-06-03']);
  });

  it('nothing to restore outside the catalogued range', () => {
    const plan = planRestore(entries, {
      service: 'api',
      from: t('2026-07-01T00:00:00Z'),
      to: t('2026-07-01T05:00:00Z'),
    });
    expect(plan).toEqual({ requests: [], indices: [], alreadyRestored: [], uncoveredDays: ['2026-07-01'] });
  });
});
