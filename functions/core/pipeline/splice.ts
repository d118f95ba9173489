// The document of a JSON record written by splicing: the original text's members are copied as
// they are and only what the document changes (`@timestamp`, `service`, a moved `level`,
// `kafka.*`) is written anew. The result parses to the same object as JSON.stringify of
// buildDocument's output; every case it does not cover returns undefined and takes that path.

import type { KafkaRecord } from '../kafka/types.ts';
import { kafkaTimestamp } from './document.ts';
import { type Fields, getPath } from './fields.ts';
import { type JsonMembers, MemberKinds } from './json-scan.ts';
import { keyText } from './ops.ts';

export interface SpliceInput {
  /** The record's JSON text (scanned into `members`, parsed into `fields`). */
  line: string;
  members: JsonMembers;
  fields: Fields;
  /** `@timestamp`, already formatted. */
  timestamp: string;
  record: KafkaRecord;
  /** The pipeline's default `service.name`. */
  service: string;
}

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The `service.name` the document will carry (see normaliseService in document.ts), or undefined
 * when the document would set it inside an existing `service` object (not spliced).
 */
export function splicedServiceName(fields: Fields, fallback: string): string | undefined {
  const service = fields.service;
  if (typeof service === 'string' && service !== '') return service;
  const name = getPath(fields, 'service.name');
  if (typeof name === 'string' && name !== '') return name;
  return isPlainObject(service) ? undefined : fallback;
}

/** The level buildDocument moves to `log.level` (see movableLevel in document.ts), if any. */
function movableLevel(fields: Fields): string | undefined {
  const level = fields.level;
  if (typeof level !== 'string' || getPath(fields, 'log.level') !== undefined) return undefined;
  const log = fields.log;
  return log === undefined || isPlainObject(log) ? level : undefined;
}

const serviceMembers = new Map<string, string>();

/** `,"service":{"name":…}`, cached: a batch carries few service names. */
export function serviceMember(name: string): string {
  let member = serviceMembers.get(name);
  if (member === undefined) {
    member = `,"service":{"name":${JSON.stringify(name)}}`;
    if (serviceMembers.size >= 1024) serviceMembers.clear();
    serviceMembers.set(name, member);
  }
  return member;
}

let quotedTopic = '';
let topicPrefix = '';

export function kafkaMember(record: KafkaRecord): string {
  if (record.topic !== quotedTopic) {
    topicPrefix = `,"kafka":{"topic":${JSON.stringify(record.topic)},"partition":`;
    quotedTopic = record.topic;
  }
  let text = `${topicPrefix}${record.partition},"offset":${record.offset}`;
  const time = kafkaTimestamp(record.timestamp);
  if (time !== undefined) text += `,"timestamp":"${time}"`;
  if (record.key !== null) text += `,"key":${JSON.stringify(keyText(record.key))}`;
  return `${text}}`;
}

/**
 * The document as JSON text, or undefined when it cannot be spliced. The caller has checked that
 * the fields fit the limits unchanged and that the text has no duplicate key.
 */
export function spliceDocument(input: SpliceInput): string | undefined {
  const { line, members, fields } = input;
  const name = splicedServiceName(fields, input.service);
  if (name === undefined) return undefined;
  const level = movableLevel(fields);
  // `service` stays as written only when it already is an object with a usable name.
  const keepService = isPlainObject(fields.service);
  let out = `{"@timestamp":"${input.timestamp}"`;
  let runStart = -1;
  let runEnd = -1;
  let log = '';
  for (let k = 0; k < members.count; k++) {
    const kind = members.kind[k]!;
    let keep = true;
    if (kind === MemberKinds.timestamp || kind === MemberKinds.kafka) keep = false;
    else if (kind === MemberKinds.serviceName) return undefined;
    else if (kind === MemberKinds.level) keep = level === undefined;
    else if (kind === MemberKinds.service) keep = keepService;
    else if (kind === MemberKinds.log && level !== undefined) {
      keep = false;
      log = logWithLevel(line, members.valueStart[k]!, members.end[k]!, level);
    }
    if (keep) {
      if (runStart === -1) runStart = members.start[k]!;
      runEnd = members.end[k]!;
    } else if (runStart !== -1) {
      out += `,${line.slice(runStart, runEnd)}`;
      runStart = -1;
    }
  }
  if (runStart !== -1) out += `,${line.slice(runStart, runEnd)}`;
  if (!keepService) out += serviceMember(name);
  if (level !== undefined) out += log === '' ? `,"log":{"level":${JSON.stringify(level)}}` : log;
  return `${out}${kafkaMember(input.record)}}`;
}

/** `"log":{…}` with `"level"` added as its last member. */
function logWithLevel(line: string, start: number, end: number, level: string): string {
  let inner = end - 2;
  while (inner > start && isSpace(line.charCodeAt(inner))) inner--;
  const empty = inner === start;
  return `,"log":${line.slice(start, end - 1)}${empty ? '' : ','}"level":${JSON.stringify(level)}}`;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
