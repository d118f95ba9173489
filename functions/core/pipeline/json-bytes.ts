// A validating JSON scanner over the record's bytes, for the JSON fast path: it accepts exactly
// the objects JSON.parse accepts that can be copied into the document unchanged, and says where
// each top-level member is. Anything it is unsure of (an escaped or blank key, a duplicate key, a
// number JSON.stringify would write differently, a raw newline, a value over the limits) makes it
// return false, and the record takes the JSON.parse path, which handles every case. Non-ASCII
// bytes can only be valid inside strings: the scan notes whether any was seen (`nonAscii`), and
// the caller then checks the bytes are UTF-8 (one native isUtf8), so strings need no decoding here.

export const ValueTypes = { string: 0, number: 1, literal: 2, object: 3, array: 4 } as const;
export type ValueType = (typeof ValueTypes)[keyof typeof ValueTypes];

/** The top-level members of the last object scanned; arrays are reused from record to record. */
export interface ByteMembers {
  count: number;
  /** Index of each member key's opening quote. */
  keyStart: number[];
  /** Index just after each member key's closing quote. */
  keyEnd: number[];
  /** Index of each member value's first byte. */
  valueStart: number[];
  /** Index just after each member value. */
  valueEnd: number[];
  valueType: ValueType[];
  /** For a string value: it holds an escape, so its bytes are not its text. */
  escaped: boolean[];
  /** Total number of dots in keys at every depth (for the caller's dotted-key rules). */
  dottedKeys: number;
  /** Some string holds a byte over 0x7f: valid only if the whole is UTF-8, which the caller checks. */
  nonAscii: boolean;
}

/** Bounds under which the document's field limits surely hold (see limits.ts). */
export interface ByteLimits {
  /** Scalars and arrays, counted generously: at most this many. */
  maxLeaves: number;
  /** Nesting plus dots in keys stays below this. */
  maxDepth: number;
  /** A string value's encoded bytes (never fewer than its UTF-8 bytes) at most this many. */
  maxStringBytes: number;
}

export function createByteMembers(): ByteMembers {
  return {
    count: 0,
    keyStart: [],
    keyEnd: [],
    valueStart: [],
    valueEnd: [],
    valueType: [],
    escaped: [],
    dottedKeys: 0,
    nonAscii: false,
  };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const DOT = 0x2e;
const MINUS = 0x2d;
const PLUS = 0x2b;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const NEWLINE = 0x0a;
/** Integers of up to 15 digits print back as written (2^53 has 16). */
const SAFE_DIGITS = 15;

/** 1 for the ASCII bytes a string holds as they are (not `"`, `\\`, below 0x20 or over 0x7f). */
const PLAIN = new Uint8Array(256).map((_, c) =>
  c >= 0x20 && c < 0x80 && c !== QUOTE && c !== BACKSLASH ? 1 : 0,
);
/** 1 for JSON whitespace other than the newline (which would split the bulk line). */
const SPACE = new Uint8Array(256).map((_, c) => (c === 0x20 || c === 0x09 || c === 0x0d ? 1 : 0));
const HEX = new Uint8Array(256).map((_, c) =>
  (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) ? 1 : 0,
);
/** 1 for the bytes that may follow a backslash, but for `u`. */
const SIMPLE_ESCAPE = new Uint8Array(256).map((_, c) =>
  c === QUOTE ||
  c === BACKSLASH ||
  c === 0x2f ||
  c === 0x62 ||
  c === 0x66 ||
  c === 0x6e ||
  c === 0x72 ||
  c === 0x74
    ? 1
    : 0,
);

// Per open container: 1 object, 0 array; and for objects the key stack's base.
let kinds = new Int32Array(64);
let firsts = new Int32Array(64);
// Keys of the objects open on the stack, for the duplicate check: [start, end) of each key's text.
let keyFrom = new Int32Array(64);
let keyTo = new Int32Array(64);

function doubled(array: Int32Array): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(array.length * 2);
  bigger.set(array);
  return bigger;
}

/** The position of the first byte at or after `p` that is not SPACE (the newline is not). */
function afterSpace(bytes: Uint8Array, p: number, n: number): number {
  while (p < n && SPACE[bytes[p]!] === 1) p++;
  return p;
}

/** Whether JSON.stringify writes the number `bytes[start, end)` as it is written there. */
function numberPrintsBack(bytes: Uint8Array, start: number, end: number): boolean {
  let token = '';
  for (let i = start; i < end; i++) token += String.fromCharCode(bytes[i]!);
  return String(Number(token)) === token;
}

