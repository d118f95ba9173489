// Document ids. Deterministic ids make redelivery harmless: a record written twice with `create`
// answers 409 the second time instead of becoming a duplicate document.

import { createHash } from 'node:crypto';
import type { KafkaRecord } from '../kafka/types.ts';
import { type Fields, getPath } from './fields.ts';
import { utf8Length } from './utf8.ts';

export const IdTypes = { coordinates: 'coordinates', hash: 'hash', field: 'field' } as const;
export type IdType = (typeof IdTypes)[keyof typeof IdTypes];

export const HashAlgorithms = { sha1: 'sha1', sha256: 'sha256' } as const;
export type HashAlgorithm = (typeof HashAlgorithms)[keyof typeof HashAlgorithms];

export type IdStrategy =
  | { type: 'coordinates' }
  | { type: 'hash'; algorithm: HashAlgorithm }
  | { type: 'field'; field: string };

/** OpenSearch rejects `_id` values longer than 512 bytes. */
export const MAX_ID_BYTES = 512;

export interface IdCounters {
  idFallbacks: number;
}

/**
 * `topic:partition:offset`: readable, unique per record, and short enough (a topic name is at
 * most 249 characters of `[a-zA-Z0-9._-]`, so the id stays far below 512 bytes).
 */
export function coordinatesId(record: KafkaRecord): string {
  return `${record.topic}:${record.partition}:${record.offset}`;
}

/** base64url of a hash of the value bytes: the same line is stored once whatever its offset. */
export function contentId(value: Buffer, algorithm: HashAlgorithm): string {
  return createHash(algorithm).update(value).digest('base64url');
}

export function documentId(
  strategy: IdStrategy,
  record: KafkaRecord,
  doc: Fields,
  counters: IdCounters,
): string {
  if (strategy.type === 'coordinates') return coordinatesId(record);
  if (strategy.type === 'hash') return contentId(record.value ?? Buffer.alloc(0), strategy.algorithm);
  const value = getPath(doc, strategy.field);
  if (typeof value === 'string' && value !== '' && utf8Length(value) <= MAX_ID_BYTES) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  counters.idFallbacks++;
  return coordinatesId(record);
}
