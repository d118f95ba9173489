// What the bench's null `_bulk` sink answers for a body: it parses every action line, skips (or, in
// validate mode, parses) every document line, and answers one created item per action, shaped by
// `filter_path` as OpenSearch shapes it. Kept apart from the server so a test can hold it to the
// plain JSON.parse reading (`answerBulkReference`).
//
// The sink runs on the same two cores as the contestants, so its own CPU is measurement overhead:
// action lines of the usual shape (`{"<op>":{"_index":"…","_id":"…"}}`, plain strings) are read on
// their bytes, anything else with JSON.parse; answers are built from cached pieces.

/** The `filter_path` subset bulk clients use: `items.*.<field>` and top-level names. */
export interface Filter {
  top: Set<string>;
  item: Set<string>;
}

export function parseFilter(text: string | null): Filter | undefined {
  if (!text) return undefined;
  const filter: Filter = { top: new Set(), item: new Set() };
  for (const part of text.split(',')) {
    const m = /^items\.\*\.(.+)$/.exec(part.trim());
    if (m) filter.item.add(m[1]!);
    else filter.top.add(part.trim());
  }
  if (filter.item.size > 0) filter.top.add('items');
  return filter;
}

export interface SinkAnswer {
  /** The answer's JSON (UTF-8). */
  body: Buffer;
  items: number;
  /** Document lines that are not JSON objects (validate mode only). */
  invalid: number;
}

/**
 * The buffer an answer is written into, kept by the caller from one body to the next (the sink
 * keeps one per connection): a body's answer is a view of it, good until the next call.
 */
export interface AnswerScratch {
  out: Buffer;
}
/** Room kept before the items for the envelope's opening (`{"took":1,"errors":false,"items":[`). */
const HEAD = 64;

/** Thrown for a body the sink cannot read; the server answers 400 with its message. */
export class SinkParseError extends Error {}

const ID_SLOT = '\u0000id\u0000';

/**
 * An item's text around its id: [before, after] with the id's JSON between them, or [whole, '']
 * when the filter leaves the id out (`noId`). Fields in OpenSearch's order.
 */
function itemPieces(op: string, index: string, filter: Filter | undefined): [string, string, boolean] {
  const fields =
    filter === undefined
      ? [
          `"_index":${JSON.stringify(index)}`,
          ID_SLOT,
          '"_version":1',
          '"result":"created"',
          '"_shards":{"total":1,"successful":1,"failed":0}',
          '"_seq_no":0',
          '"_primary_term":1',
          '"status":201',
        ]
      : [
          ...(filter.item.has('_index') ? [`"_index":${JSON.stringify(index)}`] : []),
          ...(filter.item.has('_id') ? [ID_SLOT] : []),
          ...(filter.item.has('result') ? ['"result":"created"'] : []),
          ...(filter.item.has('status') ? ['"status":201'] : []),
        ];
  const text = `{${JSON.stringify(op)}:{${fields.join(',').replace(ID_SLOT, `"_id":${ID_SLOT}`)}}}`;
  const slot = text.indexOf(ID_SLOT);
  return slot === -1 ? [text, '', true] : [text.slice(0, slot), text.slice(slot + ID_SLOT.length), false];
}

function itemText(op: string, index: string, id: string, filter: Filter | undefined): string {
  const [before, after, noId] = itemPieces(op, index, filter);
  return noId ? before : before + JSON.stringify(id) + after;
}

function envelope(items: string, count: number, errors: boolean, filter: Filter | undefined): string {
  const top: string[] = [];
  if (!filter || filter.top.has('took')) top.push('"took":1');
  if (!filter || filter.top.has('errors')) top.push(`"errors":${errors}`);
  if (!filter || filter.top.has('items')) top.push(`"items":[${count === 0 ? '' : items}]`);
  return `{${top.join(',')}}`;
}

function isDocumentObject(text: string): boolean {
  const parsed: unknown = JSON.parse(text);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
}

/** The plain reading: JSON.parse of every action line. The fast reading must answer the same. */
export function answerBulkReference(body: Buffer, filter: Filter | undefined, validate: boolean): SinkAnswer {
  const text = body.toString('utf8');
  const items: string[] = [];
  let start = 0;
  let invalid = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const actionLine = text.slice(start, end);
    start = end + 1;
    if (actionLine.trim() === '') continue;
    const action = JSON.parse(actionLine) as Record<string, { _index?: string; _id?: string }>;
    const [op] = Object.keys(action);
    if (op === undefined) throw new SinkParseError('empty action');
    const meta = action[op]!;
    if (op !== 'delete') {
      let docEnd = text.indexOf('\n', start);
      if (docEnd === -1) docEnd = text.length;
      const doc = text.slice(start, docEnd);
      start = docEnd + 1;
      if (doc === '') throw new SinkParseError('missing document line');
      if (validate && !isDocumentObject(doc)) invalid++;
    }
    items.push(itemText(op, meta._index ?? '', meta._id ?? `auto-${items.length}`, filter));
  }
  const answer = envelope(items.join(','), items.length, invalid > 0, filter);
  return { body: Buffer.from(answer), items: items.length, invalid };
}

