// The fast path's JSON scanner in its first, recursive form (functions/core/pipeline/json-bytes.ts
// before it became one loop), kept as a reference: the property test in json-bytes.test.ts holds
// the loop to the same verdicts and member spans on generated and mutated input.
import {
  type ByteLimits,
  type ByteMembers,
  createByteMembers,
  type ValueType,
  ValueTypes,
} from '../../../functions/core/pipeline/json-bytes.ts';

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

// Scanner state for the record being scanned: module-level, so no closure or object per record.
// Always a Buffer (never a plain Uint8Array), so element reads stay monomorphic.
let b: Uint8Array = Buffer.alloc(0);
let p = 0;
let n = 0;
let leaves = 0;
let dots = 0;
let lim: ByteLimits = { maxLeaves: 0, maxDepth: 0, maxStringBytes: 0 };
let escapedString = false;
let nonAscii = false;
// Keys of the objects open on the stack, for the duplicate check: [start, end) of each key's text.
const keyFrom: number[] = [];
const keyTo: number[] = [];
let keyTop = 0;

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

/** Skips JSON whitespace; false on a raw newline (it would split the bulk line). */
function skipSpace(): boolean {
  const c = b[p];
  // Most JSON is written without spaces: no loop then.
  if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return c !== NEWLINE;
  while (p < n) {
    const d = b[p]!;
    if (d === 0x20 || d === 0x09 || d === 0x0d) p++;
    else return d !== NEWLINE;
  }
  return true;
}

/** 1 for the ASCII bytes a string holds as they are (not `"`, `\\`, below 0x20 or over 0x7f). */
const PLAIN = new Uint8Array(256).map((_, c) =>
  c >= 0x20 && c < 0x80 && c !== QUOTE && c !== BACKSLASH ? 1 : 0,
);

/** A string at `p` (its opening quote); leaves `p` after the closing quote. */
function scanString(): boolean {
  // Locals in the loop: the module-level state lives in a context V8 reloads on every access.
  const bytes = b;
  const end = n;
  let i = p + 1;
  let escaped = false;
  while (i < end) {
    // Ordinary bytes in one tight loop; the table marks quote, backslash and control bytes.
    while (i < end && PLAIN[bytes[i]!] === 1) i++;
    if (i >= end) return false;
    const c = bytes[i]!;
    if (c >= 0x80) {
      nonAscii = true;
      i++;
      continue;
    }
    if (c === QUOTE) {
      p = i + 1;
      escapedString = escaped;
      return true;
    }
    if (c < 0x20) return false;
    if (c === BACKSLASH) {
      escaped = true;
      const e = bytes[i + 1];
      if (e === 0x75) {
        // \uXXXX
        if (
          i + 5 >= end ||
          !isHex(bytes[i + 2]!) ||
          !isHex(bytes[i + 3]!) ||
          !isHex(bytes[i + 4]!) ||
          !isHex(bytes[i + 5]!)
        )
          return false;
        i += 6;
        continue;
      }
      if (
        e !== QUOTE &&
        e !== BACKSLASH &&
        e !== 0x2f &&
        e !== 0x62 &&
        e !== 0x66 &&
        e !== 0x6e &&
        e !== 0x72 &&
        e !== 0x74
      )
        return false;
      i += 2;
      continue;
    }
    i++;
  }
  return false;
}

/** A number at `p`, valid and written as JSON.stringify would write it. */
function scanNumber(): boolean {
  const start = p;
  if (b[p] === MINUS) p++;
  const intStart = p;
  let c = b[p];
  if (c === ZERO) p++;
  else if (c !== undefined && c >= 0x31 && c <= NINE) {
    p++;
    while (p < n && isDigit(b[p]!)) p++;
  } else return false;
  const intEnd = p;
  let plain = true;
  if (b[p] === DOT) {
    plain = false;
    p++;
    const fracStart = p;
    while (p < n && isDigit(b[p]!)) p++;
    if (p === fracStart) return false;
  }
  c = b[p];
  if (c === 0x65 || c === 0x45) {
    plain = false;
    p++;
    c = b[p];
    if (c === PLUS || c === MINUS) p++;
    const expStart = p;
    while (p < n && isDigit(b[p]!)) p++;
    if (p === expStart) return false;
  }
  if (plain && intEnd - intStart <= SAFE_DIGITS) {
    // `-0` prints as `0`.
    return !(intStart > start && intEnd - intStart === 1 && b[intStart] === ZERO);
  }
  let token = '';
  for (let i = start; i < p; i++) token += String.fromCharCode(b[i]!);
  return String(Number(token)) === token;
}

/** The literal `word` (given as its bytes) at `p`. */
function scanWord(word: readonly number[]): boolean {
  for (let i = 0; i < word.length; i++) if (b[p + i] !== word[i]) return false;
  p += word.length;
  return true;
}

const TRUE = [0x74, 0x72, 0x75, 0x65];
const FALSE = [0x66, 0x61, 0x6c, 0x73, 0x65];
const NULL = [0x6e, 0x75, 0x6c, 0x6c];

