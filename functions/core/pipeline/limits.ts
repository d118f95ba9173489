// Guards the index mapping against what a single log line can do to it: thousands of distinct
// keys (mapping explosion), deep nesting, empty field names, and terms too long to index.

import { type Fields, setOwn } from './fields.ts';
import { truncateUtf8 } from './utf8.ts';

export interface FieldLimits {
  /** Leaf fields kept as fields; the rest go to the overflow string. */
  maxFields: number;
  /** Object nesting kept as objects; deeper subtrees go to the overflow string. */
  maxDepth: number;
  /** Strings are cut (at a character boundary) to this many UTF-8 bytes. */
  maxFieldBytes: number;
}

/**
 * Half of OpenSearch's `index.mapping.total_fields.limit` (1000): that limit is per index and also
 * counts object and multi-fields and every other document's fields, so a document at 1000 leaves
 * would be refused. Depth as OpenSearch's `depth.limit`; bytes as Lucene's term cap.
 */
export const DEFAULT_LIMITS: FieldLimits = { maxFields: 500, maxDepth: 20, maxFieldBytes: 32766 };

export interface LimitCounters {
  overflowedFields: number;
  renamedKeys: number;
  truncated: number;
}

export interface GuardResult {
  fields: Fields;
  /** Path → value of everything that did not fit, or undefined when everything did. */
  overflow: Fields | undefined;
}

interface GuardState {
  limits: FieldLimits;
  maxFields: number;
  leaves: number;
  overflow: Fields | undefined;
  counters: LimitCounters;
}

const EMPTY_KEY = /^[\s.]*$/;
export const EMPTY_KEY_NAME = '_empty';

/**
 * Copies `input` within the limits. `reserved` leaf fields are kept free for the fields the
 * document adds itself (`@timestamp`, `kafka.*`, …).
 */
export function guardFields(
  input: Fields,
  limits: FieldLimits,
  counters: LimitCounters,
  reserved = 0,
): GuardResult {
  const state: GuardState = {
    limits,
    maxFields: Math.max(0, limits.maxFields - reserved),
    leaves: 0,
    overflow: undefined,
    counters,
  };
  const fields = copyObject(input, 0, '', state);
  return { fields, overflow: state.overflow };
}

function copyObject(source: Fields, depth: number, prefix: string, state: GuardState): Fields {
  const out: Fields = {};
  for (const rawKey of Object.keys(source)) {
    const value = source[rawKey];
    if (value === undefined) continue;
    const key = fieldName(rawKey, out, state.counters);
    const path = prefix === '' ? key : `${prefix}.${key}`;
    // A dotted key nests as deep as its dots say.
    const keyDepth = depth + 1 + dots(key);
    const copied = copyValue(value, keyDepth, path, state);
    if (copied !== undefined) setOwn(out, key, copied);
  }
  return out;
}

/** Returns the value to keep under `path`, or undefined when it went to the overflow. */
function copyValue(value: unknown, depth: number, path: string, state: GuardState): unknown {
  if (Array.isArray(value)) {
    // Only a dotted key can put an array deeper than an object may be.
    if (depth > state.limits.maxDepth) return addOverflow(state, path, value);
    if (!value.some(isObject)) {
      // An array of scalars is one field in the mapping.
      if (state.leaves >= state.maxFields) return addOverflow(state, path, value);
      state.leaves++;
      const out: unknown[] = new Array(value.length);
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        out[i] = typeof item === 'string' ? truncateString(item, state) : item;
      }
      return out;
    }
    const out: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      // Overflowed parts of array elements keep their position: `a[1].b`.
      const copied = copyValue(value[i], depth, `${path}[${i}]`, state);
      if (copied !== undefined) out.push(copied);
    }
    return out;
  }
  if (typeof value === 'object' && value !== null) {
    if (depth >= state.limits.maxDepth) return addOverflow(state, path, value);
    return copyObject(value as Fields, depth, path, state);
  }
  // Only a dotted key can put a scalar deeper than an object may be.
  if (state.leaves >= state.maxFields || depth > state.limits.maxDepth)
    return addOverflow(state, path, value);
  state.leaves++;
  return typeof value === 'string' ? truncateString(value, state) : value;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

function addOverflow(state: GuardState, path: string, value: unknown): undefined {
  state.overflow ??= {};
  // `{"a.b": 1, "a": {"b": 2}}` overflows twice under the same path: keep both.
  let key = path;
  for (let n = 2; Object.hasOwn(state.overflow, key); n++) key = `${path}#${n}`;
  setOwn(state.overflow, key, value);
  state.counters.overflowedFields++;
  return undefined;
}

