import { describe, expect, it } from 'vitest';
import { formatProgress } from '../../../functions/core/archive/progress.ts';

describe('formatProgress', () => {
  it.each([
    [
      'half way',
      {
        records: 1200,
        bytes: 3_000_000,
        totalBytes: 6_000_000,
        objects: 3,
        totalObjects: 6,
        elapsedMs: 3000,
      },
      '[######------]   50%  1,200 records  3.0/6.0 MB  400 rec/s  1.0 MB/s  ETA 0:03',
    ],
    [
      'nothing read yet: no rate, no ETA',
      { records: 0, bytes: 0, totalBytes: 6_000_000, objects: 0, totalObjects: 6, elapsedMs: 0 },
      '[------------]    0%  0 records  0.0/6.0 MB  0 rec/s  0.0 MB/s  ETA --:--',
    ],
    [
      'done, long run',
      {
        records: 2_000_000,
        bytes: 9e9,
        totalBytes: 9e9,
        objects: 10,
        totalObjects: 10,
        elapsedMs: 3_723_000,
      },
      '[############]  100%  2,000,000 records  9000.0/9000.0 MB  537 rec/s  2.4 MB/s  ETA 0:00',
    ],
    [
      'hours of ETA',
      {
        records: 10,
        bytes: 1_000_000,
        totalBytes: 4_601_000_000,
        objects: 1,
        totalObjects: 100,
        elapsedMs: 1000,
      },
      '[------------]    0%  10 records  1.0/4601.0 MB  10 rec/s  1.0 MB/s  ETA 1:16:40',
    ],
    [
      'an empty listing is complete',
      { records: 0, bytes: 0, totalBytes: 0, objects: 0, totalObjects: 0, elapsedMs: 5 },
      '[############]  100%  0 records  0.0/0.0 MB  0 rec/s  0.0 MB/s  ETA --:--',
    ],
  ])('%s', (_name, progress, expected) => {
    expect(formatProgress(progress, 12)).toBe(expected);
  });
});