/**
 * Scans `bytes` (all of them) as one JSON object into `out`. True when it is valid JSON that the
 * document may copy as it is (see the file's comment); false sends the record to JSON.parse.
 * Whitespace (newlines included) may surround the object; none may sit inside it as a newline.
 *
 * One loop with its state in locals and an explicit stack of open containers: the recursive form
 * kept the state in module variables, which V8 reloads from their context on every access
 * (about 15% more time a small record in a micro-benchmark).
 */
export function scanJsonBytes(bytes: Uint8Array, limits: ByteLimits, out: ByteMembers): boolean {
  const n = bytes.length;
  const maxLeaves = limits.maxLeaves;
  const maxDepth = limits.maxDepth;
  const maxString = limits.maxStringBytes;
  let p = 0;
  let leaves = 0;
  let dots = 0;
  let nonAscii = false;
  let keyTop = 0;
  let top = 0;
  let depth = 0;
  let count = 0;
  // The root member being read: its key and value start.
  let rootKeyStart = 0;
  let rootKeyEnd = 0;
  let rootValueStart = 0;
  out.count = 0;
  while (p < n) {
    const c = bytes[p]!;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === NEWLINE) p++;
    else break;
  }
  if (bytes[p] !== OPEN_OBJECT) return false;
  // Each turn reads one value (after a key and colon, or as an array element), then what
  // follows it up to the next value, opening and closing containers on the way.
  p++;
  kinds[0] = 1;
  firsts[0] = 0;
  top = 1;
  depth = 1;
  // expect: 0 a member (key), 1 a value.
  let expect = 0;
  p = afterSpace(bytes, p, n);
  let c = bytes[p];
  if (c === NEWLINE) return false;
  if (c === CLOSE_OBJECT) {
    p++;
    top = 0;
  }
  while (top > 0) {
    if (expect === 0) {
      // A key at p.
      if (bytes[p] !== QUOTE) return false;
      const keyStart = p;
      const start = p + 1;
      let visible = false;
      let i = start;
      for (;;) {
        if (i >= n) return false;
        const k = bytes[i]!;
        if (k === QUOTE) break;
        if (k === BACKSLASH || k < 0x20) return false;
        if (k === DOT) {
          if (!visible) return false;
          visible = false;
          dots++;
        } else if (k > 0x20 && k < 0x7f) visible = true;
        else if (k >= 0x80) nonAscii = true;
        i++;
      }
      if (!visible) return false;
      const end = i;
      p = i + 1;
      const length = end - start;
      for (let k = firsts[top - 1]!; k < keyTop; k++) {
        const from = keyFrom[k]!;
        if (keyTo[k]! - from !== length) continue;
        let same = true;
        for (let j = 0; j < length; j++) {
          if (bytes[from + j] !== bytes[start + j]) {
            same = false;
            break;
          }
        }
        if (same) return false;
      }
      if (keyTop === keyFrom.length) {
        keyFrom = doubled(keyFrom);
        keyTo = doubled(keyTo);
      }
      keyFrom[keyTop] = start;
      keyTo[keyTop] = end;
      keyTop++;
      if (top === 1) {
        rootKeyStart = keyStart;
        rootKeyEnd = p;
      }
      p = afterSpace(bytes, p, n);
      c = bytes[p];
      if (c !== COLON) return false;
      p++;
      p = afterSpace(bytes, p, n);
      c = bytes[p];
      if (c === NEWLINE) return false;
      if (top === 1) rootValueStart = p;
    }
    // A value at p (c is bytes[p]).
    if (depth + dots >= maxDepth) return false;
    let type: ValueType;
    let escaped = false;
    if (c === QUOTE) {
      const start = p;
      let i = p + 1;
      for (;;) {
        while (i < n && PLAIN[bytes[i]!] === 1) i++;
        if (i >= n) return false;
        const s = bytes[i]!;
        if (s >= 0x80) {
          nonAscii = true;
          i++;
          continue;
        }
        if (s === QUOTE) break;
        if (s < 0x20) return false;
        // A backslash.
        escaped = true;
        const e = bytes[i + 1];
        if (e === 0x75) {
          if (
            i + 5 >= n ||
            HEX[bytes[i + 2]!] !== 1 ||
            HEX[bytes[i + 3]!] !== 1 ||
            HEX[bytes[i + 4]!] !== 1 ||
            HEX[bytes[i + 5]!] !== 1
          )
            return false;
          i += 6;
          continue;
        }
        if (e === undefined || SIMPLE_ESCAPE[e] !== 1) return false;
        i += 2;
      }
      p = i + 1;
      if (p - start - 2 > maxString) return false;
      if (++leaves > maxLeaves) return false;
      type = ValueTypes.string;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      if (top === kinds.length) {
        kinds = doubled(kinds);
        firsts = doubled(firsts);
      }
      p++;
      if (c === OPEN_ARRAY && ++leaves > maxLeaves) return false;
      p = afterSpace(bytes, p, n);
      const d = bytes[p];
      if (d === NEWLINE) return false;
      if (c === OPEN_OBJECT) {
        if (d === CLOSE_OBJECT) {
          p++;
          type = ValueTypes.object;
        } else {
          kinds[top] = 1;
          firsts[top] = keyTop;
          top++;
          depth++;
          expect = 0;
          continue;
        }
      } else if (d === CLOSE_ARRAY) {
        p++;
        type = ValueTypes.array;
      } else {
        kinds[top] = 0;
        top++;
        expect = 1;
        c = d;
        continue;
      }
    } else {
      if (c === 0x74) {
        if (bytes[p + 1] !== 0x72 || bytes[p + 2] !== 0x75 || bytes[p + 3] !== 0x65) return false;
        p += 4;
        type = ValueTypes.literal;
      } else if (c === 0x66) {
        if (bytes[p + 1] !== 0x61 || bytes[p + 2] !== 0x6c || bytes[p + 3] !== 0x73 || bytes[p + 4] !== 0x65)
          return false;
        p += 5;
        type = ValueTypes.literal;
      } else if (c === 0x6e) {
        if (bytes[p + 1] !== 0x75 || bytes[p + 2] !== 0x6c || bytes[p + 3] !== 0x6c) return false;
        p += 4;
        type = ValueTypes.literal;
      } else {
        const start = p;
        if (c === MINUS) p++;
        const intStart = p;
        let d = bytes[p];
        if (d === ZERO) p++;
        else if (d !== undefined && d >= 0x31 && d <= NINE) {
          p++;
          while (p < n && bytes[p]! >= ZERO && bytes[p]! <= NINE) p++;
        } else return false;
        const intEnd = p;
        let plain = true;
        if (bytes[p] === DOT) {
          plain = false;
          p++;
          const fracStart = p;
          while (p < n && bytes[p]! >= ZERO && bytes[p]! <= NINE) p++;
          if (p === fracStart) return false;
        }
        d = bytes[p];
        if (d === 0x65 || d === 0x45) {
          plain = false;
          p++;
          d = bytes[p];
          if (d === PLUS || d === MINUS) p++;
          const expStart = p;
          while (p < n && bytes[p]! >= ZERO && bytes[p]! <= NINE) p++;
          if (p === expStart) return false;
        }
        if (plain && intEnd - intStart <= SAFE_DIGITS) {
          if (intStart > start && intEnd - intStart === 1 && bytes[intStart] === ZERO) return false;
        } else if (!numberPrintsBack(bytes, start, p)) return false;
        type = ValueTypes.number;
      }
      if (++leaves > maxLeaves) return false;
    }
    // The value is read: record a root member, then close what ends here.
    for (;;) {
      if (top === 1) {
        const m = count++;
        out.keyStart[m] = rootKeyStart;
        out.keyEnd[m] = rootKeyEnd;
        out.valueStart[m] = rootValueStart;
        out.valueEnd[m] = p;
        out.valueType[m] = type;
        out.escaped[m] = escaped;
      }
      p = afterSpace(bytes, p, n);
      c = bytes[p];
      p++;
      if (c === COMMA) {
        p = afterSpace(bytes, p, n);
        c = bytes[p];
        if (c === NEWLINE) return false;
        expect = kinds[top - 1] === 1 ? 0 : 1;
        break;
      }
      const kind = kinds[top - 1];
      if (kind === 1 ? c !== CLOSE_OBJECT : c !== CLOSE_ARRAY) return false;
      top--;
      if (kind === 1) {
        keyTop = firsts[top]!;
        depth--;
        type = ValueTypes.object;
      } else type = ValueTypes.array;
      escaped = false;
      if (top === 0) break;
    }
  }
  while (p < n) {
    const t = bytes[p]!;
    if (t === 0x20 || t === 0x09 || t === 0x0d || t === NEWLINE) p++;
    else break;
  }
  if (p !== n) return false;
  out.count = count;
  out.dottedKeys = dots;
  out.nonAscii = nonAscii;
  return true;
}

/** Whether `bytes[start, end)` (a key's text, quotes excluded) equals `name` (ASCII). */
export function keyEquals(bytes: Uint8Array, start: number, end: number, name: Uint8Array): boolean {
  if (end - start !== name.length) return false;
  for (let i = 0; i < name.length; i++) if (bytes[start + i] !== name[i]) return false;
  return true;
}
