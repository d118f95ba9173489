// The JSON fast path: a record whose value is a plain JSON object is checked and split into
// members on its bytes (json-bytes.ts), and its document is written straight into a shared
// buffer from the original bytes plus what the document adds (`@timestamp`, `service.name`,
// `log.level`, `kafka.*`). No string of the line, no JSON.parse, no object per field, no
// JSON.stringify. The result is the same document the JSON.parse path builds (the fast-path tests
// compare both on any line); every case this does not cover returns undefined and takes that path.
//
// Parsed events (text formats, and JSON this path leaves) are written as whole bulk items too
// (prepareFieldsItem): JSON.stringify of their own fields, with the same additions as bytes.

import { isUtf8 } from 'node:buffer';
import { actionPrefixBytes } from '../bulk/encode.ts';
import type { PreparedRecord } from '../bulk/types.ts';
import type { KafkaRecord } from '../kafka/types.ts';
import { isoSecond, MAX_CIVIL_MS, MIN_CIVIL_MS } from './civil.ts';
import { Codecs, type CompiledPipeline } from './config.ts';
import { isoTimestamp, RESERVED_FIELDS, usableTime } from './document.ts';
import { type Fields, getPath, setOwn } from './fields.ts';
import { documentId, IdTypes } from './id.ts';
import type { Template } from './index-name.ts';
import {
  type ByteLimits,
  type ByteMembers,
  createByteMembers,
  keyEquals,
  scanJsonBytes,
  ValueTypes,
} from './json-bytes.ts';
import { fitsLimits } from './limits.ts';
import { keyText } from './ops.ts';
import { routeFrom } from './route.ts';
import { type IsoBytesParser, isoBytesParser } from './timestamp.ts';
import type { Parser } from './types.ts';

/** What a pipeline's fast path needs, worked out once per pipeline. */
interface FastJsonPlan extends FieldsPlan {
  limits: ByteLimits;
  /** The timestamp fields, in order, as key bytes. */
  timestampKeys: Uint8Array[];
  isoBytes: IsoBytesParser | undefined;
  /** The keys worth comparing, by length and first byte (see keyRoles). */
  keyRoles: Array<KeyRole[] | undefined>;
}

/** The last index name rendered for a service: the next record mostly has the same. */
interface RouteMemo {
  template: Template | undefined;
  bucket: number;
  index: string;
}

export interface FastJsonCounters {
  timestampFallbacks: number;
  routedToFallback: number;
  idFallbacks: number;
}

const plans = new WeakMap<CompiledPipeline, FastJsonPlan | null>();
const MAX_KEY_LENGTH = 64;

/** A key the document treats apart: a timestamp field (`field` + its position) or one it rewrites. */
interface KeyRole {
  name: Uint8Array;
  role: number;
}
const KeyRoles = { timestamp: 0, kafka: 1, level: 2, service: 3, log: 4, field: 5 } as const;

/**
 * The timestamp fields and the names the document rewrites, listed under their length and first
 * byte: a key is compared only with the few names in its slot, most keys with none.
 */
function keyRoles(timestampFields: readonly string[]): Array<KeyRole[] | undefined> {
  const table: Array<KeyRole[] | undefined> = new Array(MAX_KEY_LENGTH << 8).fill(undefined);
  const add = (name: string, role: number): void => {
    if (name.length === 0 || name.length >= MAX_KEY_LENGTH) return;
    const slot = (name.length << 8) | name.charCodeAt(0);
    table[slot] = [...(table[slot] ?? []), { name: ascii(name), role }];
  };
  timestampFields.forEach((field, f) => {
    add(field, KeyRoles.field + f);
  });
  add('@timestamp', KeyRoles.timestamp);
  add('kafka', KeyRoles.kafka);
  add('level', KeyRoles.level);
  add('service', KeyRoles.service);
  add('log', KeyRoles.log);
  return table;
}
const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));

/**
 * The fast path applies to JSON pipelines with no ops, no `event.original`, a route that reads no
 * field but `service.name`, an id that reads no field, and top-level timestamp fields.
 */
export function fastJsonPlan(pipeline: CompiledPipeline): FastJsonPlan | undefined {
  let plan = plans.get(pipeline);
  if (plan === undefined) {
    const fields = pipeline.timestamp.fields;
    // What the fields path needs (route, id, no `event.original`), and JSON with no ops.
    const base = fastFieldsPlan(pipeline);
    const eligible =
      base !== undefined &&
      !base.readsFields &&
      (pipeline.codec === Codecs.json || pipeline.codec === Codecs.auto) &&
      pipeline.ops.length === 0 &&
      fields.every(
        (field) => !field.includes('.') && field.length < MAX_KEY_LENGTH && /^[\x21-\x7e]+$/.test(field),
      );
    plan = eligible
      ? {
          ...base,
          limits: {
            maxLeaves: Math.max(0, pipeline.limits.maxFields - RESERVED_FIELDS),
            maxDepth: pipeline.limits.maxDepth,
            maxStringBytes: pipeline.limits.maxFieldBytes,
          },
          timestampKeys: fields.map(ascii),
          isoBytes: isoBytesParser(pipeline.timestamp.parse),
          keyRoles: keyRoles(fields),
        }
      : null;
    plans.set(pipeline, plan);
  }
  return plan ?? undefined;
}

const members: ByteMembers = createByteMembers();
const KEY_SERVICE_NAME = ascii('service.name');
const KEY_LOG_LEVEL = ascii('log.level');
const KEY_NAME = ascii('name');
/** A literal `log.level` key: the document keeps a top-level `level` where it is. */
let levelHeld = false;
const QUOTE = 0x22;
const COMMA = 0x2c;

