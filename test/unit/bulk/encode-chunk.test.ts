import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  chunkItems,
  DEFAULT_MAX_CHUNK_BYTES,
  type EncodedItem,
  splitChunk,
} from '../../../functions/core/bulk/chunk.ts';
import { encodeItem, invalidSource } from './reference-encoding.ts';

describe('encodeItem', () => {
  it.each([
    [
      'create',
      { action: 'create', index: 'logs-app-2025.11.21', id: 'a1', source: '{"message":"hi"}' },
      '{"create":{"_index":"logs-app-2025.11.21","_id":"a1"}}\n{"message":"hi"}\n',
    ],
    [
      'index, with quotes and backslashes escaped in index and id',
      { action: 'index', index: 'we"ird\\x', id: 'id"\n1', source: '{}' },
      '{"index":{"_index":"we\\"ird\\\\x","_id":"id\\"\\n1"}}\n{}\n',
    ],
    [
      'multi-byte UTF-8 document copied as is',
      { action: 'create', index: 'i', id: 'é', source: '{"m":"✗ carte refusée 🚀"}' },
      '{"create":{"_index":"i","_id":"é"}}\n{"m":"✗ carte refusée 🚀"}\n',
    ],
  ] as const)('%s', (_name, record, expected) => {
    const bytes = encodeItem(record);
    expect(bytes.toString('utf8')).toBe(expected);
    expect(bytes.length).toBe(Buffer.byteLength(expected, 'utf8'));
  });

  it('the action line is always valid JSON naming the same index and id', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (index, id) => {
        const text = encodeItem({ action: 'create', index, id, source: '{}' }).toString('utf8');
        const lines = text.split('\n');
        expect(lines).toHaveLength(3);
        expect(JSON.parse(lines[0]!)).toEqual({ create: { _index: index, _id: id } });
      }),
    );
  });

  it.each([
    ['{"a":1}', undefined],
    ['', 'document is empty'],
    ['{"a":\n1}', 'document contains a raw newline'],
  ])('invalidSource(%j) = %j', (source, expected) => {
    expect(invalidSource(source)).toBe(expected);
  });
});

const item = (index: number, size: number): EncodedItem => ({ index, bytes: Buffer.alloc(size, 0x61) });

describe('chunkItems', () => {
  it('the default cap is 5 MiB', () => {
    expect(DEFAULT_MAX_CHUNK_BYTES).toBe(5_242_880);
  });

  it.each([
    ['exactly the cap fits', [4, 6], 10, [[0, 1]], [10], [false]],
    ['one byte over starts a new chunk', [4, 7], 10, [[0], [1]], [4, 7], [false, false]],
    ['several full chunks', [5, 5, 5, 5, 1], 10, [[0, 1], [2, 3], [4]], [10, 10, 1], [false, false, false]],
    [
      'an oversized item goes alone, flagged',
      [3, 11, 3],
      10,
      [[0], [1], [2]],
      [3, 11, 3],
      [false, true, false],
    ],
    ['nothing in, nothing out', [], 10, [], [], []],
  ])('%s', (_name, sizes, cap, indexes, bytes, oversized) => {
    const chunks = chunkItems(
      sizes.map((size, i) => item(i, size)),
      cap,
    );
    expect(chunks.map((c) => c.indexes)).toEqual(indexes);
    expect(chunks.map((c) => c.body.length)).toEqual(bytes);
    expect(chunks.map((c) => c.oversized)).toEqual(oversized);
  });

  it('counts bytes, not characters (multi-byte UTF-8)', () => {
    const items = ['{"m":"é"}', '{"m":"🚀"}'].map((source, index) => ({
      index,
      bytes: encodeItem({ action: 'create', index: 'i', id: String(index), source }),
    }));
    const exact = items[0]!.bytes.length + items[1]!.bytes.length;
    expect(chunkItems(items, exact)).toHaveLength(1);
    expect(chunkItems(items, exact - 1)).toHaveLength(2);
    expect(items[1]!.bytes.length).toBe(
      Buffer.byteLength('{"create":{"_index":"i","_id":"1"}}\n{"m":"🚀"}\n'),
    );
  });

  it('chunks concatenate back to all items in order, none over the cap unless alone', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 50 }), { maxLength: 60 }),
        fc.integer({ min: 1, max: 80 }),
        (sizes, cap) => {
          const items = sizes.map((size, i) => ({ index: i, bytes: Buffer.alloc(size, i % 256) }));
          const chunks = chunkItems(items, cap);
          expect(chunks.flatMap((c) => c.indexes)).toEqual(items.map((i) => i.index));
          expect(Buffer.concat(chunks.map((c) => c.body))).toEqual(Buffer.concat(items.map((i) => i.bytes)));
          for (const chunk of chunks) {
            if (chunk.body.length > cap) expect(chunk.indexes).toHaveLength(1);
            expect(chunk.oversized).toBe(chunk.body.length > cap);
          }
          // Greedy: a chunk could not have taken the next chunk's first item.
          for (let k = 0; k + 1 < chunks.length; k++) {
            const next = items[chunks[k + 1]!.indexes[0]!]!;
            expect(chunks[k]!.body.length + next.bytes.length).toBeGreaterThan(cap);
          }
        },
      ),
    );
  });
});

describe('splitChunk', () => {
  it('halves by item count, keeping order and bytes', () => {
    const [chunk] = chunkItems([item(0, 1), item(1, 2), item(2, 3)], 100);
    const halves = splitChunk(chunk!);
    expect(halves?.map((h) => h.indexes)).toEqual([[0, 1], [2]]);
    expect(halves?.map((h) => h.body.length)).toEqual([3, 3]);
  });

  it('cannot split a single item', () => {
    expect(splitChunk(chunkItems([item(0, 5)], 100)[0]!)).toBeUndefined();
  });
});
