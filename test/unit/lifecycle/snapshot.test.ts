import { describe, expect, it } from 'vitest';
import {
  coveringSnapshot,
  deletableIndices,
  indicesNeedingSnapshot,
  snapshotName,
  verifySnapshot,
} from '../../../functions/core/lifecycle/snapshot.ts';
import { config, DAY, index, NOW, snapshot } from './helpers.ts';

describe('snapshot verification', () => {
  it.each([
    ['complete', snapshot('s', ['a', 'b']), ['a', 'b'], []],
    ['a subset is expected', snapshot('s', ['a', 'b']), ['a'], []],
    ['PARTIAL', snapshot('s', ['a'], { state: 'PARTIAL' }), ['a'], ['state is PARTIAL, not SUCCESS']],
    [
      'IN_PROGRESS',
      snapshot('s', ['a'], { state: 'IN_PROGRESS' }),
      ['a'],
      ['state is IN_PROGRESS, not SUCCESS'],
    ],
    ['index missing', snapshot('s', ['a']), ['a', 'b'], ['indices missing: b']],
    [
      'a failed shard',
      snapshot('s', ['a'], { shards: { total: 2, failed: 1, successful: 1 } }),
      ['a'],
      ['1 shard(s) failed', '1 of 2 shards successful'],
    ],
    [
      'shards unaccounted',
      snapshot('s', ['a'], { shards: { total: 3, failed: 0, successful: 2 } }),
      ['a'],
      ['2 of 3 shards successful'],
    ],
    [
      'no shards at all',
      snapshot('s', ['a'], { shards: { total: 0, failed: 0, successful: 0 } }),
      ['a'],
      ['no shards were snapshotted'],
    ],
  ])('%s', (_name, info, expected, reasons) => {
    expect(verifySnapshot(info, expected)).toEqual({ ok: reasons.length === 0, reasons });
  });
});

describe('snapshot names', () => {
  it.each([
    ['logs-api-000001', new Set<string>(), 'sluice-logs-api-000001-2026.06.15'],
    ['.ds-logs-nginx-000003', new Set<string>(), 'sluice-ds-logs-nginx-000003-2026.06.15'],
    [
      'logs-api-000001',
      new Set(['sluice-logs-api-000001-2026.06.15']),
      'sluice-logs-api-000001-2026.06.15-2',
    ],
    [
      'logs-api-000001',
      new Set(['sluice-logs-api-000001-2026.06.15', 'sluice-logs-api-000001-2026.06.15-2']),
      'sluice-logs-api-000001-2026.06.15-3',
    ],
  ])('%s with %j taken → %s', (idx, taken, expected) => {
    expect(snapshotName('sluice', idx, NOW, taken)).toBe(expected);
  });

  it('is the same all day long (a retry finds its snapshot) and changes at UTC midnight', () => {
    const midnight = Date.UTC(2026, 5, 15);
    expect(snapshotName('p', 'i', midnight)).toBe(snapshotName('p', 'i', midnight + DAY - 1));
    expect(snapshotName('p', 'i', midnight - 1)).toBe('p-i-2026.06.14');
  });
});

describe('which indices need a snapshot', () => {
  const cfg = config();
  const ended = NOW - 8 * DAY;
  it.each([
    ['cold by ISM state', index('logs-api-000001', { ismState: 'cold', createdAt: NOW - DAY }), [], true],
    [
      'cold by age (ISM lagging)',
      index('logs-api-000001', { ismState: 'warm', createdAt: NOW - 7 * DAY }),
      [],
      true,
    ],
    ['still warm', index('logs-api-000001', { ismState: 'warm', createdAt: NOW - 6 * DAY }), [], false],
    ['still written (no rollover yet)', index('logs-api-000001', { writesEndedAt: null }), [], false],
    [
      'write index',
      index('logs-api-000001', { aliases: [{ name: 'logs-api', isWriteIndex: true }] }),
      [],
      false,
    ],
    ['not ours', index('other-000001'), [], false],
    [
      'already verified',
      index('logs-api-000001', { writesEndedAt: ended }),
      [snapshot('x', ['logs-api-000001'])],
      false,
    ],
    [
      'verified but taken before the last write',
      index('logs-api-000001', { writesEndedAt: ended }),
      [snapshot('x', ['logs-api-000001'], { start_time_in_millis: ended - 1 })],
      true,
    ],
    [
      'only a failed one',
      index('logs-api-000001'),
      [snapshot('x', ['logs-api-000001'], { state: 'FAILED' })],
      true,
    ],
    [
      'one in progress',
      index('logs-api-000001'),
      [snapshot('x', ['logs-api-000001'], { state: 'IN_PROGRESS' })],
      false,
    ],
    ['data stream backing index', index('.ds-logs-nginx-000001', { dataStream: 'logs-nginx' }), [], true],
  ])('%s', (_name, idx, snapshots, needed) => {
    expect(indicesNeedingSnapshot(cfg, [idx], snapshots, NOW).length).toBe(needed ? 1 : 0);
  });

  it('sm mode never takes snapshots itself', () => {
    const sm = config({
      snapshot: {
        mode: 'sm',
        sm: {
          creation: { schedule: { cron: { expression: '0 2 * * *', timezone: 'UTC' } } },
          deletion: { condition: { max_count: 5 } },
        },
      },
    });
    expect(indicesNeedingSnapshot(sm, [index('logs-api-000001')], [], NOW)).toEqual([]);
  });

  it('picks the newest verified covering snapshot', () => {
    const idx = index('logs-api-000001', { writesEndedAt: NOW - 5 * DAY });
    const snaps = [
      snapshot('old', ['logs-api-000001'], { start_time_in_millis: NOW - 4 * DAY }),
      snapshot('new', ['logs-api-000001', 'x'], { start_time_in_millis: NOW - 2 * DAY }),
      snapshot('newest-failed', ['logs-api-000001'], { start_time_in_millis: NOW - DAY, state: 'FAILED' }),
    ];
    expect(coveringSnapshot(idx, snaps)?.snapshot).toBe('new');
  });
});

describe('which indices may be deleted', () => {
  const cfg = config();
  const old = index('logs-api-000001', { createdAt: NOW - 31 * DAY, writesEndedAt: NOW - 30 * DAY });
  const snap = snapshot('s', ['logs-api-000001']);
  it.each([
    ['old, verified, catalogued', old, [snap], ['s'], ['s']],
    ['not catalogued', old, [snap], [], []],
    ['too young', { ...old, createdAt: NOW - 29 * DAY }, [snap], ['s'], []],
    ['snapshot partial', old, [snapshot('s', ['logs-api-000001'], { state: 'PARTIAL' })], ['s'], []],
    ['no snapshot', old, [], [], []],
    ['write index', { ...old, aliases: [{ name: 'logs-api', isWriteIndex: true }] }, [snap], ['s'], []],
  ])('%s', (_name, idx, snaps, catalogued, expected) => {
    expect(deletableIndices(cfg, [idx], snaps, new Set(catalogued), NOW).map((d) => d.snapshot)).toEqual(
      expected,
    );
  });
});
