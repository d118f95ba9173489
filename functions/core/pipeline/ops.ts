// Field operations of a pipeline, compiled once into a list of steps. Each step is a plain object
// interpreted by one switch: nothing is allocated per record but the values themselves.

import type { KafkaRecord } from '../kafka/types.ts';
import { type Condition, testCondition } from './condition.ts';
import { deletePath, type Fields, getPath, setPath } from './fields.ts';
import { truncateUtf8, utf8Length } from './utf8.ts';

export const ConvertTypes = ['integer', 'float', 'boolean', 'string'] as const;
export type ConvertType = (typeof ConvertTypes)[number];

export const MetadataSources = ['topic', 'partition', 'key'] as const;
export type MetadataSource = (typeof MetadataSources)[number];

export type Op =
  | { op: 'rename'; from: string; to: string }
  | { op: 'remove'; fields: readonly string[] }
  | { op: 'add'; field: string; value: unknown }
  | { op: 'add_header'; field: string; header: string }
  | { op: 'add_metadata'; field: string; source: MetadataSource }
  | { op: 'copy'; from: string; to: string }
  | { op: 'lowercase'; fields: readonly string[] }
  | { op: 'convert'; field: string; type: ConvertType }
  | { op: 'truncate'; field: string; maxBytes: number }
  | { op: 'drop'; when: Condition };

export interface OpCounters {
  truncated: number;
  convertFailures: number;
}

const keyDecoder = new TextDecoder('utf-8', { fatal: true });

/** UTF-8 text of a Kafka key, or base64 when the bytes are not valid UTF-8. */
export function keyText(key: Buffer): string {
  try {
    return keyDecoder.decode(key);
  } catch {
    return key.toString('base64');
  }
}

/**
 * Applies the steps in order. Returns false when a `drop` condition matched (the record is to be
 * dropped; later steps are skipped).
 */
export function applyOps(
  ops: readonly Op[],
  fields: Fields,
  record: KafkaRecord,
  counters: OpCounters,
): boolean {
  for (const step of ops) {
    switch (step.op) {
      case 'rename': {
        const value = deletePath(fields, step.from);
        if (value !== undefined) setPath(fields, step.to, value);
        break;
      }
      case 'remove':
        for (const path of step.fields) deletePath(fields, path);
        break;
      case 'add':
        // Values from the config may be objects: each record gets its own copy.
        setPath(
          fields,
          step.field,
          typeof step.value === 'object' && step.value !== null ? structuredClone(step.value) : step.value,
        );
        break;
      case 'add_header': {
        const value = Object.hasOwn(record.headers, step.header) ? record.headers[step.header] : undefined;
        if (value !== undefined) setPath(fields, step.field, value);
        break;
      }
      case 'add_metadata': {
        const value =
          step.source === 'topic'
            ? record.topic
            : step.source === 'partition'
              ? record.partition
              : record.key === null
                ? undefined
                : keyText(record.key);
        if (value !== undefined) setPath(fields, step.field, value);
        break;
      }
      case 'copy': {
        const value = getPath(fields, step.from);
        if (value !== undefined) {
          setPath(
            fields,
            step.to,
            typeof value === 'object' && value !== null ? structuredClone(value) : value,
          );
        }
        break;
      }
      case 'lowercase':
        for (const path of step.fields) {
          const value = getPath(fields, path);
          if (typeof value === 'string') setPath(fields, path, value.toLowerCase());
        }
        break;
      case 'convert': {
        const value = getPath(fields, step.field);
        if (value === undefined || value === null) break;
        const converted = convertValue(value, step.type);
        if (converted === undefined) {
          // A value the mapping cannot take would get the whole document rejected: drop the field.
          deletePath(fields, step.field);
          counters.convertFailures++;
        } else setPath(fields, step.field, converted);
        break;
      }
      case 'truncate': {
        const value = getPath(fields, step.field);
        if (typeof value === 'string' && utf8Length(value) > step.maxBytes) {
          setPath(fields, step.field, truncateUtf8(value, step.maxBytes));
          counters.truncated++;
        }
        break;
      }
      case 'drop':
        if (testCondition(step.when, fields)) return false;
        break;
    }
  }
  return true;
}

const INTEGER = /^[+-]?\d+$/;
const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

/** Converts a scalar, or returns undefined when it has no value of that type. */
export function convertValue(value: unknown, type: ConvertType): unknown {
  switch (type) {
    case 'integer': {
      if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
      if (typeof value === 'boolean') return value ? 1 : 0;
      if (typeof value !== 'string') return undefined;
      const text = value.trim();
      if (!INTEGER.test(text)) return undefined;
      const n = Number(text);
      return Number.isSafeInteger(n) ? n : undefined;
    }
    case 'float': {
      if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
      if (typeof value !== 'string' || value.trim() === '') return undefined;
      const n = Number(value);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean': {
      if (typeof value === 'boolean') return value;
      if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : undefined;
      if (typeof value !== 'string') return undefined;
      const word = value.trim().toLowerCase();
      return TRUE_WORDS.has(word) ? true : FALSE_WORDS.has(word) ? false : undefined;
    }
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return JSON.stringify(value);
  }
}
