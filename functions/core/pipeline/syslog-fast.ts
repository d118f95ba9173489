// The syslog fast path: an RFC 3164 line with a PRI (`<PRI>Mmm dd hh:mm:ss host tag[pid]: msg`), of
// printable ASCII, is read on its bytes and its document written straight into the item buffer,
// with no string of the line, no regex, no fields object and no JSON.stringify. It writes exactly
// the bytes the fields path writes for parseSyslog's fields (prepareFieldsItem: same members, same
// order); the fast-path tests hold it to that on any line. Whatever it is not sure of (no PRI, an
// RFC 5424 or RFC 3339 line, a tag of `-`, a pid that is not digits, a quote or backslash outside
// the message, non-ASCII or control bytes, a time the pipeline cannot read, …) returns false, and
// the line takes the regex path as before.

import type { KafkaRecord } from '../kafka/types.ts';
import type { CompiledPipeline } from './config.ts';
import { usableTime } from './document.ts';
import {
  beginPlainItem,
  closeItem,
  type FastJsonCounters,
  type FieldsPlan,
  fastTextPlan,
  itemSlab,
  lineEnd,
  secondBytes,
  timeFromBytes,
  writeBytes,
  writeInt,
  writeIso,
  writeRange,
} from './json-fast.ts';
import { FACILITIES, parseSyslog, SEVERITIES } from './parsers/syslog.ts';

/** Leaves and nesting of the largest document this path writes (log.syslog.facility.code). */
const SYSLOG_LEAVES = 12;
const SYSLOG_DEPTH = 5;
/** The longest facility or severity name ('informational'). */
const LONGEST_NAME = 13;

const plans = new WeakMap<CompiledPipeline, FieldsPlan | null>();

/** The byte path's plan for a pipeline (see fastTextPlan), or undefined when it does not apply. */
export function fastSyslogPlan(pipeline: CompiledPipeline): FieldsPlan | undefined {
  return fastTextPlan(pipeline, parseSyslog, NEEDS, plans);
}
const NEEDS = { leaves: SYSLOG_LEAVES, depth: SYSLOG_DEPTH, fieldBytes: LONGEST_NAME };

const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

const isDigit = (c: number | undefined): boolean => c !== undefined && c >= 0x30 && c <= 0x39;
const isUpper = (c: number | undefined): boolean => c !== undefined && c >= 0x41 && c <= 0x5a;
const isLower = (c: number | undefined): boolean => c !== undefined && c >= 0x61 && c <= 0x7a;

// Where each part of the line is, [start, end) (set by readLine).
let priority = 0;
let timeStart = 0;
let timeEnd = 0;
let hostStart = 0;
let hostEnd = 0;
/** The tag, or tagStart === tagEnd when the line has none. */
let tagStart = 0;
let tagEnd = 0;
/** The pid's digits, or pidStart === pidEnd when there is no pid. */
let pidStart = 0;
let pidEnd = 0;
/** The pid's value, when it has digits. */
let pidValue = 0;
let messageStart = 0;
let messageEnd = 0;

/**
 * Splits `b[0, end)` as parseSyslog's RFC 3164 regex does, for lines with a PRI; false for
 * anything else or anything it is not sure of. Every byte is printable ASCII.
 */
function readLine(b: Buffer, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e) return false;
  }
  // <PRI>: 1 to 3 digits, at most 191.
  if (b[0] !== 0x3c) return false;
  let p = 1;
  priority = 0;
  while (p < end && p <= 3 && isDigit(b[p])) priority = priority * 10 + b[p++]! - 0x30;
  if (p === 1 || b[p] !== 0x3e || priority > 191) return false;
  p++;
  // `Mmm dd hh:mm:ss ` (a digit here would be RFC 5424 or an RFC 3339 time: the parser decides).
  timeStart = p;
  if (!isUpper(b[p]) || !isLower(b[p + 1]) || !isLower(b[p + 2]) || b[p + 3] !== SPACE) return false;
  p += 4;
  // `[ \d]?\d `: two characters when the third is the space, else one.
  if ((b[p] === SPACE || isDigit(b[p])) && isDigit(b[p + 1]) && b[p + 2] === SPACE) p += 3;
  else if (isDigit(b[p]) && b[p + 1] === SPACE) p += 2;
  else return false;
  for (let k = 0; k < 8; k++) {
    const c = b[p + k];
    if (k === 2 || k === 5 ? c !== COLON : !isDigit(c)) return false;
  }
  p += 8;
  timeEnd = p;
  if (p >= end || b[p] !== SPACE) return false;
  p++;
  // Host: up to the next space, which must be there; no quote or backslash (JSON would escape them).
  hostStart = p;
  while (p < end && b[p] !== SPACE) {
    if (b[p] === QUOTE || b[p] === BACKSLASH) return false;
    p++;
  }
  if (p === hostStart || p >= end) return false;
  hostEnd = p;
  p++;
  // `TAG[PID]: ` or `TAG: `, else none and the message starts here.
  tagStart = tagEnd = pidStart = pidEnd = p;
  messageStart = p;
  let t = p;
  while (t < end) {
    const c = b[t]!;
    if (c === SPACE || c === OPEN_BRACKET || c === CLOSE_BRACKET || c === COLON) break;
    t++;
  }
  if (t > p) {
    let after = -1;
    if (b[t] === COLON) after = t + 1;
    else if (b[t] === OPEN_BRACKET) {
      let close = t + 1;
      while (close < end && b[close] !== CLOSE_BRACKET) close++;
      if (close < end && b[close + 1] === COLON) {
        after = close + 2;
        pidStart = t + 1;
        pidEnd = close;
      }
    }
    if (after !== -1) {
      for (let i = p; i < t; i++) if (b[i] === QUOTE || b[i] === BACKSLASH) return false;
      if (t - p === 1 && b[p] === 0x2d) return false; // a `-` tag sets no process
      // A pid of digits becomes process.pid; `-` or nothing sets none; other text: the parser.
      if (pidEnd - pidStart === 1 && b[pidStart] === 0x2d) pidEnd = pidStart;
      if (pidEnd - pidStart > 15) return false;
      pidValue = 0;
      for (let i = pidStart; i < pidEnd; i++) {
        if (!isDigit(b[i])) return false;
        pidValue = pidValue * 10 + b[i]! - 0x30;
      }
      tagStart = p;
      tagEnd = t;
      messageStart = after < end && b[after] === SPACE ? after + 1 : after;
    }
  }
  // The message without trailing white space (trimEnd; only spaces are left to trim here).
  let e = end;
  while (e > messageStart && b[e - 1] === SPACE) e--;
  messageEnd = e;
  return true;
}

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const LOG_PRIORITY = ascii('{"log":{"syslog":{"priority":');
const FACILITY_CODE = ascii(',"facility":{"code":');
const NAME = ascii(',"name":"');
const SEVERITY_CODE = ascii('"},"severity":{"code":');
const NAMES_CLOSE = ascii('"}');
const APPNAME = ascii(',"appname":"');
const PROCID = ascii('","procid":"');
/** `}},"@timestamp":"` and the time's second, one copy (see secondBytes). */
const TIMESTAMP = secondBytes(ascii('}},"@timestamp":"'));
const HOST = ascii('","host":{"hostname":"');
const PROCESS_NAME = ascii('"},"process":{"name":"');
const PID = ascii('","pid":');
const MESSAGE_AFTER_PROCESS = ascii('},"message":"');
const MESSAGE_AFTER_HOST = ascii('"},"message":"');
const FACILITY_NAMES = FACILITIES.map(ascii);
const SEVERITY_NAMES = SEVERITIES.map(ascii);

