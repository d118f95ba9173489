import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chunkItems, type EncodedItem } from '../../../functions/core/bulk/chunk.ts';
import { ChunkWriter } from '../../../functions/core/bulk/chunk-writer.ts';
import { encodeItem, invalidSource } from './reference-encoding.ts';

const itemArb = fc.record({
  action: fc.constantFrom('create' as const, 'index' as const),
  index: fc.constantFrom('logs-app-2025.11.21', 'logs-é', 'i'),
  id: fc.string({ maxLength: 8 }),
  source: fc.oneof(
    fc.string({ unit: 'grapheme', maxLength: 60 }).map((s) => JSON.stringify({ m: s })),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('', '{"a":\n1}', '{"a":"🚀"}\n'),
  ),
});

describe('ChunkWriter', () => {
  it('packs exactly like chunkItems over encodeItem, and refuses what invalidSource refuses', () => {
    fc.assert(
      fc.property(fc.array(itemArb, { maxLength: 40 }), fc.integer({ min: 1, max: 400 }), (records, cap) => {
        const writer = new ChunkWriter(cap);
        const expected: EncodedItem[] = [];
        records.forEach((record, i) => {
          const reason = writer.add(i, record);
          expect(reason).toBe(invalidSource(record.source));
          if (reason === undefined) expected.push({ index: i, bytes: encodeItem(record) });
        });
        const chunks = writer.finish();
        const reference = chunkItems(expected, cap);
        expect(chunks.map((c) => c.indexes)).toEqual(reference.map((c) => c.indexes));
        expect(chunks.map((c) => c.oversized)).toEqual(reference.map((c) => c.oversized));
        expect(chunks.map((c) => c.offsets)).toEqual(reference.map((c) => c.offsets));
        chunks.forEach((chunk, k) => {
          expect(chunk.body.equals(reference[k]!.body)).toBe(true);
        });
        expect(writer.finish()).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('packs documents given as bytes, and whole pre-encoded items, the same way', () => {
    const form = fc.constantFrom('text' as const, 'bytes' as const, 'item' as const);
    fc.assert(
      fc.property(
        fc.array(fc.tuple(itemArb, form), { maxLength: 40 }),
        fc.integer({ min: 1, max: 400 }),
        (records, cap) => {
          const writer = new ChunkWriter(cap);
          const expected: EncodedItem[] = [];
          records.forEach(([record, as], i) => {
            const invalid = invalidSource(record.source);
            // The JSON fast path only ever hands over valid items.
            if (as === 'item' && invalid !== undefined) return;
            const given =
              as === 'text'
                ? record
                : as === 'bytes'
                  ? { ...record, source: Buffer.from(record.source) }
                  : { ...record, item: encodeItem(record) };
            expect(writer.add(i, given)).toBe(invalid);
            if (invalid === undefined) expected.push({ index: i, bytes: encodeItem(record) });
          });
          const chunks = writer.finish();
          const reference = chunkItems(expected, cap);
          expect(chunks.map((c) => [c.indexes, c.offsets, c.oversized])).toEqual(
            reference.map((c) => [c.indexes, c.offsets, c.oversized]),
          );
          chunks.forEach((chunk, k) => {
            expect(chunk.body.equals(reference[k]!.body)).toBe(true);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it.each([
    ['an empty document', '', 'document is empty'],
    ['a raw newline', '{"a":\n1}', 'document contains a raw newline'],
    ['a trailing newline', '{"a":1}\n', 'document contains a raw newline'],
    ['an escaped newline', '{"a":"\\n"}', undefined],
  ])('%s', (_name, source, reason) => {
    const writer = new ChunkWriter(1024);
    expect(writer.add(0, { action: 'create', index: 'i', id: 'x', source })).toBe(reason);
    expect(writer.finish().map((c) => c.indexes)).toEqual(reason === undefined ? [[0]] : []);
  });
});