// Which member plays which part in the record being prepared (-1: none).
let timestampMember = -1;
let kafkaMemberIndex = -1;
let levelMember = -1;
let serviceMemberIndex = -1;
let logMember = -1;
const timestampOf: number[] = [];

/** Sorts the top-level members; false when one needs the JSON.parse path. */
function classifyMembers(value: Uint8Array, plan: FastJsonPlan): boolean {
  timestampMember = -1;
  kafkaMemberIndex = -1;
  levelMember = -1;
  serviceMemberIndex = -1;
  logMember = -1;
  const keys = plan.timestampKeys;
  for (let f = 0; f < keys.length; f++) timestampOf[f] = -1;
  const table = plan.keyRoles;
  for (let m = 0; m < members.count; m++) {
    const start = members.keyStart[m]! + 1;
    const end = members.keyEnd[m]! - 1;
    if (end - start >= MAX_KEY_LENGTH) continue;
    const roles = table[((end - start) << 8) | value[start]!];
    if (roles === undefined) continue;
    for (let r = 0; r < roles.length; r++) {
      const candidate = roles[r]!;
      if (!keyEquals(value, start, end, candidate.name)) continue;
      const role = candidate.role;
      if (role >= KeyRoles.field) timestampOf[role - KeyRoles.field] = m;
      else if (role === KeyRoles.timestamp) timestampMember = m;
      else if (role === KeyRoles.kafka) kafkaMemberIndex = m;
      else if (role === KeyRoles.level) levelMember = m;
      else if (role === KeyRoles.service) serviceMemberIndex = m;
      else logMember = m;
    }
  }
  levelHeld = false;
  if (members.dottedKeys > 0) {
    for (let m = 0; m < members.count; m++) {
      const start = members.keyStart[m]! + 1;
      const end = members.keyEnd[m]! - 1;
      // A literal `service.name` is what the route reads: left to JSON.parse. A literal
      // `log.level` keeps `level` where it is; other dotted keys are copied like any other.
      if (keyEquals(value, start, end, KEY_SERVICE_NAME)) return false;
      if (keyEquals(value, start, end, KEY_LOG_LEVEL)) levelHeld = true;
    }
  }
  return true;
}

/**
 * In the object member `m` (already validated), where the string value of its own key `name`
 * is: [start, end) of its text without quotes in `found`, or false when there is none or it
 * holds an escape.
 */
const found = { start: 0, end: 0 };
function nameInObject(value: Uint8Array, m: number): boolean {
  let i = members.valueStart[m]! + 1;
  const end = members.valueEnd[m]! - 1;
  let depth = 0;
  let expectKey = true;
  while (i < end) {
    const c = value[i]!;
    if (c === QUOTE) {
      const open = i;
      i++;
      let escaped = false;
      while (value[i] !== QUOTE) {
        if (value[i] === 0x5c) {
          escaped = true;
          i++;
        }
        i++;
      }
      const close = i;
      i++;
      if (depth === 0 && expectKey) {
        // Skip to the value.
        while (value[i] !== 0x3a) i++;
        i++;
        while (value[i] === 0x20 || value[i] === 0x09 || value[i] === 0x0d) i++;
        expectKey = false;
        if (!escaped && keyEquals(value, open + 1, close, KEY_NAME)) {
          if (value[i] !== QUOTE) return false;
          const start = i + 1;
          let j = start;
          while (value[j] !== QUOTE) {
            if (value[j] === 0x5c) return false;
            j++;
          }
          if (j === start) return false;
          found.start = start;
          found.end = j;
          return true;
        }
      }
      continue;
    }
    if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === COMMA && depth === 0) expectKey = true;
    i++;
  }
  return false;
}

/** The text of a string member without escapes (quotes excluded). */
function stringText(value: Buffer, m: number): string {
  return value.toString('utf8', members.valueStart[m]! + 1, members.valueEnd[m]! - 1);
}

function numberText(value: Uint8Array, m: number): string {
  let text = '';
  for (let i = members.valueStart[m]!; i < members.valueEnd[m]!; i++) text += String.fromCharCode(value[i]!);
  return text;
}

// Names seen lately, by their bytes: a batch carries few services and levels, so their strings
// and members are found without decoding the bytes again.
interface Cached extends RouteMemo {
  bytes: Uint8Array;
  /** The name as a string (service), or nothing (level). */
  text: string;
  /** The bytes the document writes for it. */
  member: Uint8Array;
}
const CACHE_SIZE = 16;
const serviceNames: Cached[] = [];
const levelMembers: Cached[] = [];

