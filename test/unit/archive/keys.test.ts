import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  archiveHour,
  archiveKey,
  parseArchiveKey,
  parseDeadLetterKey,
} from '../../../functions/core/archive/keys.ts';
import { DEAD_LETTER_WINDOW, deadLetterKey } from '../../../functions/core/bulk/index-batch.ts';
import { topicArb } from './arbitraries.ts';

const H = 3_600_000;

describe('archive keys', () => {
  it.each([
    ['mid-hour', Date.UTC(2026, 10, 20, 12, 34, 56, 789), Date.UTC(2026, 10, 20, 12)],
    ['on the hour', Date.UTC(2026, 10, 20, 0), Date.UTC(2026, 10, 20, 0)],
    ['last ms of the day', Date.UTC(2026, 10, 20, 23, 59, 59, 999), Date.UTC(2026, 10, 20, 23)],
    ['no Kafka timestamp (-1)', -1, 0],
    ['NaN', Number.NaN, 0],
    ['beyond Date', 9e15, 0],
  ])('archiveHour: %s', (_name, ts, hour) => {
    expect(archiveHour(ts)).toBe(hour);
  });

  it('formats the documented key', () => {
    expect(archiveKey('raw/', 'app-logs', Date.UTC(2026, 10, 20, 7), 3, 100, 199)).toBe(
      'raw/topic=app-logs/dt=2026-11-20/hour=07/partition=3/100-199.ndjson.gz',
    );
  });

  it('parse(format(parts)) gives the parts back', () => {
    fc.assert(
      fc.property(
        topicArb,
        fc.integer({ min: 0, max: 200_000 }),
        fc.nat({ max: 1000 }),
        fc.nat({ max: 2 ** 40 }),
        fc.nat({ max: 10_000 }),
        (topic, hour, partition, first, span) => {
          const key = archiveKey('raw/', topic, hour * H, partition, first, first + span);
          const iso = new Date(hour * H).toISOString();
          expect(parseArchiveKey('raw/', key)).toEqual({
            topic,
            dt: iso.slice(0, 10),
            hour: iso.slice(11, 13),
            partition,
            firstOffset: first,
            lastOffset: first + span,
          });
        },
      ),
    );
  });

  it.each([
    ['another prefix', 'other/topic=t/dt=2026-11-20/hour=07/partition=3/1-2.ndjson.gz'],
    ['no partition', 'raw/topic=t/dt=2026-11-20/hour=07/1-2.ndjson.gz'],
    ['last before first', 'raw/topic=t/dt=2026-11-20/hour=07/partition=3/5-2.ndjson.gz'],
    ['not gzip', 'raw/topic=t/dt=2026-11-20/hour=07/partition=3/1-2.ndjson'],
    ['a checkpoint', 'raw/replay-checkpoints/x.json'],
  ])('parseArchiveKey ignores %s', (_name, key) => {
    expect(parseArchiveKey('raw/', key)).toBeUndefined();
  });

  it('parses the bulk service dead-letter keys (a fixed window of offsets)', () => {
    fc.assert(
      fc.property(topicArb, fc.nat({ max: 100 }), fc.nat({ max: 2 ** 40 }), (t, p, offset) => {
        const first = Math.floor(offset / DEAD_LETTER_WINDOW) * DEAD_LETTER_WINDOW;
        expect(parseDeadLetterKey('dead-letters/', deadLetterKey('dead-letters/', t, p, offset))).toEqual({
          topic: t,
          partition: p,
          firstOffset: first,
          lastOffset: first + DEAD_LETTER_WINDOW - 1,
        });
      }),
    );
    expect(
      parseDeadLetterKey('dead-letters/', 'dead-letters/replay/topic=t/partition=0/1-2.ndjson.gz'),
    ).toBeUndefined();
  });
});
