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
// Padded base64, as the ESM sends it (Buffer.from would silently skip bad characters). A flat
// character class, not groups of four, so that multi-megabyte values do not backtrack.
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Decodes base64 at buffer level; undefined when the text is not valid base64. */
export function decodeBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0 || !BASE64.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

function decodeHeaders(raw: unknown): { headers: Record<string, string>; malformed: number } {
  const headers: Record<string, string> = {};
  let malformed = 0;
  if (raw === undefined || raw === null) return { headers, malformed };
  if (!Array.isArray(raw)) return { headers, malformed: 1 };
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
  return { headers, malformed };
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

/**
 * Validates an ESM Kafka event (MSK or self-managed) and decodes every record. Throws
 * `KafkaEventError` only when the event as a whole is unusable; a bad record becomes a `DecodeError`.
 */
export function decodeEvent(event: unknown): DecodedEvent {
  if (!isObject(event)) throw new KafkaEventError('Kafka event is not an object');
  if (!SOURCES.has(event.eventSource)) {
    throw new KafkaEventError(`Kafka event has an unknown eventSource: ${JSON.stringify(event.eventSource)}`);
  }
  if (!isObject(event.records)) throw new KafkaEventError('Kafka event has no records object');

  const result: DecodedEvent = { records: [], errors: [], malformedHeaders: 0 };
  for (const [key, list] of Object.entries(event.records)) {
    if (!Array.isArray(list))
      throw new KafkaEventError(`Kafka event records[${JSON.stringify(key)}] is not an array`);
    const fromKey = splitKey(key);
    for (const raw of list) decodeRecord(raw, key, fromKey, result);
  }
  return result;
}

function decodeRecord(
  raw: unknown,
  key: string,
  fromKey: { topic: string; partition: number } | undefined,
  result: DecodedEvent,
): void {
  // Without an offset a record can be neither reported nor dead-lettered: that is an event-level fault.
  if (!isObject(raw) || !isCount(raw.offset)) {
    throw new KafkaEventError(`Kafka event record under ${JSON.stringify(key)} has no valid offset`);
  }
  const topic = typeof raw.topic === 'string' && raw.topic !== '' ? raw.topic : fromKey?.topic;
  const partition = isCount(raw.partition) ? raw.partition : fromKey?.partition;
  if (topic === undefined || partition === undefined) {
    throw new KafkaEventError(`Kafka event record under ${JSON.stringify(key)} has no topic or partition`);
  }
  const coords = { topic, partition, offset: raw.offset };
  const timestamp = typeof raw.timestamp === 'number' && Number.isFinite(raw.timestamp) ? raw.timestamp : 0;
  const rawValue = typeof raw.value === 'string' ? Buffer.from(raw.value, 'utf8') : null;
  const fail = (reason: string): void => {
    result.errors.push({ coords, errorType: 'decode_error', reason, raw: rawValue, timestamp });
  };

  const decoded: { key: Buffer | null; value: Buffer | null } = { key: null, value: null };
  for (const field of ['key', 'value'] as const) {
    const text = raw[field];
    if (text === undefined || text === null) continue;
    if (typeof text !== 'string') {
      fail(`${field} is not a string`);
      return;
    }
    const bytes = decodeBase64(text);
    if (bytes === undefined) {
      fail(`${field} is not valid base64`);
      return;
    }
    decoded[field] = bytes;
  }
  const { headers, malformed } = decodeHeaders(raw.headers);
  result.malformedHeaders += malformed;
  result.records.push({ ...coords, timestamp, key: decoded.key, value: decoded.value, headers });
}
