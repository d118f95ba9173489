/** One encoded bulk item and the position of its record in the batch. */
export interface EncodedItem {
  index: number;
  bytes: Buffer;
}

/** One bulk request body and the records it carries, in order. */
export interface Chunk {
  body: Buffer;
  /** Record positions in the batch, in body order (the order of the response items). */
  indexes: number[];
  /**
   * Byte offsets of the items in the body: item k is `body[offsets[k], offsets[k + 1])`. Offsets,
   * not one Buffer view per item: views are made only for the few items that are sent again.
   */
  offsets: number[];
  /** A single item larger than the cap: a 413 on it cannot be cured by splitting. */
  oversized: boolean;
}

export const DEFAULT_MAX_CHUNK_BYTES = 5 * 1024 * 1024;

/** Item k of a chunk, as a view of the chunk's body. */
export function chunkItem(chunk: Chunk, k: number): EncodedItem {
  return { index: chunk.indexes[k]!, bytes: chunk.body.subarray(chunk.offsets[k]!, chunk.offsets[k + 1]!) };
}

function toChunk(items: readonly EncodedItem[], byteLength: number, oversized: boolean): Chunk {
  const body = Buffer.allocUnsafe(byteLength);
  const indexes: number[] = new Array(items.length);
  const offsets: number[] = new Array(items.length + 1);
  let offset = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    offsets[i] = offset;
    indexes[i] = item.index;
    offset += item.bytes.copy(body, offset);
  }
  offsets[items.length] = offset;
  return { body, indexes, offsets, oversized };
}

/**
 * Packs items, in order, into bodies of at most `maxBytes` bytes (exact byte count). An item larger
 * than the cap goes alone in its own chunk, flagged `oversized`.
 */
export function chunkItems(
  items: readonly EncodedItem[],
  maxBytes: number = DEFAULT_MAX_CHUNK_BYTES,
): Chunk[] {
  const chunks: Chunk[] = [];
  let current: EncodedItem[] = [];
  let size = 0;
  for (const item of items) {
    const length = item.bytes.length;
    if (length > maxBytes) {
      if (current.length > 0) chunks.push(toChunk(current, size, false));
      chunks.push(toChunk([item], length, true));
      current = [];
      size = 0;
      continue;
    }
    if (size + length > maxBytes && current.length > 0) {
      chunks.push(toChunk(current, size, false));
      current = [];
      size = 0;
    }
    current.push(item);
    size += length;
  }
  if (current.length > 0) chunks.push(toChunk(current, size, false));
  return chunks;
}

/**
 * Splits a chunk in two halves by item count (after a 413). A single item cannot be split. The
 * halves are views of the chunk's body: nothing is copied.
 */
export function splitChunk(chunk: Chunk): [Chunk, Chunk] | undefined {
  const count = chunk.indexes.length;
  if (count < 2) return undefined;
  const middle = Math.ceil(count / 2);
  const cut = chunk.offsets[middle]!;
  return [
    {
      body: chunk.body.subarray(0, cut),
      indexes: chunk.indexes.slice(0, middle),
      offsets: chunk.offsets.slice(0, middle + 1),
      oversized: false,
    },
    {
      body: chunk.body.subarray(cut),
      indexes: chunk.indexes.slice(middle),
      offsets: chunk.offsets.slice(middle).map((offset) => offset - cut),
      oversized: false,
    },
  ];
}
