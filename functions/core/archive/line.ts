// One archived Kafka record per NDJSON line: everything `prepareRecord` reads, so that a replayed
// record gets the same id and document as the original delivery.

import type { DeadLetterEntry } from '../bulk/types.ts';
import { decodeBase64 } from '../kafka/decode.ts';
import type { KafkaRecord } from '../kafka/types.ts';
import { ArchiveLineError } from './errors.ts';

/** The JSON shape of one archive line. Key and value are base64 so any bytes survive. */
export interface ArchiveLine {
  topic: string;
  partition: number;
  offset: number;
  /** Kafka timestamp, epoch ms (-1 when Kafka had none). */
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export function encodeArchiveLine(record: KafkaRecord): string {
  const line: ArchiveLine = {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key === null ? null : record.key.toString('base64'),
    value: record.value === null ? null : record.value.toString('base64'),
    headers: record.headers,
  };
  return JSON.stringify(line);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function bytes(value: unknown, name: string): Buffer | null {
  if (value === null || value === undefined) return null;
  const decoded = typeof value === 'string' ? decodeBase64(value) : undefined;
  if (decoded === undefined) throw new ArchiveLineError(`${name} must be base64 or null`);
  return decoded;
}

function parseObject(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ArchiveLineError(`not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isObject(parsed)) throw new ArchiveLineError('expected a JSON object');
  return parsed;
}

function coordinates(line: Record<string, unknown>): { topic: string; partition: number; offset: number } {
  const { topic, partition, offset } = line;
  if (typeof topic !== 'string' || topic === '')
    throw new ArchiveLineError('topic must be a non-empty string');
  if (!isCount(partition)) throw new ArchiveLineError('partition must be a whole number ≥ 0');
  if (!isCount(offset)) throw new ArchiveLineError('offset must be a whole number ≥ 0');
  return { topic, partition, offset };
}

/** Parses one archive line back into the record it was written from; throws ArchiveLineError. */
export function decodeArchiveLine(text: string): KafkaRecord {
  const line = parseObject(text);
  const coords = coordinates(line);
  if (typeof line.timestamp !== 'number' || !Number.isFinite(line.timestamp)) {
    throw new ArchiveLineError('timestamp must be a number');
  }
  return {
    ...coords,
    timestamp: line.timestamp,
    key: bytes(line.key, 'key'),
    value: bytes(line.value, 'value'),
    headers: readHeaders(line.headers),
  };
}

function readHeaders(raw: unknown): Record<string, string> {
  const headers: Record<string, string> = {};
  if (raw === undefined || raw === null) return headers;
  if (!isObject(raw)) throw new ArchiveLineError('headers must be an object');
  for (const [name, value] of Object.entries(raw)) {
    if (typeof value !== 'string')
      throw new ArchiveLineError(`header ${JSON.stringify(name)} must be a string`);
    // Own data property even for `__proto__`, as the decoder does: names come from producers.
    Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
  }
  return headers;
}

/**
 * A dead-letter line as a replayable record. Dead letters keep the value and coordinates; the Kafka
 * timestamp (-1 when absent), key (base64) and headers are read too should an entry carry them.
 */
export function decodeDeadLetterLine(text: string): { record: KafkaRecord; entry: DeadLetterEntry } {
  const line = parseObject(text);
  const coords = coordinates(line);
  const { pipeline, errorType, original } = line;
  if (typeof pipeline !== 'string') throw new ArchiveLineError('pipeline must be a string');
  if (typeof errorType !== 'string') throw new ArchiveLineError('errorType must be a string');
  const value = bytes(original, 'original');
  const timestamp =
    typeof line.timestamp === 'number' && Number.isFinite(line.timestamp) ? line.timestamp : -1;
  return {
    record: { ...coords, timestamp, key: bytes(line.key, 'key'), value, headers: readHeaders(line.headers) },
    entry: line as unknown as DeadLetterEntry,
  };
}