function cached(cache: Cached[], value: Buffer, start: number, end: number): Cached | undefined {
  const length = end - start;
  for (let c = 0; c < cache.length; c++) {
    const entry = cache[c]!;
    if (entry.bytes.length !== length) continue;
    let same = true;
    for (let i = 0; i < length; i++) {
      if (entry.bytes[i] !== value[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return entry;
  }
  return undefined;
}

function remember(cache: Cached[], entry: Cached): Cached {
  if (cache.length >= CACHE_SIZE) cache.pop();
  cache.unshift(entry);
  return entry;
}

/** A service name given as a plain non-empty string member's text (quotes excluded). */
function serviceFromBytes(value: Buffer, start: number, end: number): Cached {
  const hit = cached(serviceNames, value, start, end);
  if (hit !== undefined) return hit;
  const text = value.toString('utf8', start, end);
  return remember(serviceNames, {
    bytes: Buffer.from(value.subarray(start, end)),
    text,
    member: serviceBytes(text),
    ...noRoute(),
  });
}

/** `,"log":{"level":<the level's own JSON text>}`. */
function levelFromBytes(value: Buffer, start: number, end: number): Uint8Array {
  const hit = cached(levelMembers, value, start, end);
  if (hit !== undefined) return hit.member;
  const raw = value.toString('utf8', start, end);
  return remember(levelMembers, {
    bytes: Buffer.from(value.subarray(start, end)),
    text: '',
    member: Buffer.from(`,"log":{"level":${raw}}`),
    ...noRoute(),
  }).member;
}

const serviceMembers = new Map<string, Uint8Array>();
function serviceBytes(name: string): Uint8Array {
  let bytes = serviceMembers.get(name);
  if (bytes === undefined) {
    bytes = Buffer.from(`,"service":{"name":${JSON.stringify(name)}}`);
    if (serviceMembers.size >= 1024) serviceMembers.clear();
    serviceMembers.set(name, bytes);
  }
  return bytes;
}

// Documents are written one after another into a shared buffer; each record's bulk item is a view
// of its own stretch. A full buffer is left to the records that view it, and a new one started.
const SLAB_BYTES = 1024 * 1024;
let slab: Buffer = Buffer.alloc(0);
let slabOffset = 0;

// Full buffers are used again once no batch can read them. A fresh 1 MiB buffer is new memory
// for the kernel to fault in, and buffers a batch lets go of add up to external memory that sets
// off full GCs (an nginx batch of 10,000 records wrote 5 MiB of items).
// A full buffer holding only items written within batches (openSlabs … closeSlabs) waits in
// `retired` until no batch is open, then joins `spare`. An item written outside any batch may be
// kept by whoever wrote it: its buffer is never reused.
const SPARE_SLABS = 8;
const spare: Buffer[] = [];
let retired: Buffer[] = [];
let openBatches = 0;
/** Every item in the current slab was written within a batch (it may be reused once full). */
let slabInBatch = false;

function reserve(at: number, bytes: number): number {
  let start = at;
  if (slab.length - at < bytes) {
    if (slabInBatch) retired.push(slab);
    const reused = bytes <= SLAB_BYTES ? spare.pop() : undefined;
    slab = reused ?? Buffer.allocUnsafe(Math.max(SLAB_BYTES, bytes));
    slabInBatch = slab.length === SLAB_BYTES;
    start = 0;
  }
  if (openBatches === 0) slabInBatch = false;
  return start;
}

/** A batch starts writing items: what it writes stays as written until its closeSlabs. */
export function openSlabs(): void {
  openBatches++;
}

/**
 * The batch that called openSlabs is done with its items. `settled`: nothing of it reads them any
 * more; false (it failed with sends perhaps under way) gives up every slab it may have written in.
 */
export function closeSlabs(settled: boolean): void {
  openBatches = Math.max(0, openBatches - 1);
  if (!settled) {
    retired = [];
    slab = Buffer.alloc(0);
    slabOffset = 0;
    slabInBatch = false;
    return;
  }
  if (openBatches > 0) return;
  for (const full of retired) if (spare.length < SPARE_SLABS) spare.push(full);
  retired = [];
}

/** Where the last item written is in itemSlab(), and what it was written with. */
export interface WrittenItem {
  start: number;
  /** Where its document starts. */
  sourceStart: number;
  /** Just after its newline. */
  end: number;
  /** Its id's text in the action line (between the quotes, as written there). */
  idStart: number;
  idEnd: number;
  index: string;
  /** Undefined when the id is only in the slab (see itemId). */
  id: string | undefined;
}
export const written: WrittenItem = {
  start: 0,
  sourceStart: 0,
  end: 0,
  idStart: 0,
  idEnd: 0,
  index: '',
  id: undefined,
};

/** The last item written as a prepared record (a view of the slab: no copy). */
export function writtenRecord(
  coords: PreparedRecord['coords'],
  pipeline: CompiledPipeline,
  value: Buffer,
  record: KafkaRecord,
): PreparedRecord {
  const item = slab.subarray(written.start, written.end);
  return {
    kind: 'write',
    coords,
    pipeline: pipeline.name,
    action: pipeline.action,
    index: written.index,
    id: written.id ?? slab.toString('latin1', written.idStart, written.idEnd),
    source: item.subarray(written.sourceStart - written.start, item.length - 1),
    item,
    original: value,
    key: record.key,
    headers: record.headers,
    timestamp: record.timestamp,
  };
}

/** The item just written ends at `end`: the slab's next one starts there, and `written` says where it is. */
function finishItem(
  start: number,
  sourceStart: number,
  end: number,
  index: string,
  id: string | undefined,
): void {
  slabOffset = end;
  written.start = start;
  written.sourceStart = sourceStart;
  written.end = end;
  written.index = index;
  written.id = id;
}

/** Gives back the slab space of the last item written (a caller that will not use it). */
export function rewindItem(): void {
  if (slabOffset === written.end) slabOffset = written.start;
}

/**
 * A native copy costs about 30–40 ns whatever its length, about what a JavaScript loop over 16
 * bytes takes (measured: 19 ns for 10 bytes, 38 for 19), so only the shortest pieces are looped.
 */
function put(bytes: Uint8Array, at: number): number {
  const length = bytes.length;
  if (length > 16) {
    slab.set(bytes, at);
    return at + length;
  }
  for (let i = 0; i < length; i++) slab[at + i] = bytes[i]!;
  return at + length;
}

/** A non-negative safe integer in decimal. */
function putInt(n: number, at: number): number {
  if (n <= 0x7fffffff) {
    // Small integers: integer division, no floating point.
    let digits = 1;
    for (let t = n; t >= 10; t = (t / 10) | 0) digits++;
    let v = n;
    for (let i = at + digits - 1; i >= at; i--) {
      const q = (v / 10) | 0;
      slab[i] = 0x30 + v - q * 10;
      v = q;
    }
    return at + digits;
  }
  let digits = 1;
  for (let t = n; t >= 10; t = Math.floor(t / 10)) digits++;
  let v = n;
  for (let i = at + digits - 1; i >= at; i--) {
    slab[i] = 0x30 + (v % 10);
    v = Math.floor(v / 10);
  }
  return at + digits;
}

/** Copies `slab[from, to)` to `at` (a few bytes written just before). */
function again(from: number, to: number, at: number): number {
  for (let i = from; i < to; i++) slab[at++] = slab[i]!;
  return at;
}

/**
 * The bytes written before a time (its key, or none) and the time's first 19 ISO 8601 bytes for
 * the second last written: the two go in one copy (a copy costs about 30–40 ns whatever its length).
 */
export interface SecondBytes {
  second: number;
  keyLength: number;
  bytes: Uint8Array;
}

/** A per-second cache for times written after `key`. */
export function secondBytes(key: Uint8Array): SecondBytes {
  const bytes = new Uint8Array(key.length + 19);
  bytes.set(key, 0);
  return { second: Number.NaN, keyLength: key.length, bytes };
}
const eventSecond = secondBytes(new Uint8Array(0));

/** The cache's key, then ISO 8601 (`toISOString`) of `ms`. */
function putIso(ms: number, cache: SecondBytes, at: number): number {
  const whole = Math.trunc(ms);
  if (whole < MIN_CIVIL_MS || whole > MAX_CIVIL_MS) {
    for (let i = 0; i < cache.keyLength; i++) slab[at++] = cache.bytes[i]!;
    return at + slab.write(isoTimestamp(whole), at, 'latin1');
  }
  const second = Math.floor(whole / 1000);
  if (second !== cache.second) {
    const text = isoSecond(second);
    const k = cache.keyLength;
    for (let i = 0; i < 19; i++) cache.bytes[k + i] = text.charCodeAt(i);
    cache.second = second;
  }
  const out = put(cache.bytes, at);
  const milli = whole - second * 1000;
  slab[out] = 0x2e; // .
  slab[out + 1] = 0x30 + Math.floor(milli / 100);
  slab[out + 2] = 0x30 + (Math.floor(milli / 10) % 10);
  slab[out + 3] = 0x30 + (milli % 10);
  slab[out + 4] = 0x5a; // Z
  return out + 5;
}

// Topic names are `[a-zA-Z0-9._-]` in Kafka: written as they are; any other goes through JSON.
interface TopicBytes {
  topic: string;
  /** `<topic>` when it needs no escaping, else undefined. */
  plain: Uint8Array | undefined;
  /** `,"kafka":{"topic":"<topic>","partition":` */
  kafka: Uint8Array;
}
let lastTopic: TopicBytes = { topic: '', plain: undefined, kafka: new Uint8Array(0) };

// One object per topic, so the heads and tails kept per topic are found by identity.
const topics = new Map<string, TopicBytes>();

function topicBytes(topic: string): TopicBytes {
  if (topic !== lastTopic.topic) {
    let bytes = topics.get(topic);
    if (bytes === undefined) {
      bytes = {
        topic,
        plain: /^[\w.-]*$/.test(topic) ? Buffer.from(topic, 'latin1') : undefined,
        kafka: Buffer.from(`,"kafka":{"topic":${JSON.stringify(topic)},"partition":`),
      };
      if (topics.size >= 1024) topics.clear();
      topics.set(topic, bytes);
    }
    lastTopic = bytes;
  }
  return lastTopic;
}

const ID_CLOSE = ascii('"}}\n');
/** The action line's end and the JSON path's document opening, in one copy. */
const ID_CLOSE_DOC = ascii('"}}\n{"@timestamp":"');
const DOC_OPEN_LENGTH = ID_CLOSE_DOC.length - ID_CLOSE.length;
const OFFSET = ascii(',"offset":');
const kafkaSecond = secondBytes(ascii(',"timestamp":"'));
const KEY = ascii(',"key":');
/** Safe to write between quotes as they are (ids from hashes, topics, numbers). */
const PLAIN_ID = /^[\w.:=-]*$/;

/** The first byte after leading whitespace is `{` (a cheap test before the scan). */
function opensObject(value: Uint8Array): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return c === 0x7b;
  }
  return false;
}

const NO_FIELDS: Fields = {};

function noRoute(): RouteMemo {
  return { template: undefined, bucket: Number.NaN, index: '' };
}

/** routeFrom for a service, remembered per service and time bucket (names that fell back are not). */
function route(
  memo: RouteMemo,
  pipeline: CompiledPipeline,
  plan: { routeBucketMs: number },
  service: string,
  timestampMs: number,
  counters: FastJsonCounters,
): string {
  const template = pipeline.route.template;
  const bucket = Math.floor(timestampMs / plan.routeBucketMs);
  if (memo.template === template && memo.bucket === bucket) return memo.index;
  routeSource.service = service;
  const fallbacks = counters.routedToFallback;
  const index = routeFrom(pipeline.route, routeSource, readService, timestampMs, counters);
  if (counters.routedToFallback === fallbacks) {
    memo.template = template;
    memo.bucket = bucket;
    memo.index = index;
  }
  return index;
}
const routeSource: { service: string } = { service: '' };
// Reused for every record (no object per record); emptied after use so it keeps no event alive.
const fieldSource: { fields: Fields; service: string } = { fields: NO_FIELDS, service: '' };
const readField = (source: { fields: Fields; service: string }, path: string): unknown =>
  path === 'service.name' ? source.service : getPath(source.fields, path);
const readService = (source: { service: string }): unknown => source.service;

// Where the id's partition and offset digits were written, to copy them into `kafka` (-1: not).
let partitionAt = -1;
let partitionEnd = -1;
let offsetAt = -1;
let offsetEnd = -1;

/**
 * The record's id, or undefined when it is its coordinates on a plain topic: the action line
 * writes those from their parts, and a prepared record reads them back from there (writtenRecord).
 * The lane needs no string of it.
 */
function itemId(
  pipeline: CompiledPipeline,
  record: KafkaRecord,
  fields: Fields,
  counters: FastJsonCounters,
  topic: TopicBytes,
): string | undefined {
  return pipeline.id.type === IdTypes.coordinates && topic.plain !== undefined
    ? undefined
    : documentId(pipeline.id, record, fields, counters);
}

/** At most how many bytes the id takes in the action line (text counted at 3 bytes a unit). */
function idBytes(id: string | undefined, topic: TopicBytes): number {
  // A plain topic, two colons and two safe integers.
  return id === undefined ? topic.topic.length + 40 : 3 * id.length;
}

// The action line's opening up to its id, and for a coordinates id on a plain topic the topic and
// its colon too: one copy per item. Kept for the few indices (and topics) a batch writes to.
interface Head {
  action: string;
  index: string;
  /** The topic written in it, or undefined when the id is written apart. */
  topic: TopicBytes | undefined;
  bytes: Uint8Array;
}
const heads: Head[] = [];
const HEADS = 16;
const QUOTE_BYTE = ascii('"');
const COLON_BYTE = ascii(':');

/** `{"<action>":{"_index":"<index>","_id":"` then, given a topic, `<topic>:`. */
function headBytes(action: string, index: string, topic: TopicBytes | undefined): Uint8Array {
  for (let h = 0; h < heads.length; h++) {
    const head = heads[h]!;
    if (head.index === index && head.topic === topic && head.action === action) return head.bytes;
  }
  const parts = [actionPrefixBytes(action, index), QUOTE_BYTE];
  if (topic !== undefined) parts.push(topic.plain!, COLON_BYTE);
  const bytes = Buffer.concat(parts);
  if (heads.length >= HEADS) heads.pop();
  heads.unshift({ action, index, topic, bytes });
  return bytes;
}

/**
 * The action line from its head (headBytes, with the topic when `id` is undefined) to `close`:
 * coordinates from their parts, other ids as text.
 */
function putActionLine(
  record: KafkaRecord,
  id: string | undefined,
  head: Uint8Array,
  topic: TopicBytes,
  start: number,
  close: Uint8Array,
): number {
  partitionAt = -1;
  offsetAt = -1;
  let at = put(head, start);
  if (id === undefined) {
    written.idStart = at - topic.plain!.length - 1;
    partitionAt = at;
    at = putInt(record.partition, at);
    partitionEnd = at;
    slab[at++] = 0x3a;
    offsetAt = at;
    at = putInt(record.offset, at);
    offsetEnd = at;
  } else {
    written.idStart = at;
    if (PLAIN_ID.test(id)) at += slab.write(id, at, 'latin1');
    else at += slab.write(JSON.stringify(id).slice(1, -1), at);
  }
  written.idEnd = at;
  return put(close, at);
}

// What the document adds before `kafka.partition`'s value: the service and level members and
// `,"kafka":{"topic":…,"partition":`, one copy per item, kept per combination (a batch has few).
interface Tail {
  service: Uint8Array | undefined;
  level: Uint8Array | undefined;
  topic: TopicBytes;
  bytes: Uint8Array;
}
const tails: Tail[] = [];
const TAILS = 32;
const NOTHING = new Uint8Array(0);

function tailBytes(
  service: Uint8Array | undefined,
  level: Uint8Array | undefined,
  topic: TopicBytes,
): Uint8Array {
  for (let t = 0; t < tails.length; t++) {
    const tail = tails[t]!;
    if (tail.service === service && tail.level === level && tail.topic === topic) return tail.bytes;
  }
  const bytes = Buffer.concat([service ?? NOTHING, level ?? NOTHING, topic.kafka]);
  if (tails.length >= TAILS) tails.pop();
  tails.unshift({ service, level, topic, bytes });
  return bytes;
}

/** What the document adds after the event's members (`service`, `log.level`, `kafka`), its `}` and the newline. */
function putTail(
  record: KafkaRecord,
  topic: TopicBytes,
  service: Uint8Array | undefined,
  level: Uint8Array | undefined,
  key: string | undefined,
  start: number,
): number {
  let at = put(tailBytes(service, level, topic), start);
  at = partitionAt === -1 ? putInt(record.partition, at) : again(partitionAt, partitionEnd, at);
  at = put(OFFSET, at);
  at = offsetAt === -1 ? putInt(record.offset, at) : again(offsetAt, offsetEnd, at);
  // As kafkaTimestamp (document.ts): Kafka reports -1 when a record has no timestamp.
  if (usableTime(record.timestamp) && record.timestamp >= 0) {
    at = putIso(record.timestamp, kafkaSecond, at);
    slab[at++] = QUOTE;
  }
  if (key !== undefined) {
    at = put(KEY, at);
    at += slab.write(key, at);
  }
  slab[at++] = 0x7d; // } kafka
  slab[at++] = 0x7d; // } document
  slab[at++] = 0x0a;
  return at;
}

/**
 * The record prepared on its bytes, or undefined when it needs the JSON.parse path (which then
 * handles it exactly as it would have without this one; nothing is counted here in that case).
 */
export function prepareJsonBytes(
  value: Buffer,
  record: KafkaRecord,
  coords: PreparedRecord['coords'],
  pipeline: CompiledPipeline,
  plan: FastJsonPlan,
  counters: FastJsonCounters,
  now: number | undefined,
): PreparedRecord | undefined {
  return writeJsonItem(value, record, pipeline, plan, counters, now)
    ? writtenRecord(coords, pipeline, value, record)
    : undefined;
}

/**
 * Writes the record's bulk item on its bytes into itemSlab() (where: `written`); false, with
 * nothing written or counted, when it needs the JSON.parse path.
 */
export function writeJsonItem(
  value: Buffer,
  record: KafkaRecord,
  pipeline: CompiledPipeline,
  plan: FastJsonPlan,
  counters: FastJsonCounters,
  now: number | undefined,
): boolean {
  if (!opensObject(value)) return false;
  if (
    !scanJsonBytes(value, plan.limits, members) ||
    (members.nonAscii && !isUtf8(value)) ||
    !classifyMembers(value, plan)
  ) {
    return false;
  }

  // service.name: a non-empty string as written, else the pipeline's; an object is left to JSON.parse.
  let service = pipeline.service;
  let serviceEntry: Cached | undefined;
  let keepService = false;
  const s = serviceMemberIndex;
  if (s !== -1) {
    const type = members.valueType[s];
    if (type === ValueTypes.object) {
      // ECS style `"service":{"name":…}`: kept as written, its name routes the record.
      if (!nameInObject(value, s)) return false;
      serviceEntry = serviceFromBytes(value, found.start, found.end);
      service = serviceEntry.text;
      keepService = true;
    } else if (members.escaped[s]) return false;
    else if (type === ValueTypes.string && members.valueEnd[s]! - members.valueStart[s]! > 2) {
      serviceEntry = serviceFromBytes(value, members.valueStart[s]! + 1, members.valueEnd[s]! - 1);
      service = serviceEntry.text;
    }
  }

  const l = levelMember;
  const moveLevel = l !== -1 && !levelHeld && members.valueType[l] === ValueTypes.string;
  // A `log` member stays as written unless the level moves into it: that is left to JSON.parse.
  if (moveLevel && logMember !== -1) return false;

  // Event time: the first readable timestamp field, else Kafka's, else the batch's.
  let timestampMs: number | undefined;
  let canonicalAt = -1;
  let present = false;
  for (let f = 0; f < plan.timestampKeys.length; f++) {
    const m = timestampOf[f]!;
    if (m === -1) continue;
    const type = members.valueType[m];
    let ms: number | undefined;
    if (type === ValueTypes.string) {
      if (members.escaped[m]) return false;
      present = true;
      ms = plan.isoBytes?.(value, members.valueStart[m]! + 1, members.valueEnd[m]! - 1);
      // A canonical ISO time (a valid date, as it parsed) is written back exactly as it reads.
      if (ms !== undefined) canonicalAt = members.valueStart[m]! + 1;
      else ms = pipeline.timestamp.parse(stringText(value, m));
    } else if (type === ValueTypes.number) {
      present = true;
      ms = pipeline.timestamp.parse(Number(numberText(value, m)));
    } else continue;
    if (usableTime(ms)) {
      timestampMs = ms;
      break;
    }
    canonicalAt = -1;
  }
  const fellBack = timestampMs === undefined && present;
  if (timestampMs === undefined) {
    if (usableTime(record.timestamp) && record.timestamp >= 0) timestampMs = record.timestamp;
    else if (usableTime(now)) timestampMs = now;
    else return false;
  }

  // Nothing below refuses the record: counting starts here.
  if (fellBack) counters.timestampFallbacks++;
  const index = route(serviceEntry ?? plan.defaultRoute, pipeline, plan, service, timestampMs, counters);
  const topic = topicBytes(record.topic);
  const id = itemId(pipeline, record, NO_FIELDS, counters, topic);

  const serviceMemberBytes = serviceEntry === undefined ? serviceBytes(service) : serviceEntry.member;
  const level = moveLevel ? levelFromBytes(value, members.valueStart[l]!, members.valueEnd[l]!) : undefined;
  const head = headBytes(pipeline.action, index, id === undefined ? topic : undefined);
  const key = record.key === null ? undefined : JSON.stringify(keyText(record.key));
  // Everything but the copied members is bounded by this (text counted at 3 bytes a unit).
  const extra =
    head.length +
    idBytes(id, topic) +
    serviceMemberBytes.length +
    (level?.length ?? 0) +
    topic.kafka.length +
    3 * (key?.length ?? 0) +
    200;
  const start = reserve(slabOffset, value.length + extra);
  let at = putActionLine(record, id, head, topic, start, ID_CLOSE_DOC);
  const sourceStart = at - DOC_OPEN_LENGTH;
  if (canonicalAt !== -1) {
    at = writeRange(value, canonicalAt, canonicalAt + 24, at);
  } else at = putIso(timestampMs, eventSecond, at);
  slab[at++] = QUOTE;
  let runStart = -1;
  let runEnd = -1;
  for (let m = 0; m < members.count; m++) {
    const keep =
      m !== timestampMember && m !== kafkaMemberIndex && (m !== s || keepService) && !(m === l && moveLevel);
    if (keep) {
      if (runStart === -1) runStart = members.keyStart[m]!;
      runEnd = members.valueEnd[m]!;
    } else if (runStart !== -1) {
      slab[at++] = COMMA;
      at = writeRange(value, runStart, runEnd, at);
      runStart = -1;
    }
  }
  if (runStart !== -1) {
    slab[at++] = COMMA;
    at = writeRange(value, runStart, runEnd, at);
  }
  at = putTail(record, topic, keepService ? undefined : serviceMemberBytes, level, key, at);
  finishItem(start, sourceStart, at, index, id);
  return true;
}

// --- Parsed events (text formats, and JSON the byte path left) ----------------------------------

/** What the fields path needs of a pipeline: a route reading at most `service.name`, an id reading no field. */
export interface FieldsPlan {
  /** Times in one bucket of this many ms render the same index name for one service. */
  routeBucketMs: number;
  /** The last name rendered for the pipeline's own service name. */
  defaultRoute: RouteMemo;
  /** The route or the id reads the event's own fields (not only `service.name`). */
  readsFields: boolean;
}

/** Top-level fields the document writes itself: a route or id reading them needs the built document. */
const WRITTEN = new Set(['@timestamp', 'kafka', 'level', 'log', 'service', 'event', 'sluice']);

function readsOnlyOwnFields(path: string): boolean {
  const dot = path.indexOf('.');
  return !WRITTEN.has(dot === -1 ? path : path.slice(0, dot));
}
const fieldsPlans = new WeakMap<CompiledPipeline, FieldsPlan | null>();

export function fastFieldsPlan(pipeline: CompiledPipeline): FieldsPlan | undefined {
  let plan = fieldsPlans.get(pipeline);
  if (plan === undefined) {
    const fieldParts = pipeline.route.template.parts.filter(
      (part) => part.kind === 'field' && part.path !== 'service.name',
    );
    const eligible =
      !pipeline.eventOriginal &&
      fieldParts.every((part) => part.kind === 'field' && readsOnlyOwnFields(part.path)) &&
      (pipeline.id.type !== IdTypes.field || readsOnlyOwnFields(pipeline.id.field));
    plan = eligible
      ? {
          routeBucketMs: routeBucketMs(pipeline),
          defaultRoute: noRoute(),
          readsFields: fieldParts.length > 0 || pipeline.id.type === IdTypes.field,
        }
      : null;
    fieldsPlans.set(pipeline, plan);
  }
  return plan ?? undefined;
}

function routeBucketMs(pipeline: CompiledPipeline): number {
  // Date parts are rendered per hour or per day (index-name.ts): the finest decides.
  return Math.min(
    Number.POSITIVE_INFINITY,
    ...pipeline.route.template.parts.map((part) =>
      part.kind === 'date' ? part.format.bucketMs : Number.POSITIVE_INFINITY,
    ),
  );
}

/**
 * The bulk item of a parsed event that fits the limits as it is and has none of the keys the
 * document rewrites (`service`, `kafka`, `level`, a literal `service.name`): JSON.stringify of its
 * own fields, with `@timestamp` set in them, and what the document adds written as bytes after
 * them. The same document buildDocument builds, members in another order; undefined otherwise.
 * `fields` is the record's own (fresh from its parser, maybe changed by ops): `@timestamp` is set
 * in it.
 */
export function prepareFieldsItem(
  fields: Fields,
  timestampMs: number,
  record: KafkaRecord,
  coords: PreparedRecord['coords'],
  pipeline: CompiledPipeline,
  plan: FieldsPlan,
  counters: FastJsonCounters,
  value: Buffer,
): PreparedRecord | undefined {
  if (
    Object.hasOwn(fields, 'service') ||
    Object.hasOwn(fields, 'kafka') ||
    Object.hasOwn(fields, 'level') ||
    Object.hasOwn(fields, 'service.name') ||
    fitsLimits(fields, pipeline.limits, RESERVED_FIELDS) < 0
  ) {
    return undefined;
  }
  setOwn(fields, '@timestamp', isoTimestamp(timestampMs));
  const json = JSON.stringify(fields);
  let index: string;
  if (plan.readsFields) {
    fieldSource.fields = fields;
    fieldSource.service = pipeline.service;
    index = routeFrom(pipeline.route, fieldSource, readField, timestampMs, counters);
    fieldSource.fields = NO_FIELDS;
  } else index = defaultIndex(pipeline, plan, timestampMs, counters);
  const at = beginItem(record, pipeline, index, fields, counters, 3 * json.length);
  // The event's closing brace gives way to what the document adds.
  return endItem(at + slab.write(json, at) - 1, record, coords, pipeline, value);
}

// --- Items whose document the caller writes (json-fast's fields path, access-fast) ---------------

/** The index of a record routed by its pipeline's own service name (plans that read no field). */
export function defaultIndex(
  pipeline: CompiledPipeline,
  plan: FieldsPlan,
  timestampMs: number,
  counters: FastJsonCounters,
): string {
  return route(plan.defaultRoute, pipeline, plan, pipeline.service, timestampMs, counters);
}

/** What a text byte path's documents reach at most: leaves, nesting, and the longest string it adds. */
export interface TextPathNeeds {
  leaves: number;
  depth: number;
  fieldBytes: number;
}

/**
 * The plan of a text byte path for pipelines whose first parser is `parse`: no ops, `@timestamp`
 * as the only timestamp field, a route and id that read no field, and limits no document of the
 * path reaches. Worked out once per pipeline into `plans`.
 */
export function fastTextPlan(
  pipeline: CompiledPipeline,
  parse: Parser,
  needs: TextPathNeeds,
  plans: WeakMap<CompiledPipeline, FieldsPlan | null>,
): FieldsPlan | undefined {
  let plan = plans.get(pipeline);
  if (plan === undefined) {
    const base = fastFieldsPlan(pipeline);
    const eligible =
      base !== undefined &&
      !base.readsFields &&
      pipeline.codec === Codecs.text &&
      pipeline.parsers[0]?.parse === parse &&
      pipeline.ops.length === 0 &&
      pipeline.timestamp.fields.length === 1 &&
      pipeline.timestamp.fields[0] === '@timestamp' &&
      pipeline.limits.maxFields - RESERVED_FIELDS >= needs.leaves &&
      pipeline.limits.maxDepth >= needs.depth &&
      pipeline.limits.maxFieldBytes >= needs.fieldBytes;
    plan = eligible ? base : null;
    plans.set(pipeline, plan);
  }
  return plan ?? undefined;
}

/**
 * Where a text line's bytes end: one trailing newline dropped, then one CR. The parser path drops
 * `\n` or `\r\n`; a lone CR left there is trailing white space its readers drop as well.
 */
export function lineEnd(value: Uint8Array): number {
  let end = value.length;
  if (value[end - 1] === 0x0a) end--;
  if (value[end - 1] === 0x0d) end--;
  return end;
}

/**
 * beginItem for a record routed by its pipeline's own service name, with an id that reads no field
 * (the text byte paths' plans).
 */
export function beginPlainItem(
  record: KafkaRecord,
  pipeline: CompiledPipeline,
  plan: FieldsPlan,
  timestampMs: number,
  counters: FastJsonCounters,
  documentBytes: number,
): number {
  const index = defaultIndex(pipeline, plan, timestampMs, counters);
  return beginItem(record, pipeline, index, NO_FIELDS, counters, documentBytes);
}

// The item being written, between beginItem and endItem.
let itemStart = 0;
let itemSourceStart = 0;
let itemIndex = '';
let itemIdText: string | undefined;
let itemTopic: TopicBytes = lastTopic;
let itemKey: string | undefined;
let itemService: Uint8Array = new Uint8Array(0);

/**
 * Reserves room for an item whose document takes at most `documentBytes`, writes its action line
 * (the id from `fields`, if the pipeline's id reads one), and returns where the document starts in
 * itemSlab(). The caller writes the document's members from its `{` on, without the closing
 * brace, and hands the position after them to endItem.
 */
export function beginItem(
  record: KafkaRecord,
  pipeline: CompiledPipeline,
  index: string,
  fields: Fields,
  counters: FastJsonCounters,
  documentBytes: number,
): number {
  itemService = serviceBytes(pipeline.service);
  itemTopic = topicBytes(record.topic);
  itemKey = record.key === null ? undefined : JSON.stringify(keyText(record.key));
  itemIndex = index;
  const id = itemId(pipeline, record, fields, counters, itemTopic);
  itemIdText = id;
  const head = headBytes(pipeline.action, index, id === undefined ? itemTopic : undefined);
  itemStart = reserve(
    slabOffset,
    documentBytes +
      head.length +
      idBytes(id, itemTopic) +
      itemService.length +
      itemTopic.kafka.length +
      3 * (itemKey?.length ?? 0) +
      200,
  );
  itemSourceStart = putActionLine(record, id, head, itemTopic, itemStart, ID_CLOSE);
  return itemSourceStart;
}

/**
 * The key `cache` was made for (secondBytes) and ISO 8601 of `ms` (as toISOString), written at
 * `at` in itemSlab(); returns the position after them.
 */
export function writeIso(ms: number, cache: SecondBytes, at: number): number {
  return putIso(ms, cache, at);
}

/** `bytes` written at `at` in itemSlab(); returns the position after them. */
export function writeBytes(bytes: Uint8Array, at: number): number {
  return put(bytes, at);
}

/** A non-negative safe integer written at `at` in itemSlab(); returns the position after it. */
export function writeInt(n: number, at: number): number {
  return putInt(n, at);
}

/**
 * `source[start, end)` written at `at` in itemSlab(); returns the position after it. A loop up to
 * a few dozen bytes: Buffer#copy costs about 80 ns whatever the length (measured; `set` of a whole
 * array costs about 20, but a range of it needs a view made first).
 */
export function writeRange(source: Buffer, start: number, end: number, at: number): number {
  if (end - start > 40) return at + source.copy(slab, at, start, end);
  for (let i = start; i < end; i++) slab[at++] = source[i]!;
  return at;
}

// The last time text a text byte path read and what its pipeline made of it: a batch's lines
// mostly share a second. The pipeline's parser caches its results per text too, so this changes
// no reading (a year-less time reads the same while cached).
const lastTime: Buffer = Buffer.alloc(64);
let lastTimeLength = -1;
let lastTimePipeline: CompiledPipeline | undefined;
let lastTimeMs: number | undefined;

/** The pipeline's reading of the time text `b[start, end)` (latin1). */
export function timeFromBytes(
  b: Buffer,
  start: number,
  end: number,
  pipeline: CompiledPipeline,
): number | undefined {
  const length = end - start;
  if (pipeline === lastTimePipeline && length === lastTimeLength) {
    let same = true;
    for (let i = 0; i < length; i++) {
      if (lastTime[i] !== b[start + i]) {
        same = false;
        break;
      }
    }
    if (same) return lastTimeMs;
  }
  const ms = pipeline.timestamp.parse(b.toString('latin1', start, end));
  if (length <= lastTime.length) {
    b.copy(lastTime, 0, start, end);
    lastTimeLength = length;
    lastTimePipeline = pipeline;
    lastTimeMs = ms;
  }
  return ms;
}

/** The buffer beginItem's caller writes the document into (valid until the next beginItem). */
export function itemSlab(): Buffer {
  return slab;
}

/** Adds the pipeline's service and `kafka` after the members written up to `at`, and closes the item (see `written`). */
export function closeItem(at: number, record: KafkaRecord): void {
  const end = putTail(record, itemTopic, itemService, undefined, itemKey, at);
  finishItem(itemStart, itemSourceStart, end, itemIndex, itemIdText);
}

/** closeItem, and the item as a prepared record. */
export function endItem(
  at: number,
  record: KafkaRecord,
  coords: PreparedRecord['coords'],
  pipeline: CompiledPipeline,
  value: Buffer,
): PreparedRecord {
  closeItem(at, record);
  return writtenRecord(coords, pipeline, value, record);
}