/**
 * `{"log":{"syslog":{"priority":…,"facility":{"code":…,"name":"…"},"severity":{"code":…,"name":"…"}`
 * for a PRI (0–191), made once: one copy per line instead of eleven pieces.
 */
const PRIORITIES: Array<Uint8Array | undefined> = [];
function priorityBytes(priority: number): Uint8Array {
  let bytes = PRIORITIES[priority];
  if (bytes === undefined) {
    const facility = priority >> 3;
    const severity = priority & 7;
    bytes = Buffer.concat([
      LOG_PRIORITY,
      ascii(String(priority)),
      FACILITY_CODE,
      ascii(String(facility)),
      NAME,
      FACILITY_NAMES[facility]!,
      SEVERITY_CODE,
      ascii(String(severity)),
      NAME,
      SEVERITY_NAMES[severity]!,
      NAMES_CLOSE,
    ]);
    PRIORITIES[priority] = bytes;
  }
  return bytes;
}

/** The item buffer being written (itemSlab() after beginItem). */
let out: Buffer = Buffer.alloc(0);

/** Copies `b[start, end)` to `at` as JSON string content: printable ASCII, `"` and `\` escaped. */
function copyEscaped(b: Buffer, start: number, end: number, at: number): number {
  let from = start;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === QUOTE || c === BACKSLASH) {
      at = writeRange(b, from, i, at);
      out[at++] = BACKSLASH;
      from = i;
    }
  }
  return writeRange(b, from, end, at);
}

/**
 * Writes the record's bulk item on its bytes into itemSlab() (where: `written`); false, with
 * nothing written or counted, when it needs the parser path.
 */
export function writeSyslogItem(
  value: Buffer,
  record: KafkaRecord,
  pipeline: CompiledPipeline,
  plan: FieldsPlan,
  counters: FastJsonCounters,
): boolean {
  const end = lineEnd(value);
  // Every string is a piece of the line or a facility or severity name: none is over the limit.
  if (end > pipeline.limits.maxFieldBytes || !readLine(value, end)) return false;
  const timestampMs = timeFromBytes(value, timeStart, timeEnd, pipeline);
  if (timestampMs === undefined || !usableTime(timestampMs)) return false;

  let at = beginPlainItem(record, pipeline, plan, timestampMs, counters, 2 * end + 300);
  out = itemSlab();
  at = writeBytes(priorityBytes(priority), at);
  const tag = tagEnd > tagStart;
  const pid = pidEnd > pidStart;
  if (tag) {
    at = writeBytes(APPNAME, at);
    at = writeRange(value, tagStart, tagEnd, at);
    if (pid) {
      at = writeBytes(PROCID, at);
      at = writeRange(value, pidStart, pidEnd, at);
    }
    out[at++] = QUOTE;
  }
  at = writeIso(timestampMs, TIMESTAMP, at);
  at = writeBytes(HOST, at);
  at = writeRange(value, hostStart, hostEnd, at);
  if (tag) {
    at = writeBytes(PROCESS_NAME, at);
    at = writeRange(value, tagStart, tagEnd, at);
    if (pid) {
      at = writeBytes(PID, at);
      at = writeInt(pidValue, at);
    } else out[at++] = QUOTE;
    at = writeBytes(MESSAGE_AFTER_PROCESS, at);
  } else at = writeBytes(MESSAGE_AFTER_HOST, at);
  at = copyEscaped(value, messageStart, messageEnd, at);
  out[at++] = QUOTE;
  closeItem(at, record);
  return true;
}
