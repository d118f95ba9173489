import type { Chunk } from './chunk.ts';
import { actionLine, actionPrefixBytes, type WriteRecord } from './encode.ts';

// UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units).
const MAX_BYTES_PER_UNIT = 3;
const NEWLINE = 0x0a;
const QUOTE = 0x22;
/** What closes an action line after the id: `}}` and its newline. */
const ID_END = Uint8Array.of(0x7d, 0x7d, NEWLINE);
/** Ids written between quotes as they are: ASCII that JSON never escapes. */
const PLAIN_ID = /^[\w.:=-]*$/;
const NEWLINE_INSIDE = 'document contains a raw newline';
/** Smallest buffer allocated: a few chunks of a batch handed over in slices share one. */
const BLOCK_BYTES = 1024 * 1024;

/**
 * Encodes write records straight into chunk bodies: each item is written once into a preallocated
 * buffer, with no Buffer per item and no copy per chunk. Same packing as `chunkItems` (the tests
 * check it against a plain one-Buffer-per-item encoding): in order, greedy, at most `maxBytes` bytes (exact), an item over the cap alone and
 * flagged `oversized`.
 */
export class ChunkWriter {
  readonly #maxBytes: number;
  readonly #chunks: Chunk[] = [];
  /** Shared by consecutive chunks: each chunk's body is a view of its own stretch of it. */
  #buffer: Buffer | undefined;
  /** Where the chunk being filled starts in the buffer. */
  #base = 0;
  #offset = 0;
  #indexes: number[] = [];
  /** Relative to the chunk's start. */
  #offsets: number[] = [0];

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /**
   * Adds one record; returns why its document cannot go into an NDJSON body (then nothing is
   * added), or undefined: empty, or holding a raw newline that would split it into two bulk lines.
   * Checked on the bytes just written, where looking for a newline is one memchr.
   */
  add(
    index: number,
    record: Pick<WriteRecord, 'action' | 'index' | 'id' | 'source' | 'item'>,
  ): string | undefined {
    if (record.item !== undefined) return this.#addItem(index, record.item);
    const source = record.source;
    if (source.length === 0) return 'document is empty';
    // The action line from its cached start; a plain id (coordinates, hashes) is written as it is.
    const prefix = actionPrefixBytes(record.action, record.index);
    const id = record.id;
    const quotedId = PLAIN_ID.test(id) ? undefined : JSON.stringify(id);
    // A document given as bytes is copied; text is encoded here.
    const text = typeof source === 'string' ? source : undefined;
    const worst =
      prefix.length +
      ID_END.length +
      (quotedId === undefined ? id.length + 2 : quotedId.length * MAX_BYTES_PER_UNIT) +
      1 +
      (text === undefined ? source.length : text.length * MAX_BYTES_PER_UNIT);
    let buffer = this.#buffer;
    if (
      buffer === undefined ||
      buffer.length - this.#offset < worst ||
      this.#offset - this.#base + worst > this.#maxBytes
    ) {
      // Not surely room for the worst case: count the bytes exactly.
      const header = actionLine(record.action, record.index, record.id);
      const length =
        Buffer.byteLength(header) + (text === undefined ? source.length : Buffer.byteLength(text)) + 1;
      if (length > this.#maxBytes) return this.#addOversized(index, header, source, length);
      if (this.#offset - this.#base + length > this.#maxBytes) {
        // A refused document must not end the current chunk: check before starting a new one.
        if (source.includes('\n')) return NEWLINE_INSIDE;
        this.#flush();
      }
      if (buffer === undefined || buffer.length - this.#offset < length) buffer = this.#grow(length);
    }
    const start = this.#offset;
    let at = start + prefix.copy(buffer, start);
    if (quotedId === undefined) {
      buffer[at++] = QUOTE;
      at += buffer.write(id, at, 'latin1');
      buffer[at++] = QUOTE;
    } else at += buffer.write(quotedId, at);
    for (let i = 0; i < ID_END.length; i++) buffer[at++] = ID_END[i]!;
    const sourceStart = at;
    const end =
      sourceStart +
      (text === undefined ? (source as Buffer).copy(buffer, sourceStart) : buffer.write(text, sourceStart));
    buffer[end] = NEWLINE;
    // The newline just written bounds the search: any earlier one is inside the document.
    if (buffer.indexOf(NEWLINE, sourceStart) !== end) return NEWLINE_INSIDE;
    this.#indexes.push(index);
    this.#offsets.push(end + 1 - this.#base);
    this.#offset = end + 1;
    return undefined;
  }

  /**
   * Adds an item the JSON fast path encoded whole (action line, document, newline): one copy. Its
   * writer guarantees one newline, at the end (json-bytes.ts refuses any inside the document).
   */
  #addItem(index: number, item: Buffer): string | undefined {
    const length = item.length;
    if (length > this.#maxBytes) {
      this.#flush();
      this.#chunks.push({ body: item, indexes: [index], offsets: [0, length], oversized: true });
      return undefined;
    }
    if (this.#offset - this.#base + length > this.#maxBytes) this.#flush();
    let buffer = this.#buffer;
    if (buffer === undefined || buffer.length - this.#offset < length) buffer = this.#grow(length);
    const end = this.#offset + item.copy(buffer, this.#offset);
    this.#indexes.push(index);
    this.#offsets.push(end - this.#base);
    this.#offset = end;
    return undefined;
  }

  /**
   * A new buffer with room for the chunk being filled plus `length` bytes; the chunk's bytes are
   * copied over (rare: a buffer holds several chunks, and doubles up to the cap).
   */
  #grow(length: number): Buffer {
    const used = this.#offset - this.#base;
    const size = Math.min(this.#maxBytes, Math.max(BLOCK_BYTES, 2 * (used + length)));
    const buffer = Buffer.allocUnsafe(size);
    this.#buffer?.copy(buffer, 0, this.#base, this.#offset);
    this.#buffer = buffer;
    this.#base = 0;
    this.#offset = used;
    return buffer;
  }

  /** Bytes written to the chunk being filled. */
  get pendingBytes(): number {
    return this.#offset - this.#base;
  }

  /** Ends the chunk being filled now, whatever its size (nothing when it is empty). */
  cut(): void {
    this.#flush();
  }

  /** The chunks completed so far, in order; they are handed over once. */
  take(): Chunk[] {
    return this.#chunks.splice(0);
  }

  /** The chunks, in order; the writer is then empty. */
  finish(): Chunk[] {
    this.#flush();
    this.#buffer = undefined;
    this.#base = 0;
    this.#offset = 0;
    return this.#chunks.splice(0);
  }

  #addOversized(index: number, header: string, source: string | Buffer, length: number): string | undefined {
    const body = Buffer.allocUnsafe(length);
    const sourceStart = body.write(header, 0);
    if (typeof source === 'string') body.write(source, sourceStart);
    else source.copy(body, sourceStart);
    body[length - 1] = NEWLINE;
    if (body.indexOf(NEWLINE, sourceStart) !== length - 1) return NEWLINE_INSIDE;
    this.#flush();
    this.#chunks.push({ body, indexes: [index], offsets: [0, length], oversized: true });
    return undefined;
  }

  #flush(): void {
    if (this.#indexes.length === 0) return;
    this.#chunks.push({
      body: this.#buffer!.subarray(this.#base, this.#offset),
      indexes: this.#indexes,
      offsets: this.#offsets,
      oversized: false,
    });
    this.#indexes = [];
    this.#offsets = [0];
    this.#base = this.#offset;
  }
}
