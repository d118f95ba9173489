// One Kafka record → one PreparedRecord: decode, parse, timestamp, ops, drop, document, route, id.
// Nothing here throws for a bad record: every failure becomes a dead letter with its reason.

import { isUtf8 } from 'node:buffer';
import type { PreparedRecord } from '../bulk/types.ts';
import type { KafkaRecord } from '../kafka/types.ts';
import { fastAccessPlan, writeAccessItem } from './access-fast.ts';
import {
  Codecs,
  type CompiledPipeline,
  ParseFailureModes,
  type PipelineConfig,
  selectPipeline,
} from './config.ts';
import { buildDocument, usableTime } from './document.ts';
import { type Fields, getPath } from './fields.ts';
import { documentId } from './id.ts';
import {
  fastFieldsPlan,
  fastJsonPlan,
  prepareFieldsItem,
  prepareJsonBytes,
  writeJsonItem,
  writtenRecord,
} from './json-fast.ts';
import { applyOps } from './ops.ts';
import { routeDocument } from './route.ts';
import { fastSyslogPlan, writeSyslogItem } from './syslog-fast.ts';

/** What happened to the records of one batch, beyond their outcome. */
export interface PrepareCounters {
  tombstones: number;
  /** Dropped by a `drop` condition. */
  dropped: number;
  decodeErrors: number;
  /** Lines no parser accepted (dead-lettered). */
  parseFailures: number;
  /** Lines no parser accepted, kept as `message` (`on_parse_failure: keep`). */
  keptUnparsed: number;
  /** A timestamp field was present but unreadable: the Kafka timestamp was used. */
  timestampFallbacks: number;
  routedToFallback: number;
  idFallbacks: number;
  truncated: number;
  convertFailures: number;
  overflowedFields: number;
  renamedKeys: number;
  /** Topics that no rule and no default pipeline covers. */
  noPipeline: number;
  /** Unexpected exceptions while preparing one record. */
  pipelineErrors: number;
}

export function createPrepareCounters(): PrepareCounters {
  return {
    tombstones: 0,
    dropped: 0,
    decodeErrors: 0,
    parseFailures: 0,
    keptUnparsed: 0,
    timestampFallbacks: 0,
    routedToFallback: 0,
    idFallbacks: 0,
    truncated: 0,
    convertFailures: 0,
    overflowedFields: 0,
    renamedKeys: 0,
    noPipeline: 0,
    pipelineErrors: 0,
  };
}

export const PrepareErrorTypes = {
  decode: 'decode_error',
  parse: 'parse_error',
  timestamp: 'timestamp_error',
  noPipeline: 'no_pipeline',
  pipeline: 'pipeline_error',
} as const;

export interface PrepareOptions {
  /** Batch time (epoch ms), used only when neither the data nor Kafka gives a usable timestamp. */
  now?: number;
  /**
   * Builds every document with buildDocument and JSON.stringify, none on the fast paths (the byte
   * path, whole items from fields): the reference the tests hold those paths to.
   */
  rebuild?: boolean;
  /** Reads access lines with the parser's regex, not on their bytes: the tests' reference for access-fast.ts. */
  noAccessBytes?: boolean;
  /** Reads syslog lines with the parser's regex, not on their bytes: the tests' reference for syslog-fast.ts. */
  noSyslogBytes?: boolean;
}

/**
 * UTF-8 text of a value, or undefined when the bytes are not valid UTF-8. Same result as a fatal
 * TextDecoder (a leading byte-order mark is dropped), from a validity check and a plain decode.
 */
function utf8Text(value: Buffer): string | undefined {
  if (!isUtf8(value)) return undefined;
  const bom = value.length >= 3 && value[0] === 0xef && value[1] === 0xbb && value[2] === 0xbf;
  return bom ? value.toString('utf8', 3) : value.toString('utf8');
}

class RecordRejected {
  readonly errorType: string;
  readonly reason: string;