const QUOTE = 0x22;
const NEWLINE = 0x0a;
const OPEN = Buffer.from('{"');
const INDEX_KEY = Buffer.from('"_index":"');
const ID_KEY = Buffer.from('"_id":"');

function startsWith(body: Buffer, at: number, bytes: Buffer): boolean {
  for (let i = 0; i < bytes.length; i++) if (body[at + i] !== bytes[i]) return false;
  return true;
}

/** End (the closing quote) of a plain string starting at `at`: no backslash, no control byte; -1 otherwise. */
function plainStringEnd(body: Buffer, at: number, limit: number): number {
  for (let i = at; i < limit; i++) {
    const c = body[i]!;
    if (c === QUOTE) return i;
    if (c === 0x5c || c < 0x20) return -1;
  }
  return -1;
}

// The action line read on its bytes, into these (no object per line).
let op = '';
let index: string | undefined;
/** The id of an action line read by JSON.parse. */
let id: string | undefined;
/** Where a plain action line's id is in the body (-1: it has none). */
let idFrom = -1;
let idTo = -1;
let lastOpBytes: Buffer = Buffer.alloc(0);
/**
 * Index names seen lately, by their bytes: a body routed by service and day names a few indices,
 * item after item in turn, and each is read as a string once.
 */
const indexNames: Array<{ bytes: Buffer; text: string }> = [];
const INDEX_NAMES = 32;

function indexText(body: Buffer, from: number, to: number): string {
  for (let k = 0; k < indexNames.length; k++) {
    const entry = indexNames[k]!;
    if (sameBytes(body, from, to, entry.bytes)) return entry.text;
  }
  const bytes = Buffer.from(body.subarray(from, to));
  const entry = { bytes, text: bytes.toString('utf8') };
  if (indexNames.length >= INDEX_NAMES) indexNames.pop();
  indexNames.unshift(entry);
  return entry.text;
}

function sameBytes(body: Buffer, from: number, to: number, cached: Buffer): boolean {
  if (to - from !== cached.length) return false;
  for (let i = 0; i < cached.length; i++) if (body[from + i] !== cached[i]) return false;
  return true;
}

/** `{"<op>":{` then `"_index":"…"` and/or `"_id":"…"` (plain strings, no spaces) then `}}`; false for anything else. */
function readPlainAction(body: Buffer, start: number, end: number): boolean {
  if (!startsWith(body, start, OPEN)) return false;
  const opEnd = plainStringEnd(body, start + 2, end);
  if (opEnd === -1 || body[opEnd + 1] !== 0x3a || body[opEnd + 2] !== 0x7b) return false;
  if (!sameBytes(body, start + 2, opEnd, lastOpBytes)) {
    lastOpBytes = Buffer.from(body.subarray(start + 2, opEnd));
    op = lastOpBytes.toString('utf8');
  }
  index = undefined;
  idFrom = -1;
  let at = opEnd + 3;
  for (;;) {
    if (index === undefined && startsWith(body, at, INDEX_KEY)) {
      const from = at + INDEX_KEY.length;
      const to = plainStringEnd(body, from, end);
      if (to === -1) return false;
      index = indexText(body, from, to);
      at = to + 1;
    } else if (idFrom === -1 && startsWith(body, at, ID_KEY)) {
      const from = at + ID_KEY.length;
      const to = plainStringEnd(body, from, end);
      if (to === -1) return false;
      idFrom = from;
      idTo = to;
      at = to + 1;
    } else return false;
    const c = body[at];
    if (c === 0x2c) {
      at++;
      continue;
    }
    return c === 0x7d && body[at + 1] === 0x7d && at + 2 === end;
  }
}

/** Item text around its id, as bytes: see itemPieces. */
interface Pieces {
  before: Buffer;
  after: Buffer;
  noId: boolean;
}

// The answer being written: module-level with plain functions, not closures made per body (a
// fresh closure per call sent the optimized answerBulk back with "wrong call target" on every
// body, and the sink spent about 1 µs of compiler-thread CPU a Sluice record recompiling it).
const NONE: AnswerScratch = { out: Buffer.alloc(0) };
let target = NONE;
let out = NONE.out;
let at = 0;

function room(bytes: number): void {
  if (at + bytes <= out.length) return;
  const bigger = Buffer.allocUnsafe(Math.max(2 * out.length, at + bytes));
  bigger.set(out.subarray(0, at));
  out = bigger;
  target.out = bigger;
}

