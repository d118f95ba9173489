import type { Coordinates } from '../bulk/types.ts';
import { KafkaEventError } from './errors.ts';
import { EventSources, type KafkaRecord } from './types.ts';

/** A record that could not be decoded: goes to the dead-letter store with its reason. */
export interface DecodeError {
  coords: Coordinates;
  /** Always `decode_error`: the short cause the dead-letter entry carries. */
  errorType: 'decode_error';
  reason: string;
  /** The value exactly as received (the base64 text's bytes), so nothing of it is lost. */
  raw: Buffer | null;
  timestamp: number;
}

export interface DecodedEvent {
  records: KafkaRecord[];
  errors: DecodeError[];
  /** Headers that were not `{name: byte[]}` and were ignored. */
  malformedHeaders: number;
}

const SOURCES: ReadonlySet<unknown> = new Set(Object.values(EventSources));

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/**
 * Decodes padded base64 (as the ESM sends it) at buffer level; undefined when the text is not
 * valid base64. Buffer.from skips characters outside the alphabet and stops at padding, so any
 * such character leaves the output shorter than the length the text promises: one length check
 * replaces a regex over the whole text. Only the URL-safe `-` and `_`, which it accepts, need a scan.
 */
export function decodeBase64(text: string): Buffer | undefined {
  const length = text.length;
  if (length % 4 !== 0) return undefined;
  const padding =
    length === 0
      ? 0
      : text.charCodeAt(length - 1) !== 0x3d
        ? 0
        : text.charCodeAt(length - 2) === 0x3d
          ? 2
          : 1;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length !== (length / 4) * 3 - padding) return undefined;
  if (text.indexOf('-') !== -1 || text.indexOf('_') !== -1) return undefined;
  return bytes;
}

