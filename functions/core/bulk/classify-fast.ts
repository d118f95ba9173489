// A byte-level check of the common bulk answer: every item succeeded, written exactly as
// OpenSearch writes it under the adapter's filter_path, e.g.
//   {"errors":false,"items":[{"create":{"status":201}},…]}
// (optionally with a leading `"took":N,`, and items with their `_id`, which is then compared).
// Parsing 10,000 items with JSON.parse costs a visible share of the handler's CPU; this scans them
// once without building a string or object per item. It accepts only a strict subset of JSON whose meaning is fixed, so
// whatever it does not recognise is left to the full parse: the verdict never differs.
import type { ItemVerdict, SentItem } from './classify.ts';

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

const TOOK = ascii('"took":');
const ERRORS_ITEMS = ascii('"errors":false,"items":[');
const ACTION_OPEN = ascii('{"');
const ACTION_CLOSE = ascii('":{');
const ID = ascii('"_id":"');
const ID_CLOSE = ascii('",');
const STATUS_2 = ascii('"status":2');
const ITEM_CLOSE = ascii('}}');
const BODY_CLOSE = ascii(']}');

const Chars = {
  space: 0x20,
  tab: 0x09,
  lf: 0x0a,
  cr: 0x0d,
  quote: 0x22,
  backslash: 0x5c,
  comma: 0x2c,
  zero: 0x30,
  nine: 0x39,
  openBrace: 0x7b,
} as const;

/** Position after `literal` at `pos`, or -1. */
function literalAt(bytes: Uint8Array, pos: number, literal: Uint8Array): number {
  if (pos < 0 || pos + literal.length > bytes.length) return -1;
  for (let k = 0; k < literal.length; k++) if (bytes[pos + k] !== literal[k]) return -1;
  return pos + literal.length;
}

/**
 * Position after `text` written as JSON string content at `pos` (the caller then expects the
 * closing quote), or -1.
 */
function textAt(bytes: Uint8Array, pos: number, text: string): number {
  if (pos < 0 || pos + text.length > bytes.length) return -1;
  for (let k = 0; k < text.length; k++) {
    const b = bytes[pos + k]!;
    // Only printable ASCII stands for itself: a quote, a backslash (escape), a control byte
    // (invalid JSON) or a UTF-8 byte means the full parse must decide.
    if (
      b !== text.charCodeAt(k) ||
      b < Chars.space ||
      b >= 0x80 ||
      b === Chars.quote ||
      b === Chars.backslash
    ) {
      return -1;
    }
  }
  return pos + text.length;
}

function isSpace(b: number | undefined): boolean {
  return b === Chars.space || b === Chars.lf || b === Chars.cr || b === Chars.tab;
}

/** What was sent, item by item, as the byte check reads it. */
export interface ExpectedItems {
  readonly count: number;
  action(i: number): string;
  /** Position after item i's id written as JSON string content at `pos`, or -1. */
  idAt(bytes: Uint8Array, pos: number, i: number): number;
}

/**
 * The verdicts of a bulk answer in which every item succeeded and matches what was sent (same
 * count, same action in order, same `_id` where present, a 2xx status); `undefined` for anything
 * else, including valid JSON of another shape, which the full parse then classifies.
 * `success` gives the verdict for a 2xx status (classifyStatus's shared frozen verdicts).
 */
export function verifyAllSucceeded(
  bytes: Uint8Array,
  sent: readonly SentItem[],
  success: (status: number) => ItemVerdict,
): ItemVerdict[] | undefined {
  const statuses: number[] = [];
  sentItems.sent = sent;
  try {
    if (!allSucceeded(bytes, sentItems, statuses)) return undefined;
  } finally {
    sentItems.sent = NONE_SENT;
  }
  return statuses.map(success);
}

// One object for every check (which runs synchronously), not closures or an object per call:
// optimized code holds the objects it saw weakly, and is thrown away when a GC collects them.
const NONE_SENT: readonly SentItem[] = [];
const sentItems = {
  sent: NONE_SENT,
  get count(): number {
    return this.sent.length;
  },
  action(i: number): string {
    return this.sent[i]!.action;
  },
  idAt(bytes: Uint8Array, pos: number, i: number): number {
    return textAt(bytes, pos, this.sent[i]!.id);
  },
};

/**
 * Whether a bulk answer says every item succeeded, matching `expected` (see verifyAllSucceeded);
 * `statuses`, when given, gets each item's 2xx status in order (also when the answer turns out
 * not to match).
 */
export function allSucceeded(bytes: Uint8Array, expected: ExpectedItems, statuses?: number[]): boolean {
  const n = bytes.length;
  // JSON.parse allows whitespace around the value; a server may end its answer with a newline.
  let pos = 0;
  while (pos < n && isSpace(bytes[pos])) pos++;
  if (bytes[pos] !== Chars.openBrace) return false;
  pos++;
  const afterTook = literalAt(bytes, pos, TOOK);
  if (afterTook >= 0) {
    // A JSON integer: `0` or no leading zero (JSON.parse refuses `012`).
    pos = afterTook;
    const first = bytes[pos];
    if (first === undefined || first < Chars.zero || first > Chars.nine) return false;
    pos++;
    if (first !== Chars.zero) {
      while (pos < n && bytes[pos]! >= Chars.zero && bytes[pos]! <= Chars.nine) pos++;
    }
    if (bytes[pos] !== Chars.comma) return false;
    pos++;
  }
  pos = literalAt(bytes, pos, ERRORS_ITEMS);
  for (let i = 0; i < expected.count; i++) {
    if (pos < 0) return false;
    if (i > 0) {
      if (bytes[pos] !== Chars.comma) return false;
      pos++;
    }
    pos = literalAt(bytes, pos, ACTION_OPEN);
    pos = textAt(bytes, pos, expected.action(i));
    pos = literalAt(bytes, pos, ACTION_CLOSE);
    const afterId = literalAt(bytes, pos, ID);
    if (afterId >= 0) pos = literalAt(bytes, expected.idAt(bytes, afterId, i), ID_CLOSE);
    pos = literalAt(bytes, pos, STATUS_2);
    if (pos < 0 || pos + 2 > n) return false;
    const tens = bytes[pos]! - Chars.zero;
    const units = bytes[pos + 1]! - Chars.zero;
    if (tens < 0 || tens > 9 || units < 0 || units > 9) return false;
    pos = literalAt(bytes, pos + 2, ITEM_CLOSE);
    statuses?.push(200 + tens * 10 + units);
  }
  pos = literalAt(bytes, pos, BODY_CLOSE);
  if (pos < 0) return false;
  while (pos < n && isSpace(bytes[pos])) pos++;
  return pos === n;
}

/**
 * Position after `id` at `pos` when the answer's bytes there equal `source[start, end)` (an id as
 * written in an action line), or -1. Only printable ASCII without quotes or backslashes matches,
 * as in textAt: anything else is for the full parse.
 */
export function bytesAt(
  bytes: Uint8Array,
  pos: number,
  source: Uint8Array,
  start: number,
  end: number,
): number {
  const length = end - start;
  if (pos < 0 || pos + length > bytes.length) return -1;
  for (let k = 0; k < length; k++) {
    const b = bytes[pos + k]!;
    if (
      b !== source[start + k] ||
      b < Chars.space ||
      b >= 0x80 ||
      b === Chars.quote ||
      b === Chars.backslash
    ) {
      return -1;
    }
  }
  return pos + length;
}