/** `set` of a whole array (and a loop for the id): Buffer#copy costs about 80 ns a call here. */
function put(bytes: Buffer): void {
  room(bytes.length);
  out.set(bytes, at);
  at += bytes.length;
}

/**
 * The sink's answer: the same bytes as answerBulkReference, with usual action lines read on their
 * bytes and the answer written as bytes (an ASCII id is copied from the body, not made a string).
 */
export function answerBulk(
  body: Buffer,
  filter: Filter | undefined,
  validate: boolean,
  scratch: AnswerScratch = { out: Buffer.alloc(0) },
): SinkAnswer {
  if (scratch.out.length < HEAD + 1024)
    scratch.out = Buffer.allocUnsafe(Math.max(HEAD + 1024, body.length >> 2));
  target = scratch;
  out = scratch.out;
  // Items are written after room for the envelope's opening, which is known only at the end.
  at = HEAD;
  let count = 0;
  let invalid = 0;
  let start = 0;
  let piecesOp = '';
  let piecesIndex: string | undefined;
  let current: Pieces = { before: Buffer.alloc(0), after: Buffer.alloc(0), noId: true };
  // Per op and index for this body's filter: items alternate between a few indices. The names
  // are the same strings item after item (read once per name), so no key is built.
  const pieces = new Map<string, Map<string, Pieces>>();
  const length = body.length;
  while (start < length) {
    let end = body.indexOf(NEWLINE, start);
    if (end === -1) end = length;
    const lineStart = start;
    start = end + 1;
    let blank = true;
    for (let i = lineStart; i < end; i++) {
      const c = body[i]!;
      if (c !== 0x20 && c !== 0x09 && c !== 0x0d) {
        blank = false;
        break;
      }
    }
    if (blank) continue;
    let plain = readPlainAction(body, lineStart, end);
    if (!plain) {
      const line = body.toString('utf8', lineStart, end);
      if (line.trim() === '') continue;
      const action = JSON.parse(line) as Record<string, { _index?: string; _id?: string }>;
      const [first] = Object.keys(action);
      if (first === undefined) throw new SinkParseError('empty action');
      op = first;
      index = action[first]!._index;
      id = action[first]!._id;
    }
    if (op !== 'delete') {
      let docEnd = body.indexOf(NEWLINE, start);
      if (docEnd === -1) docEnd = length;
      if (docEnd === start) throw new SinkParseError('missing document line');
      if (validate && !isDocumentObject(body.toString('utf8', start, docEnd))) invalid++;
      start = docEnd + 1;
    }
    const itemIndex = index ?? '';
    if (op !== piecesOp || itemIndex !== piecesIndex) {
      piecesOp = op;
      piecesIndex = itemIndex;
      let byIndex = pieces.get(op);
      if (byIndex === undefined) {
        byIndex = new Map();
        pieces.set(op, byIndex);
      }
      let cached = byIndex.get(itemIndex);
      if (cached === undefined) {
        const [before, after, noId] = itemPieces(op, itemIndex, filter);
        cached = { before: Buffer.from(before), after: Buffer.from(after), noId };
        byIndex.set(itemIndex, cached);
      }
      current = cached;
    }
    if (count > 0) {
      room(1);
      out[at++] = 0x2c;
    }
    put(current.before);
    if (!current.noId) {
      if (plain && idFrom !== -1) {
        // Copied as it is when ASCII (no quote, backslash or control byte: plainStringEnd).
        let ascii = true;
        for (let i = idFrom; i < idTo; i++) if (body[i]! >= 0x80) ascii = false;
        if (ascii) {
          room(idTo - idFrom + 2);
          out[at++] = QUOTE;
          for (let i = idFrom; i < idTo; i++) out[at++] = body[i]!;
          out[at++] = QUOTE;
        } else plain = false;
        if (!plain) id = body.toString('utf8', idFrom, idTo);
      }
      if (!plain || idFrom === -1) {
        const idJson = id === undefined || (plain && idFrom === -1) ? `"auto-${count}"` : JSON.stringify(id);
        room(3 * idJson.length);
        at += out.write(idJson, at);
      }
      put(current.after);
    }
    count++;
  }
  const [open, close] = envelope('\u0000', count, invalid > 0, filter).split('\u0000') as [string, string?];
  if (close === undefined) return { body: Buffer.from(open), items: count, invalid };
  room(close.length);
  at += out.write(close, at, 'latin1');
  const from = HEAD - open.length;
  out.write(open, from, 'latin1');
  const answer = out.subarray(from, at);
  // Holds no connection's buffer once done.
  target = NONE;
  out = NONE.out;
  return { body: answer, items: count, invalid };
}