/** Decodes the headers into `headers`; returns how many entries were malformed. */
function decodeHeaders(raw: unknown, headers: Record<string, string>): number {
  let malformed = 0;
  if (raw === undefined || raw === null) return 0;
  if (!Array.isArray(raw)) return 1;
  for (const entry of raw) {
    if (!isObject(entry)) {
      malformed++;
      continue;
    }
    for (const [name, bytes] of Object.entries(entry)) {
      if (!Array.isArray(bytes) || !bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) {
        malformed++;
        continue;
      }
      // Own data property even for `__proto__`: header names come from producers.
      Object.defineProperty(headers, name, {
        value: Buffer.from(bytes as number[]).toString('utf8'),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  }
  return malformed;
}

/** `"<topic>-<partition>"`: the partition is after the last dash, as topics may contain dashes. */
function splitKey(key: string): { topic: string; partition: number } | undefined {
  const dash = key.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const partition = Number(key.slice(dash + 1));
  return isCount(partition) && /^\d+$/.test(key.slice(dash + 1))
    ? { topic: key.slice(0, dash), partition }
    : undefined;
}

/** One `records` entry of an event: its `"<topic>-<partition>"` key and its records. */
export interface RecordList {
  key: string;
  records: readonly unknown[];
  /** Topic and partition read from the key, for records that do not carry them. */
  fromKey: { topic: string; partition: number } | undefined;
}

/** The event's record lists; throws `KafkaEventError` when the event as a whole is unusable. */
export function recordLists(event: unknown): RecordList[] {
  if (!isObject(event)) throw new KafkaEventError('Kafka event is not an object');
  if (!SOURCES.has(event.eventSource)) {
    throw new KafkaEventError(`Kafka event has an unknown eventSource: ${JSON.stringify(event.eventSource)}`);
  }
  if (!isObject(event.records)) throw new KafkaEventError('Kafka event has no records object');
  const lists: RecordList[] = [];
  for (const [key, list] of Object.entries(event.records)) {
    if (!Array.isArray(list))
      throw new KafkaEventError(`Kafka event records[${JSON.stringify(key)}] is not an array`);
    lists.push({ key, records: list, fromKey: splitKey(key) });
  }
  return lists;
}

/**
 * Validates an ESM Kafka event (MSK or self-managed) and decodes every record. Throws
 * `KafkaEventError` only when the event as a whole is unusable; a bad record becomes a `DecodeError`.
 */
export function decodeEvent(event: unknown): DecodedEvent {
  const result: DecodedEvent = { records: [], errors: [], malformedHeaders: 0 };
  for (const list of recordLists(event)) {
    for (const raw of list.records) decodeRecord(raw, list, result);
  }
  return result;
}

/** A record's topic: its own, else its list's. */
function recordTopic(raw: Record<string, unknown>, list: RecordList): string | undefined {
  return typeof raw.topic === 'string' && raw.topic !== '' ? raw.topic : list.fromKey?.topic;
}

/** A record's partition: its own, else its list's. */
function recordPartition(raw: Record<string, unknown>, list: RecordList): number | undefined {
  return isCount(raw.partition) ? raw.partition : list.fromKey?.partition;
}

/**
 * Throws `KafkaEventError` for a record that can be neither indexed, reported nor dead-lettered
 * (no offset, topic or partition): that is a fault of the event, not of the record.
 */
export function checkRecord(
  raw: unknown,
  list: RecordList,
): asserts raw is Record<string, unknown> & {
  offset: number;
} {
  if (!isObject(raw) || !isCount(raw.offset)) {
    throw new KafkaEventError(`Kafka event record under ${JSON.stringify(list.key)} has no valid offset`);
  }
  if (recordTopic(raw, list) === undefined || recordPartition(raw, list) === undefined) {
    throw new KafkaEventError(
      `Kafka event record under ${JSON.stringify(list.key)} has no topic or partition`,
    );
  }
}

/** A record's Kafka timestamp (0 when it has none that is a finite number). */
function recordTimestamp(raw: Record<string, unknown>): number {
  return typeof raw.timestamp === 'number' && Number.isFinite(raw.timestamp) ? raw.timestamp : 0;
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * Decodes one record of `list` into `result` (as a record, or as a DecodeError). `decodedValue`:
 * its value already decoded (values.ts), else it is decoded here.
 */
export function decodeRecord(
  raw: unknown,
  list: RecordList,
  result: DecodedEvent,
  decodedValue?: Buffer,
): void {
  checkRecord(raw, list);
  const topic = recordTopic(raw, list)!;
  const partition = recordPartition(raw, list)!;
  const timestamp = recordTimestamp(raw);
  let key: Buffer | null = null;
  let value: Buffer | null = null;
  let reason: string | undefined;
  if (raw.key !== undefined && raw.key !== null) {
    if (typeof raw.key !== 'string') reason = 'key is not a string';
    else key = decodeBase64(raw.key) ?? null;
    if (reason === undefined && key === null) reason = 'key is not valid base64';
  }
  if (reason === undefined && raw.value !== undefined && raw.value !== null) {
    if (typeof raw.value !== 'string') reason = 'value is not a string';
    else value = decodedValue ?? decodeBase64(raw.value) ?? null;
    if (reason === undefined && value === null) reason = 'value is not valid base64';
  }
  if (reason !== undefined) {
    const original = typeof raw.value === 'string' ? Buffer.from(raw.value, 'utf8') : null;
    const coords = { topic, partition, offset: raw.offset };
    result.errors.push({ coords, errorType: 'decode_error', reason, raw: original, timestamp });
    return;
  }
  // Most records carry no headers: one shared empty object for them (headers are only read).
  let headers = NO_HEADERS;
  if (
    Array.isArray(raw.headers) ? raw.headers.length > 0 : raw.headers !== undefined && raw.headers !== null
  ) {
    headers = {};
    result.malformedHeaders += decodeHeaders(raw.headers, headers);
  }
  result.records.push({ topic, partition, offset: raw.offset, timestamp, key, value, headers });
}
