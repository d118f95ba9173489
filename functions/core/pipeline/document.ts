// The document written to OpenSearch, in ECS shape: the event's own fields within the mapping
// limits, plus `@timestamp`, `service.name`, `kafka.*` and optionally `event.original`.

import type { KafkaRecord } from '../kafka/types.ts';
import { isoSecond, MAX_CIVIL_MS, MIN_CIVIL_MS } from './civil.ts';
import { type Fields, getPath, setOwn, setPath } from './fields.ts';
import { type FieldLimits, fitsLimits, guardFields, type LimitCounters } from './limits.ts';
import { keyText } from './ops.ts';
import { truncateUtf8 } from './utf8.ts';

/** Where fields that did not fit the limits are kept, as one JSON string. */
export const OVERFLOW_FIELD = 'sluice.overflow';

/** `Date` accepts ±8.64e15 ms; anything outside would throw in toISOString. */
const MAX_TIME_MS = 8.64e15;

/** An event time the document can carry. */
export function usableTime(ms: number | undefined): ms is number {
  return ms !== undefined && Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS;
}

/** Fields the document adds itself, kept free in the field budget. */
export const RESERVED_FIELDS = 10;

export interface DocumentInput {
  /** The event after parsing and ops; read, never modified. */
  fields: Fields;
  timestampMs: number;
  record: KafkaRecord;
  /** Default `service.name` when the event has none. */
  service: string;
  limits: FieldLimits;
  /** The raw line, when the pipeline keeps `event.original`. */
  original?: string | undefined;
}

/** Remembers the last second formatted: the records of a batch mostly share it. */
interface SecondCache {
  second: number;
  prefix: string;
}

function formatIso(ms: number, cache: SecondCache): string {
  const whole = Math.trunc(ms);
  // Years outside 0000–9999: `toISOString`'s longer signed form.
  if (whole < MIN_CIVIL_MS || whole > MAX_CIVIL_MS) return new Date(whole).toISOString();
  const second = Math.floor(whole / 1000);
  if (second !== cache.second) {
    cache.prefix = isoSecond(second);
    cache.second = second;
  }
  const milli = whole - second * 1000;
  return `${cache.prefix}.${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}

const eventSecond: SecondCache = { second: Number.NaN, prefix: '' };
const kafkaSecond: SecondCache = { second: Number.NaN, prefix: '' };

/** ISO 8601 in UTC with milliseconds, e.g. `2024-05-01T12:00:00.000Z` (same as `toISOString`). */
export function isoTimestamp(ms: number): string {
  return formatIso(ms, eventSecond);
}

/** `kafka.timestamp`, or undefined when Kafka gave none (it reports -1) or an unusable one. */
export function kafkaTimestamp(ms: number): string | undefined {
  return Number.isFinite(ms) && ms >= 0 && ms <= MAX_TIME_MS ? formatIso(ms, kafkaSecond) : undefined;
}

export function buildDocument(input: DocumentInput, counters: LimitCounters): Fields {
  // Most events fit the limits as they are: then their objects are shared, not copied, and the
  // few the document writes into (`log`, `service`, `event`) are copied first (see writable).
  const fits = fitsLimits(input.fields, input.limits, RESERVED_FIELDS) >= 0;
  const { fields: guarded, overflow } = fits
    ? { fields: input.fields, overflow: undefined }
    : guardFields(input.fields, input.limits, counters, RESERVED_FIELDS);
  // `@timestamp` first: easier to read in Discover and in dead letters.
  const doc: Fields = { '@timestamp': isoTimestamp(input.timestampMs) };
  const level = movableLevel(guarded);
  for (const key of Object.keys(guarded)) {
    // Skipped rather than deleted afterwards: `delete` makes the object slow to serialise.
    if (key === '@timestamp' || key === 'kafka' || (key === 'level' && level !== undefined)) continue;
    setOwn(doc, key, guarded[key]);
  }
  if (fits) {
    if (level !== undefined) writable(doc, 'log');
    writable(doc, 'service');
    if (input.original !== undefined) writable(doc, 'event');
  }
  if (level !== undefined) setPath(doc, 'log.level', level);
  normaliseService(doc, input.service);
  const { record } = input;
  const kafka: Fields = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
  };
  const time = kafkaTimestamp(record.timestamp);
  if (time !== undefined) kafka.timestamp = time;
  if (record.key !== null) kafka.key = keyText(record.key);
  doc.kafka = kafka;
  if (input.original !== undefined) {
    setPath(doc, 'event.original', truncateUtf8(input.original, input.limits.maxFieldBytes));
  }
  if (overflow !== undefined) setPath(doc, OVERFLOW_FIELD, JSON.stringify(overflow));
  return doc;
}

/** Replaces `doc[key]`, when it is an object shared with the event, by a shallow copy. */
function writable(doc: Fields, key: string): void {
  const value = Object.hasOwn(doc, key) ? doc[key] : undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const copy: Fields = {};
  for (const k of Object.keys(value)) setOwn(copy, k, (value as Fields)[k]);
  setOwn(doc, key, copy);
}

/**
 * ECS maps `service` as an object: a plain `"service": "api"` (common in JSON logs) would be
 * rejected by the mapping, so it becomes `service.name`; a missing name gets the pipeline default.
 */
function normaliseService(doc: Fields, fallback: string): void {
  const service = doc.service;
  if (typeof service === 'string' && service !== '') {
    setOwn(doc, 'service', { name: service });
    return;
  }
  const name = getPath(doc, 'service.name');
  if (typeof name !== 'string' || name === '') setPath(doc, 'service.name', fallback);
}

/**
 * A top-level string `level` (winston, logrus, zap…) is moved to ECS `log.level` when that is
 * unset and `log` can hold it; returns the level to move, if any.
 */
function movableLevel(fields: Fields): string | undefined {
  const level = fields.level;
  if (typeof level !== 'string' || getPath(fields, 'log.level') !== undefined) return undefined;
  const log = fields.log;
  return log === undefined || (typeof log === 'object' && log !== null && !Array.isArray(log))
    ? level
    : undefined;
}