  constructor(errorType: string, reason: string) {
    this.errorType = errorType;
    this.reason = reason;
  }
}

export function prepareRecord(
  record: KafkaRecord,
  config: PipelineConfig,
  counters: PrepareCounters,
  options: PrepareOptions = {},
): PreparedRecord {
  const coords = { topic: record.topic, partition: record.partition, offset: record.offset };
  const pipeline = selectPipeline(config, record.topic);
  // A tombstone has nothing to index or dead-letter, whatever the topic.
  if (record.value === null) {
    counters.tombstones++;
    return {
      kind: 'dropped',
      coords,
      pipeline: pipeline?.name ?? '',
      reason: 'tombstone',
      timestamp: record.timestamp,
    };
  }
  if (pipeline === undefined) {
    counters.noPipeline++;
    return {
      kind: 'dead_letter',
      coords,
      pipeline: '',
      errorType: PrepareErrorTypes.noPipeline,
      reason: `no pipeline matches topic "${record.topic}" and no default_pipeline is set`,
      original: record.value,
      key: record.key,
      headers: record.headers,
      timestamp: record.timestamp,
    };
  }
  try {
    return prepareValue(record, coords, record.value, pipeline, counters, options);
  } catch (error) {
    const rejected = error instanceof RecordRejected;
    if (!rejected) counters.pipelineErrors++;
    return {
      kind: 'dead_letter',
      coords,
      pipeline: pipeline.name,
      errorType: rejected ? error.errorType : PrepareErrorTypes.pipeline,
      reason: rejected
        ? error.reason
        : error instanceof Error
          ? `${error.name}: ${error.message}`
          : String(error),
      original: record.value,
      key: record.key,
      headers: record.headers,
      timestamp: record.timestamp,
    };
  }
}

/**
 * Writes the whole bulk item of a record with a value into the item slab (json-fast.ts `written`)
 * when one of the byte paths takes it: the same bytes, and the same counts, prepareRecord's item
 * would have. False, with nothing written or counted, when the record needs prepareRecord.
 */
export function writeItemOnBytes(
  record: KafkaRecord,
  value: Buffer,
  pipeline: CompiledPipeline,
  counters: PrepareCounters,
  now: number | undefined,
): boolean {
  const plan = fastJsonPlan(pipeline);
  if (plan !== undefined && writeJsonItem(value, record, pipeline, plan, counters, now)) return true;
  const access = fastAccessPlan(pipeline);
  if (access !== undefined) return writeAccessItem(value, record, pipeline, access, counters);
  const syslog = fastSyslogPlan(pipeline);
  return syslog !== undefined && writeSyslogItem(value, record, pipeline, syslog, counters);
}

