import { describe, expect, it } from 'vitest';
import {
  archivePrefixes,
  deadLetterPrefix,
  planArchiveObjects,
  planDeadLetterObjects,
} from '../../../functions/core/archive/plan.ts';

const at = (h: number, m = 0) => Date.UTC(2026, 10, 20, h, m);

describe('archivePrefixes', () => {
  it.each([
    ['within one hour', at(12, 10), at(12, 50), ['dt=2026-11-20/hour=12/']],
    [
      'until is exclusive: on the hour adds nothing',
      at(12),
      at(14),
      ['dt=2026-11-20/hour=12/', 'dt=2026-11-20/hour=13/'],
    ],
    [
      'partial hours at both ends',
      at(22, 30),
      at(23, 0) + 3_600_000 + 1,
      ['dt=2026-11-20/hour=22/', 'dt=2026-11-20/hour=23/', 'dt=2026-11-21/hour=00/'],
    ],
  ])('%s', (_name, since, until, expected) => {
    expect(archivePrefixes('raw/', 'app-logs', since, until)).toEqual(
      expected.map((p) => `raw/topic=app-logs/${p}`),
    );
  });

  it('refuses a range of more than about a year of hours', () => {
    expect(() => archivePrefixes('raw/', 't', 0, Date.UTC(2000, 0, 1))).toThrow(/hours/);
  });

  it('dead-letter prefixes, all topics or one', () => {
    expect(deadLetterPrefix('dead-letters/', undefined)).toBe('dead-letters/');
    expect(deadLetterPrefix('dead-letters/', 'a.b')).toBe('dead-letters/topic=a.b/');
  });
});

describe('planning the read order', () => {
  const key = (t: string, h: string, p: number, first: number, last: number) =>
    `raw/topic=${t}/dt=2026-11-20/hour=${h}/partition=${p}/${first}-${last}.ndjson.gz`;

  it('orders by partition then numeric offset (not lexically), across hours, drops foreign keys and repeats', () => {
    const listed = [
      key('t', '13', 0, 10, 19),
      key('t', '12', 0, 9, 9),
      key('t', '12', 1, 0, 4),
      key('t', '12', 0, 0, 8),
      'raw/topic=t/dt=2026-11-20/hour=12/notes.txt',
      key('other', '12', 0, 0, 1),
      key('t', '12', 0, 9, 9),
    ].map((k, i) => ({ key: k, size: i }));
    expect(
      planArchiveObjects('raw/', listed, 't').map((o) => [o.partition, o.firstOffset, o.lastOffset]),
    ).toEqual([
      [0, 0, 8],
      [0, 9, 9],
      [0, 10, 19],
      [1, 0, 4],
    ]);
  });

  it('a redelivered batch (same first, wider last) sorts after the narrower one', () => {
    const listed = [key('t', '12', 0, 5, 20), key('t', '12', 0, 5, 9)].map((k) => ({ key: k, size: 1 }));
    expect(planArchiveObjects('raw/', listed).map((o) => o.lastOffset)).toEqual([9, 20]);
  });

  it('dead letters: by topic, partition, offset; replay sub-prefixes are not dead-letter keys', () => {
    const listed = [
      'dead-letters/topic=b/partition=0/0-9.ndjson.gz',
      'dead-letters/topic=a/partition=1/100-199.ndjson.gz',
      'dead-letters/topic=a/partition=1/20-99.ndjson.gz',
      'dead-letters/replay/topic=a/partition=1/0-1.ndjson.gz',
    ].map((k) => ({ key: k, size: 1 }));
    expect(planDeadLetterObjects('dead-letters/', listed).map((o) => o.key)).toEqual([
      'dead-letters/topic=a/partition=1/20-99.ndjson.gz',
      'dead-letters/topic=a/partition=1/100-199.ndjson.gz',
      'dead-letters/topic=b/partition=0/0-9.ndjson.gz',
    ]);
    expect(planDeadLetterObjects('dead-letters/', listed, 'b')).toHaveLength(1);
  });
});
