/**
 * Record values decoded many at a time. Node's base64 decoder costs about 0.4–0.6 µs a call for
 * a 170-character value here, most of it per call; copying a run of values into one buffer and
 * decoding the run in one call costs about 0.16 µs a value. Each value's padding becomes `A`s, so
 * the values decode back to back; a value's own bytes are the first `length / 4 * 3 - padding`.
 *
 * Only what decodeBase64 would take goes in a run: a run whose output is shorter than its text
 * promises (a character outside the alphabet, or `=` inside a value, which stops Node's decoder)
 * is dropped whole, and its records are decoded one by one as before, so the result is always
 * decodeBase64's (test/unit/kafka/values.test.ts holds the two together).
 */
export class ValueRun {
  /** The list the run was decoded from, and the positions `[first, end)` it covers. */
  list: readonly unknown[] | undefined;
  first = 0;
  end = 0;
  /** The run's values, back to back; `start[i]`…`stop[i]` for record `first + i`, or -1 when not in the run. */
  bytes: Buffer = Buffer.alloc(0);
  start = new Int32Array(0);
  stop = new Int32Array(0);

  /** Decodes the values of `records[first…]` until about `maxTextBytes` of text or `maxRecords`. */
  decode(records: readonly unknown[], first: number, maxRecords: number, maxTextBytes: number): void {
    const limit = Math.min(records.length, first + maxRecords);
    if (this.start.length < maxRecords) {
      this.start = new Int32Array(maxRecords);
      this.stop = new Int32Array(maxRecords);
    }
    const start = this.start;
    const stop = this.stop;
    let text = 0;
    let out = 0;
    let at = first;
    for (; at < limit && text < maxTextBytes; at++) {
      const i = at - first;
      start[i] = -1;
      const raw = records[at] as { value?: unknown } | null | undefined;
      const value = typeof raw === 'object' && raw !== null ? raw.value : undefined;
      if (typeof value !== 'string' || value.length === 0 || value.length % 4 !== 0) continue;
      // As UTF-8, with room for 3 bytes a character: a value with any character over 0x7f writes
      // more bytes than it has characters, and room for all of them keeps that count exact.
      if (stage.length < text + 3 * value.length) grow(text + 3 * value.length);
      const written = stage.write(value, text, 'utf8');
      if (written !== value.length) continue;
      let padding = 0;
      if (stage[text + written - 1] === EQUALS) {
        padding = stage[text + written - 2] === EQUALS ? 2 : 1;
        stage[text + written - 1] = A;
        if (padding === 2) stage[text + written - 2] = A;
      }
      start[i] = out;
      stop[i] = out + (written / 4) * 3 - padding;
      out += (written / 4) * 3;
      text += written;
    }
    this.list = records;
    this.first = first;
    this.end = at;
    const run = stage.subarray(0, text);
    // Node's decoder also takes the URL-safe alphabet, which decodeBase64 refuses.
    const bytes = Buffer.allocUnsafe(out);
    if (
      run.indexOf(DASH) !== -1 ||
      run.indexOf(UNDERSCORE) !== -1 ||
      bytes.write(run.toString('latin1'), 0, 'base64') !== out
    ) {
      start.fill(-1, 0, at - first);
    }
    this.bytes = bytes;
  }

  /** Whether record `position` of `records` is in the run. */
  covers(records: readonly unknown[], position: number): boolean {
    return this.list === records && position >= this.first && position < this.end;
  }

  /**
   * The value of record `position` (covered by the run): its bytes, or undefined when it was not
   * decoded here (decode it alone).
   */
  valueAt(position: number): Buffer | undefined {
    const i = position - this.first;
    const start = this.start[i]!;
    return start === -1 ? undefined : this.bytes.subarray(start, this.stop[i]);
  }

  /** Lets go of the event's list and the run's bytes. */
  clear(): void {
    this.list = undefined;
    this.first = 0;
    this.end = 0;
    this.bytes = Buffer.alloc(0);
  }
}

const EQUALS = 0x3d;
const A = 0x41;
const DASH = 0x2d;
const UNDERSCORE = 0x5f;

/** Where a run's text is gathered (one per container: a run is decoded synchronously). */
let stage = Buffer.allocUnsafe(64 * 1024);

function grow(bytes: number): void {
  const next = Buffer.allocUnsafe(Math.max(bytes, stage.length * 2));
  stage.copy(next);
  stage = next;
}