function truncateString(value: string, state: GuardState): string {
  const cut = truncateUtf8(value, state.limits.maxFieldBytes);
  if (cut !== value) state.counters.truncated++;
  return cut;
}

function hasBlankSegment(key: string): boolean {
  let start = 0;
  for (;;) {
    const dot = key.indexOf('.', start);
    const end = dot === -1 ? key.length : dot;
    if (key.slice(start, end).trim() === '') return true;
    if (dot === -1) return false;
    start = dot + 1;
  }
}

function dots(key: string): number {
  let count = 0;
  for (let i = key.indexOf('.'); i !== -1; i = key.indexOf('.', i + 1)) count++;
  return count;
}

/**
 * OpenSearch rejects empty field names and names with empty dotted segments (`a..b`, `.a`):
 * those are renamed, without clobbering a key already kept (nor being clobbered by a later one).
 */
function fieldName(key: string, out: Fields, counters: LimitCounters): string {
  if (key.trim() !== '' && !Object.hasOwn(out, key) && (!key.includes('.') || !hasBlankSegment(key)))
    return key;
  counters.renamedKeys++;
  let name = EMPTY_KEY.test(key)
    ? EMPTY_KEY_NAME
    : key
        .split('.')
        .filter((segment) => segment.trim() !== '')
        .join('.');
  if (Object.hasOwn(out, name)) {
    let n = 2;
    while (Object.hasOwn(out, `${name}_${n}`)) n++;
    name = `${name}_${n}`;
  }
  return name;
}

interface FitState {
  limits: FieldLimits;
  maxFields: number;
  leaves: number;
  keys: number;
}

/**
 * The number of keys in `input` at every depth when guardFields would copy it unchanged (no
 * overflow, rename or truncation), else -1. Walks without copying: the fast path for documents
 * that are written from the event's own fields rather than rebuilt.
 */
export function fitsLimits(input: Fields, limits: FieldLimits, reserved = 0): number {
  const state: FitState = { limits, maxFields: Math.max(0, limits.maxFields - reserved), leaves: 0, keys: 0 };
  return fitsObject(input, 0, state) ? state.keys : -1;
}

function fitsObject(source: Fields, depth: number, state: FitState): boolean {
  const keys = Object.keys(source);
  state.keys += keys.length;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const value = source[key];
    if (value === undefined) return false;
    const extra = keyDepth(key);
    if (extra < 0 || !fitsValue(value, depth + extra, state)) return false;
  }
  return true;
}

// Keys repeat from record to record (parsers' own names, a logger's fields): what each one means
// for the limits is worked out once.
const KEY_DEPTH_LIMIT = 4096;
const keyDepths = new Map<string, number>();

/** 1 + the dots in a key (the depth it nests its value at), or -1 for a key guardFields renames. */
function keyDepth(key: string): number {
  let known = keyDepths.get(key);
  if (known === undefined) {
    known = key.trim() === '' || (key.includes('.') && hasBlankSegment(key)) ? -1 : 1 + dots(key);
    if (keyDepths.size >= KEY_DEPTH_LIMIT) keyDepths.clear();
    keyDepths.set(key, known);
  }
  return known;
}

function fitsValue(value: unknown, depth: number, state: FitState): boolean {
  if (Array.isArray(value)) {
    if (depth > state.limits.maxDepth) return false;
    if (!value.some(isObject)) {
      if (state.leaves >= state.maxFields) return false;
      state.leaves++;
      for (let i = 0; i < value.length; i++) {
        const item: unknown = value[i];
        if (typeof item === 'string' && !fitsString(item, state)) return false;
      }
      return true;
    }
    for (let i = 0; i < value.length; i++) if (!fitsValue(value[i], depth, state)) return false;
    return true;
  }
  if (typeof value === 'object' && value !== null) {
    if (depth >= state.limits.maxDepth) return false;
    return fitsObject(value as Fields, depth, state);
  }
  if (state.leaves >= state.maxFields || depth > state.limits.maxDepth) return false;
  state.leaves++;
  return typeof value !== 'string' || fitsString(value, state);
}

function fitsString(value: string, state: FitState): boolean {
  return (
    value.length * 3 <= state.limits.maxFieldBytes ||
    truncateUtf8(value, state.limits.maxFieldBytes) === value
  );
}
