import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeEntries } from '../../../functions/adapters/dead-letters.ts';
import type { DeadLetterEntry } from '../../../functions/core/bulk/types.ts';

const entry = (offset: number, reason = 'r', partition = 0): DeadLetterEntry => ({
  topic: 't',
  partition,
  offset,
  pipeline: 'p',
  errorType: 'parse_error',
  reason,
  original: null,
  time: '2026-11-20T00:00:00.000Z',
});

describe('dead-letter object merge', () => {
  it('keeps one entry per record, the later delivery winning, in offset order', () => {
    const merged = mergeEntries([entry(5, 'first'), entry(3)], [entry(5, 'second'), entry(9)]);
    expect(merged.map((e) => [e.offset, e.reason])).toEqual([
      [3, 'r'],
      [5, 'second'],
      [9, 'r'],
    ]);
  });

  it('records of other partitions with the same offset stay apart', () => {
    expect(mergeEntries([entry(1, 'a', 0)], [entry(1, 'b', 1)])).toHaveLength(2);
  });

  it('never holds a record twice, whatever the deliveries (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.nat(50), { maxLength: 20 }), { maxLength: 6 }), (deliveries) => {
        let stored: DeadLetterEntry[] = [];
        for (const offsets of deliveries)
          stored = mergeEntries(
            stored,
            offsets.map((o) => entry(o)),
          );
        const offsets = stored.map((e) => e.offset);
        expect(new Set(offsets).size).toBe(offsets.length);
        expect(new Set(offsets)).toEqual(new Set(deliveries.flat()));
      }),
    );
  });
});
