import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Coordinates, Outcome } from '../../../functions/core/bulk/types.ts';
import { batchResponse } from '../../../functions/core/kafka/batch-response.ts';

const at = (topic: string, partition: number, offset: number, outcome: Outcome) => ({
  coords: { topic, partition, offset },
  outcome,
});

describe('batchResponse', () => {
  it.each([
    ['nothing reported', [at('t', 0, 1, 'indexed'), at('t', 0, 2, 'dead_lettered')], []],
    [
      'the lowest reported offset per partition, as object ids',
      [
        at('app-logs', 0, 9, 'reported'),
        at('app-logs', 0, 5, 'indexed'),
        at('app-logs', 0, 7, 'reported'),
        at('app-logs', 1, 3, 'reported'),
        at('app-logs', 1, 1, 'duplicate'),
        at('nginx-access', 0, 8, 'dropped'),
      ],
      [
        { itemIdentifier: { partition: 'app-logs-0', offset: 7 } },
        { itemIdentifier: { partition: 'app-logs-1', offset: 3 } },
      ],
    ],
    [
      'a topic with dashes',
      [at('a-b-1', 2, 0, 'reported')],
      [{ itemIdentifier: { partition: 'a-b-1-2', offset: 0 } }],
    ],
  ])('%s', (_name, settled, expected) => {
    expect(batchResponse(settled).batchItemFailures).toEqual(expected);
  });

  it('one entry per partition with a reported record, at its lowest reported offset', () => {
    const outcome = fc.constantFrom<Outcome>('indexed', 'duplicate', 'dropped', 'dead_lettered', 'reported');
    const item = fc.record({
      coords: fc.record({
        topic: fc.constantFrom('a', 'a-1', 'b'),
        partition: fc.nat(3),
        offset: fc.nat(100),
      }),
      outcome,
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), (settled) => {
        const failures = batchResponse(settled).batchItemFailures;
        const reported = new Map<string, number>();
        for (const { coords, outcome: o } of settled as Array<{ coords: Coordinates; outcome: Outcome }>) {
          if (o !== 'reported') continue;
          const id = `${coords.topic}-${coords.partition}`;
          reported.set(id, Math.min(reported.get(id) ?? Number.POSITIVE_INFINITY, coords.offset));
        }
        expect(failures).toHaveLength(reported.size);
        for (const f of failures) {
          expect(typeof f.itemIdentifier).toBe('object');
          expect(f.itemIdentifier.offset).toBe(reported.get(f.itemIdentifier.partition));
        }
      }),
    );
  });
});