/** A value at `p`, at nesting `depth` (1 for the root object's members). */
function scanValue(depth: number): ValueType | -1 {
  if (depth + dots >= lim.maxDepth) return -1;
  const c = b[p];
  if (c === QUOTE) {
    const start = p;
    if (!scanString()) return -1;
    if (p - start - 2 > lim.maxStringBytes) return -1;
    if (++leaves > lim.maxLeaves) return -1;
    return ValueTypes.string;
  }
  if (c === OPEN_OBJECT) return scanObject(depth) ? ValueTypes.object : -1;
  if (c === OPEN_ARRAY) return scanArray(depth) ? ValueTypes.array : -1;
  let ok: boolean;
  let type: ValueType = ValueTypes.literal;
  if (c === 0x74) ok = scanWord(TRUE);
  else if (c === 0x66) ok = scanWord(FALSE);
  else if (c === 0x6e) ok = scanWord(NULL);
  else {
    ok = scanNumber();
    type = ValueTypes.number;
  }
  if (!ok || ++leaves > lim.maxLeaves) return -1;
  return type;
}

function scanArray(depth: number): boolean {
  p++; // [
  // An array is one field in the mapping, whatever it holds: counted as a leaf too.
  if (++leaves > lim.maxLeaves) return false;
  if (!skipSpace()) return false;
  if (b[p] === CLOSE_ARRAY) {
    p++;
    return true;
  }
  for (;;) {
    // Elements sit at the array's own depth, as in the mapping.
    if (scanValue(depth) === -1) return false;
    if (!skipSpace()) return false;
    const c = b[p];
    p++;
    if (c === CLOSE_ARRAY) return true;
    if (c !== COMMA || !skipSpace()) return false;
  }
}

/**
 * A key at `p`: plain (no escape), not blank in any dotted segment, and not repeated in its object
 * (whose keys start at `first` on the key stack). Leaves `p` after the closing quote.
 */
function scanKey(first: number): boolean {
  const bytes = b;
  const limit = n;
  const start = p + 1;
  // One pass: the string's end, and each dot-separated segment holding a visible ASCII character
  // (non-ASCII may be Unicode space). An escape or a control byte: refused.
  let visible = false;
  let i = start;
  for (;;) {
    if (i >= limit) return false;
    const c = bytes[i]!;
    if (c === QUOTE) break;
    if (c === BACKSLASH || c < 0x20) return false;
    if (c === DOT) {
      if (!visible) return false;
      visible = false;
      dots++;
    } else if (c > 0x20 && c < 0x7f) visible = true;
    else if (c >= 0x80) nonAscii = true;
    i++;
  }
  const end = i;
  p = i + 1;
  if (!visible) return false;
  const length = end - start;
  for (let k = first; k < keyTop; k++) {
    const from = keyFrom[k]!;
    if (keyTo[k]! - from !== length) continue;
    let same = true;
    for (let i = 0; i < length; i++) {
      if (bytes[from + i] !== bytes[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return false;
  }
  keyFrom[keyTop] = start;
  keyTo[keyTop] = end;
  keyTop++;
  return true;
}

let members: ByteMembers = createByteMembers();

function scanObject(depth: number): boolean {
  p++; // {
  const first = keyTop;
  if (!skipSpace()) return false;
  if (b[p] === CLOSE_OBJECT) {
    p++;
    return true;
  }
  for (;;) {
    if (b[p] !== QUOTE) return false;
    const keyStart = p;
    if (!scanKey(first)) return false;
    const keyEnd = p;
    if (!skipSpace() || b[p] !== COLON) return false;
    p++;
    if (!skipSpace()) return false;
    const valueStart = p;
    const type = scanValue(depth + 1);
    if (type === -1) return false;
    if (depth === 0) {
      const m = members.count++;
      members.keyStart[m] = keyStart;
      members.keyEnd[m] = keyEnd;
      members.valueStart[m] = valueStart;
      members.valueEnd[m] = p;
      members.valueType[m] = type;
      members.escaped[m] = type === ValueTypes.string && escapedString;
    }
    if (!skipSpace()) return false;
    const c = b[p];
    p++;
    if (c === CLOSE_OBJECT) break;
    if (c !== COMMA || !skipSpace()) return false;
  }
  keyTop = first;
  return true;
}

/**
 * Scans `bytes` (all of them) as one JSON object into `out`. True when it is valid JSON that the
 * document may copy as it is (see the file's comment); false sends the record to JSON.parse.
 * Whitespace (newlines included) may surround the object; none may sit inside it as a newline.
 */
export function referenceScanJsonBytes(bytes: Uint8Array, limits: ByteLimits, out: ByteMembers): boolean {
  b = bytes;
  n = bytes.length;
  p = 0;
  leaves = 0;
  dots = 0;
  nonAscii = false;
  keyTop = 0;
  lim = limits;
  members = out;
  out.count = 0;
  while (p < n) {
    const c = b[p]!;
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === NEWLINE) p++;
    else break;
  }
  let ok = b[p] === OPEN_OBJECT && scanObject(0);
  if (ok) {
    while (p < n) {
      const c = b[p]!;
      if (c === 0x20 || c === 0x09 || c === 0x0d || c === NEWLINE) p++;
      else break;
    }
    ok = p === n;
  }
  out.dottedKeys = dots;
  out.nonAscii = nonAscii;
  // Keep no reference to the record's bytes.
  b = EMPTY;
  return ok;
}

const EMPTY = Buffer.alloc(0);