function prepareValue(
  record: KafkaRecord,
  coords: PreparedRecord['coords'],
  value: Buffer,
  pipeline: CompiledPipeline,
  counters: PrepareCounters,
  options: PrepareOptions,
): PreparedRecord {
  const plan = options.rebuild ? undefined : fastJsonPlan(pipeline);
  if (plan !== undefined) {
    const fast = prepareJsonBytes(value, record, coords, pipeline, plan, counters, options.now);
    if (fast !== undefined) return fast;
  }
  const access = options.rebuild || options.noAccessBytes ? undefined : fastAccessPlan(pipeline);
  if (access !== undefined && writeAccessItem(value, record, pipeline, access, counters)) {
    return writtenRecord(coords, pipeline, value, record);
  }
  const syslog = options.rebuild || options.noSyslogBytes ? undefined : fastSyslogPlan(pipeline);
  if (syslog !== undefined && writeSyslogItem(value, record, pipeline, syslog, counters)) {
    return writtenRecord(coords, pipeline, value, record);
  }
  const text = utf8Text(value);
  if (text === undefined) {
    counters.decodeErrors++;
    throw new RecordRejected(PrepareErrorTypes.decode, 'the value is not valid UTF-8');
  }
  const line = trimNewline(text);
  const fields = parseLine(line, pipeline, counters);
  const timestampMs = eventTime(fields, record, pipeline, counters, options);
  if (!applyOps(pipeline.ops, fields, record, counters)) {
    counters.dropped++;
    return {
      kind: 'dropped',
      coords,
      pipeline: pipeline.name,
      reason: 'condition',
      timestamp: record.timestamp,
    };
  }
  const fieldsPlan = options.rebuild ? undefined : fastFieldsPlan(pipeline);
  if (fieldsPlan !== undefined) {
    const item = prepareFieldsItem(
      fields,
      timestampMs,
      record,
      coords,
      pipeline,
      fieldsPlan,
      counters,
      value,
    );
    if (item !== undefined) return item;
  }
  const input = {
    fields,
    timestampMs,
    record,
    service: pipeline.service,
    limits: pipeline.limits,
    original: pipeline.eventOriginal ? line : undefined,
  };
  const doc = buildDocument(input, counters);
  return {
    kind: 'write',
    coords,
    pipeline: pipeline.name,
    action: pipeline.action,
    index: routeDocument(pipeline.route, doc, timestampMs, counters),
    id: documentId(pipeline.id, record, doc, counters),
    source: JSON.stringify(doc),
    original: value,
    key: record.key,
    headers: record.headers,
    timestamp: record.timestamp,
  };
}

function trimNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

function isObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/** The event's fields, freshly allocated (ops may change them in place). */
function parseLine(line: string, pipeline: CompiledPipeline, counters: PrepareCounters): Fields {
  if (pipeline.codec === Codecs.json) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      counters.parseFailures++;
      throw new RecordRejected(PrepareErrorTypes.parse, `invalid JSON: ${(error as Error).message}`);
    }
    if (!isObject(parsed)) {
      counters.parseFailures++;
      throw new RecordRejected(PrepareErrorTypes.parse, `expected a JSON object, got ${kindOf(parsed)}`);
    }
    return parsed;
  }
  if (pipeline.codec === Codecs.auto && looksLikeObject(line)) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (isObject(parsed)) {
        return parsed;
      }
    } catch {
      // Not JSON after all: the text parsers get their chance.
    }
  }
  for (const parser of pipeline.parsers) {
    const fields = parser.parse(line);
    if (fields !== undefined) return fields;
  }
  if (pipeline.onParseFailure === ParseFailureModes.keep) {
    counters.keptUnparsed++;
    return { message: line };
  }
  counters.parseFailures++;
  const tried = pipeline.parsers.map((parser) => parser.name).join(', ');
  throw new RecordRejected(
    PrepareErrorTypes.parse,
    `no parser accepted the line (tried: ${tried || 'none'})`,
  );
}

function looksLikeObject(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    // Skip spaces, tabs, CR, LF and a byte-order mark.
    if (c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0xfeff) continue;
    return c === 0x7b; // `{`
  }
  return false;
}

/** Event time: the first readable timestamp field, else the Kafka timestamp, else the batch time. */
function eventTime(
  fields: Fields,
  record: KafkaRecord,
  pipeline: CompiledPipeline,
  counters: PrepareCounters,
  options: PrepareOptions,
): number {
  let present = false;
  for (const field of pipeline.timestamp.fields) {
    const value = getPath(fields, field);
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    present = true;
    const ms = pipeline.timestamp.parse(value);
    if (usableTime(ms)) return ms;
  }
  if (present) counters.timestampFallbacks++;
  // Kafka reports -1 when a record carries no timestamp (old message formats).
  if (usableTime(record.timestamp) && record.timestamp >= 0) return record.timestamp;
  if (usableTime(options.now)) return options.now;
  throw new RecordRejected(
    PrepareErrorTypes.timestamp,
    'no usable timestamp in the data, in Kafka, or from the batch',
  );
}
