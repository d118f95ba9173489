import { describe, expect, it } from 'vitest';
import { ReplayRequestError } from '../../../functions/core/archive/errors.ts';
import { parseReplayRequest, parseReplayTime } from '../../../functions/core/archive/request.ts';

const NOW = Date.UTC(2026, 10, 21, 20);

describe('parseReplayTime', () => {
  it.each([
    ['ISO with zone', '2026-11-20T12:00:00Z', Date.UTC(2026, 10, 20, 12)],
    ['ISO date only (UTC)', '2026-11-20', Date.UTC(2026, 10, 20)],
    ['ISO with offset', '2026-11-20T14:00:00+02:00', Date.UTC(2026, 10, 20, 12)],
    ['epoch ms text', '1763640000000', 1763640000000],
    ['epoch ms number', 1763640000000, 1763640000000],
    ['minutes ago', '90m', NOW - 90 * 60_000],
    ['hours ago', '6h', NOW - 6 * 3_600_000],
    ['days ago', '2d', NOW - 2 * 86_400_000],
  ])('%s', (_name, value, expected) => {
    expect(parseReplayTime(value, 'since', NOW)).toBe(expected);
  });

  it.each([['yesterday'], ['2026-13-45'], ['6 hours'], [''], [null], [Number.NaN]])('rejects %j', (value) => {
    expect(() => parseReplayTime(value, 'since', NOW)).toThrow(ReplayRequestError);
  });
});

describe('parseReplayRequest', () => {
  it('an archive request with defaults', () => {
    expect(
      parseReplayRequest({ source: 'archive', topic: 'app-logs', since: '2026-11-20T12:00:00Z' }, NOW),
    ).toEqual({
      source: 'archive',
      topic: 'app-logs',
      sinceMs: Date.UTC(2026, 10, 20, 12),
      dryRun: false,
      restart: false,
      batchRecords: 500,
    });
  });

  it('every option', () => {
    expect(
      parseReplayRequest(
        {
          source: 'archive',
          topic: 't',
          since: '2h',
          until: '1h',
          targetIndex: 'logs-replayed',
          dryRun: true,
          restart: true,
          checkpointKey: 'cp/x.json',
          batchRecords: 50,
        },
        NOW,
      ),
    ).toEqual({
      source: 'archive',
      topic: 't',
      sinceMs: NOW - 2 * 3_600_000,
      untilMs: NOW - 3_600_000,
      targetIndex: 'logs-replayed',
      dryRun: true,
      restart: true,
      checkpointKey: 'cp/x.json',
      batchRecords: 50,
    });
  });

  it('dead letters need no topic or range', () => {
    expect(parseReplayRequest({ source: 'dead-letters' }, NOW)).toEqual({
      source: 'dead-letters',
      dryRun: false,
      restart: false,
      batchRecords: 500,
    });
  });

  it.each([
    ['not an object', 'archive', /object/],
    ['unknown source', { source: 'kafka' }, /source/],
    ['unknown field', { source: 'dead-letters', dryrun: true }, /unknown field "dryrun"/],
    ['archive without topic', { source: 'archive', since: '1h' }, /topic/],
    ['archive without since', { source: 'archive', topic: 't' }, /since/],
    ['until before since', { source: 'archive', topic: 't', since: '1h', until: '2h' }, /after since/],
    ['range on dead letters', { source: 'dead-letters', since: '1h' }, /archive only/],
    ['bad topic', { source: 'dead-letters', topic: 'a/b' }, /topic/],
    ['upper-case index', { source: 'dead-letters', targetIndex: 'Logs' }, /targetIndex/],
    ['index starting with _', { source: 'dead-letters', targetIndex: '_all' }, /targetIndex/],
    ['dryRun as text', { source: 'dead-letters', dryRun: 'yes' }, /dryRun/],
    ['zero batch', { source: 'dead-letters', batchRecords: 0 }, /batchRecords/],
  ])('rejects %s', (_name, input, message) => {
    expect(() => parseReplayRequest(input, NOW)).toThrow(ReplayRequestError);
    expect(() => parseReplayRequest(input, NOW)).toThrow(message);
  });
});
