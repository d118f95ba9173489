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
  items: EncodedItem[];
  /** A single item larger than the cap: a 413 on it cannot be cured by splitting. */
  oversized: boolean;
}

export const DEFAULT_MAX_CHUNK_BYTES = 5 * 1024 * 1024;

function toChunk(items: EncodedItem[], byteLength: number, oversized: boolean): Chunk {
  const body = Buffer.allocUnsafe(byteLength);
  const indexes: number[] = new Array(items.length);
  const views: EncodedItem[] = new Array(items.length);
  let offset = 0;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    const length = item.bytes.copy(body, offset);
    indexes[i] = item.index;
    // The chunk's items are views of its body, so each item's own buffer can be collected.
    views[i] = { index: item.index, bytes: body.subarray(offset, offset + length) };
    offset += length;
  }
  return { body, indexes, items: views, oversized };
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

/** Splits a chunk in two halves by item count (after a 413). A single item cannot be split. */
export function splitChunk(chunk: Chunk): [Chunk, Chunk] | undefined {
  if (chunk.items.length < 2) return undefined;
  const middle = Math.ceil(chunk.items.length / 2);
  const halves = [chunk.items.slice(0, middle), chunk.items.slice(middle)] as const;
  const [first, second] = halves.map((half) =>
    toChunk(
      half,
      half.reduce((sum, item) => sum + item.bytes.length, 0),
      false,
    ),
  );
  return [first!, second!];
}
