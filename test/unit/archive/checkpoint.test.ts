import { describe, expect, it } from 'vitest';
import {
  checkpointKey,
  emptyTotals,
  HighWater,
  parseCheckpoint,
  requestFingerprint,
} from '../../../functions/core/archive/checkpoint.ts';
import { CheckpointError } from '../../../functions/core/archive/errors.ts';
import type { ReplayRequest } from '../../../functions/core/archive/request.ts';

const request: ReplayRequest = {
  source: 'archive',
  topic: 't',
  sinceMs: 1000,
  dryRun: false,
  restart: false,
  batchRecords: 500,
};

describe('checkpoint', () => {
  it('the key depends on what is replayed, not on how (flags, batch size)', () => {
    const key = checkpointKey('cp/', request);
    expect(key).toMatch(/^cp\/archive\/t\/[0-9a-f]{16}\.json$/);
    expect(checkpointKey('cp/', { ...request, dryRun: true, restart: true, batchRecords: 7 })).toBe(key);
    expect(checkpointKey('cp/', { ...request, sinceMs: 2000 })).not.toBe(key);
    expect(checkpointKey('cp/', { ...request, targetIndex: 'x' })).not.toBe(key);
    expect(checkpointKey('cp/', { ...request, checkpointKey: 'mine.json' })).toBe('mine.json');
  });

  it('round-trips and checks the request', () => {
    const stored = {
      version: 1,
      request: requestFingerprint(request),
      status: 'running',
      highWater: { 't-0': 41, 't-1': -1 },
      totals: { ...emptyTotals(), indexed: 42 },
      updatedAt: 'x',
    };
    const parsed = parseCheckpoint(JSON.stringify(stored), request);
    expect(parsed.highWater).toEqual({ 't-0': 41, 't-1': -1 });
    expect(parsed.totals.indexed).toBe(42);
    expect(parsed.status).toBe('running');
    expect(() => parseCheckpoint(JSON.stringify(stored), { ...request, topic: 'u' })).toThrow(
      /another replay/,
    );
  });

  it.each([
    ['not JSON', '{'],
    ['another version', JSON.stringify({ version: 2, highWater: {}, totals: {} })],
    [
      'a bad offset',
      JSON.stringify({
        version: 1,
        request: requestFingerprint(request),
        highWater: { 't-0': 'x' },
        totals: {},
      }),
    ],
  ])('rejects %s', (_name, text) => {
    expect(() => parseCheckpoint(text, request)).toThrow(CheckpointError);
  });

  it('HighWater covers offsets at or below the mark, per partition, and only rises', () => {
    const hw = new HighWater({ 't-0': 10 });
    expect(hw.covers({ topic: 't', partition: 0, offset: 10 })).toBe(true);
    expect(hw.covers({ topic: 't', partition: 0, offset: 11 })).toBe(false);
    expect(hw.covers({ topic: 't', partition: 1, offset: 0 })).toBe(false);
    hw.raise({ topic: 't', partition: 0, offset: 5 });
    hw.raise({ topic: 't', partition: 1, offset: 3 });
    expect(hw.toJSON()).toEqual({ 't-0': 10, 't-1': 3 });
  });
});
