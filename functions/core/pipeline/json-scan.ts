// A single pass over a JSON object's text that JSON.parse has already accepted: where each
// top-level member starts and ends, which of them the document rewrites, and how many keys the
// text holds at every depth (more than the parsed object has means a duplicate key). It lets
// the document be written by splicing the original text instead of re-serialising it.

/** Top-level keys the document rewrites; every other key is `other`. */
export const MemberKinds = {
  other: 0,
  timestamp: 1,
  kafka: 2,
  level: 3,
  service: 4,
  log: 5,
  serviceName: 6,
} as const;
export type MemberKind = (typeof MemberKinds)[keyof typeof MemberKinds];

/** Scan results, reused from record to record (the arrays only grow). */
export interface JsonMembers {
  count: number;
  /** Index of the opening quote of each member's key. */
  start: number[];
  /** Index of the first character of each member's value. */
  valueStart: number[];
  /** Index just after each member's value. */
  end: number[];
  kind: MemberKind[];
  /** Index just after the root object's closing brace. */
  close: number;
  /** Keys at every depth. */
  keys: number;
}

export function createJsonMembers(): JsonMembers {
  return { count: 0, start: [], valueStart: [], end: [], kind: [], close: 0, keys: 0 };
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const MINUS = 0x2d;

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** Index of the quote closing the string that opens at `open`. */
function stringEnd(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end !== -1 && text.charCodeAt(end - 1) === BACKSLASH) {
    let slashes = 1;
    while (text.charCodeAt(end - 1 - slashes) === BACKSLASH) slashes++;
    if (slashes % 2 === 0) break;
    end = text.indexOf('"', end + 1);
  }
  return end;
}

function keyIs(
  text: string,
  open: number,
  length: number,
  decoded: string | undefined,
  name: string,
): boolean {
  return decoded === undefined ? length === name.length && text.startsWith(name, open + 1) : decoded === name;
}

function keyKind(text: string, open: number, close: number): MemberKind {
  const length = close - open - 1;
  let decoded: string | undefined;
  for (let i = open + 1; i < close; i++) {
    if (text.charCodeAt(i) === BACKSLASH) {
      // An escaped key (`"lev\u0065l"`) is rare: decode it to compare.
      decoded = JSON.parse(text.slice(open, close + 1)) as string;
      break;
    }
  }
  if (keyIs(text, open, length, decoded, '@timestamp')) return MemberKinds.timestamp;
  if (keyIs(text, open, length, decoded, 'kafka')) return MemberKinds.kafka;
  if (keyIs(text, open, length, decoded, 'level')) return MemberKinds.level;
  if (keyIs(text, open, length, decoded, 'service')) return MemberKinds.service;
  if (keyIs(text, open, length, decoded, 'log')) return MemberKinds.log;
  if (keyIs(text, open, length, decoded, 'service.name')) return MemberKinds.serviceName;
  return MemberKinds.other;
}

/**
 * True when a number's text is what JSON.stringify would write for its value: splicing it then
 * changes nothing (`1.0`, `1e3`, `-0` or a long integer would come out differently).
 */
function canonicalNumber(text: string, start: number, end: number): boolean {
  let simple = end - start <= 15;
  for (let i = start; simple && i < end; i++) {
    const c = text.charCodeAt(i);
    if (!(c >= 0x30 && c <= 0x39) && !(c === MINUS && i === start)) simple = false;
  }
  if (simple)
    return !(end - start === 2 && text.charCodeAt(start) === MINUS && text.charCodeAt(start + 1) === 0x30);
  const token = text.slice(start, end);
  return String(Number(token)) === token;
}

/**
 * Scans `text`, a JSON object JSON.parse accepted, into `out`. Returns false when the text must
 * not be spliced: not an object, a number JSON.stringify would write differently, or a raw
 * newline (it would split the bulk line).
 */
export function scanJsonObject(text: string, out: JsonMembers): boolean {
  const n = text.length;
  let i = 0;
  while (i < n && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) !== OPEN_OBJECT || text.indexOf('\n') !== -1) return false;
  out.count = 0;
  out.keys = 0;
  let depth = 0;
  let last = -1; // index just after the last non-space character at depth 1
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) continue;
    if (c === QUOTE) {
      const close = stringEnd(text, i);
      if (close === -1) return false;
      let j = close + 1;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === COLON) {
        out.keys++;
        if (depth === 1) {
          const m = out.count++;
          out.start[m] = i;
          out.kind[m] = keyKind(text, i, close);
          j++;
          while (j < n && isSpace(text.charCodeAt(j))) j++;
          out.valueStart[m] = j;
          i = j - 1;
          continue;
        }
        i = j;
        continue;
      }
      i = close;
      last = close + 1;
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      continue;
    }
    if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth--;
      if (depth === 0) {
        if (out.count > 0) out.end[out.count - 1] = last;
        out.close = i + 1;
        for (let k = i + 1; k < n; k++) if (!isSpace(text.charCodeAt(k))) return false;
        return true;
      }
      last = i + 1;
      continue;
    }
    if (c === COMMA) {
      if (depth === 1) out.end[out.count - 1] = last;
      continue;
    }
    if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
      let j = i + 1;
      while (j < n) {
        const d = text.charCodeAt(j);
        if ((d >= 0x30 && d <= 0x39) || d === 0x2e || d === 0x65 || d === 0x45 || d === 0x2b || d === MINUS)
          j++;
        else break;
      }
      if (!canonicalNumber(text, i, j)) return false;
      i = j - 1;
      last = j;
      continue;
    }
    // true, false, null
    let j = i + 1;
    while (j < n && text.charCodeAt(j) >= 0x61 && text.charCodeAt(j) <= 0x7a) j++;
    i = j - 1;
    last = j;
  }
  return false;
}
