import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { archiveHour, parseArchiveKey } from '../../../functions/core/archive/keys.ts';
import { decodeArchiveLine } from '../../../functions/core/archive/line.ts';
import { archiveObjects } from '../../../functions/core/archive/objects.ts';
import type { KafkaRecord } from '../../../functions/core/kafka/types.ts';
import { record, recordArb } from './arbitraries.ts';

const H = 3_600_000;
const T0 = Date.UTC(2026, 10, 20, 12);
const big = { prefix: 'raw/', maxObjectBytes: 1 << 30 };

function summary(records: KafkaRecord[], options = big) {
  return archiveObjects(records, options).map((o) => [o.key, o.records]);
}

describe('archiveObjects', () => {
  it.each([
    ['nothing', [], []],
    [
      'one partition, one hour: one object over the batch range',
      [record(3), record(4), record(5)],
      [['raw/topic=app-logs/dt=2026-11-20/hour=12/partition=0/3-5.ndjson.gz', 3]],
    ],
    [
      'out-of-order delivery is sorted by offset',
      [record(5), record(3), record(4)],
      [['raw/topic=app-logs/dt=2026-11-20/hour=12/partition=0/3-5.ndjson.gz', 3]],
    ],
    [
      'two partitions and two topics: one object each',
      [record(1), record(1, { partition: 1 }), record(9, { topic: 'nginx' }), record(2)],
      [
        ['raw/topic=app-logs/dt=2026-11-20/hour=12/partition=0/1-2.ndjson.gz', 2],
        ['raw/topic=app-logs/dt=2026-11-20/hour=12/partition=1/1-1.ndjson.gz', 1],
        ['raw/topic=nginx/dt=2026-11-20/hour=12/partition=0/9-9.ndjson.gz', 1],
      ],
    ],
    [
      'an hour boundary cuts the run',
      [
        record(1, { timestamp: T0 + H - 1 }),
        record(2, { timestamp: T0 + H }),
        record(3, { timestamp: T0 + H + 5 }),
      ],
      [
        ['raw/topic=app-logs/dt=2026-11-20/hour=12/partition=0/1-1.ndjson.gz', 1],
        ['raw/topic=app-logs/dt=2026-11-20/hour=13/partition=0/2-3.ndjson.gz', 2],
      ],
    ],
    [
      'timestamps going back and forth give disjoint runs, not overlapping objects',
      [record(1, { timestamp: T0 }), record(2, { timestamp: T0 + H }), record(3, { timestamp: T0 })],
      [
        ['raw/topic=app-logs/dt=2026-11-20/hour=12/partition=0/1-1.ndjson.gz', 1],
        ['raw/topic=app-logs/dt=2026-11-20/hour=13/partition=0/2-2.ndjson.gz', 1],
        ['raw/topic=app-logs/dt=2026-11-20/hour=12/partition=0/3-3.ndjson.gz', 1],
      ],
    ],
    [
      'no Kafka timestamp: the epoch hour',
      [record(1, { timestamp: -1 })],
      [['raw/topic=app-logs/dt=1970-01-01/hour=00/partition=0/1-1.ndjson.gz', 1]],
    ],
    [
      'a repeated offset is archived once',
      [record(1), record(1), record(2)],
      [['raw/topic=app-logs/dt=2026-11-20/hour=12/partition=0/1-2.ndjson.gz', 2]],
    ],
  ])('%s', (_name, records, expected) => {
    expect(summary(records)).toEqual(expected);
  });

  it('splits by size: no object above the cap unless one record alone is', () => {
    const records = Array.from({ length: 10 }, (_, i) => record(i));
    const lineBytes = archiveObjects([record(0)], big)[0]!.bytes;
    const objects = archiveObjects(records, { prefix: 'raw/', maxObjectBytes: lineBytes * 3 });
    expect(objects.map((o) => [o.firstOffset, o.lastOffset])).toEqual([
      [0, 2],
      [3, 5],
      [6, 8],
      [9, 9],
    ]);
    const tiny = archiveObjects(records.slice(0, 2), { prefix: 'raw/', maxObjectBytes: 10 });
    expect(tiny.map((o) => o.records)).toEqual([1, 1]);
  });

  it('include leaves other topics out', () => {
    const out = archiveObjects([record(1), record(2, { topic: 'secret' })], {
      ...big,
      include: (t) => t !== 'secret',
    });
    expect(out.map((o) => o.topic)).toEqual(['app-logs']);
  });

  it('properties: every record once, in offset order, keys agree with contents, deterministic', () => {
    fc.assert(
      fc.property(
        fc.array(recordArb, { maxLength: 60 }),
        fc.integer({ min: 50, max: 2000 }),
        (records, maxObjectBytes) => {
          const options = { prefix: 'raw/', maxObjectBytes };
          const objects = archiveObjects(records, options);
          expect(
            archiveObjects([...records].reverse(), options)
              .map((o) => o.key)
              .sort(),
          ).toEqual(objects.map((o) => o.key).sort());
          const seen = new Set<string>();
          for (const object of objects) {
            const lines = object.body.split('\n');
            expect(lines.pop()).toBe('');
            expect(lines).toHaveLength(object.records);
            expect(Buffer.byteLength(object.body)).toBe(object.bytes);
            if (object.records > 1) expect(object.bytes).toBeLessThanOrEqual(maxObjectBytes);
            const decoded = lines.map(decodeArchiveLine);
            const parts = parseArchiveKey('raw/', object.key)!;
            expect(parts.firstOffset).toBe(decoded[0]!.offset);
            expect(parts.lastOffset).toBe(decoded.at(-1)!.offset);
            for (let i = 0; i < decoded.length; i++) {
              const r = decoded[i]!;
              if (i > 0) expect(r.offset).toBeGreaterThan(decoded[i - 1]!.offset);
              expect([r.topic, r.partition]).toEqual([parts.topic, parts.partition]);
              expect(new Date(archiveHour(r.timestamp)).toISOString().slice(0, 13)).toBe(
                `${parts.dt}T${parts.hour}`,
              );
              const id = `${r.topic}/${r.partition}/${r.offset}`;
              expect(seen.has(id)).toBe(false);
              seen.add(id);
            }
          }
          expect(seen).toEqual(new Set(records.map((r) => `${r.topic}/${r.partition}/${r.offset}`)));
          // Disjoint key ranges within a partition: a replay can order by first offset.
          const byPartition = new Map<string, Array<[number, number]>>();
          for (const o of objects) {
            const list = byPartition.get(`${o.topic}/${o.partition}`) ?? [];
            list.push([o.firstOffset, o.lastOffset]);
            byPartition.set(`${o.topic}/${o.partition}`, list);
          }
          for (const ranges of byPartition.values()) {
            ranges.sort((a, b) => a[0] - b[0]);
            for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThan(ranges[i - 1]![1]);
          }
        },
      ),
    );
  });
});
