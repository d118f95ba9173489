// The access-log fast path: an NCSA combined line (nginx, Apache) of printable ASCII is read on its
// bytes and its document written straight into the item buffer, with no string of the line, no
// regex, no fields object and no JSON.stringify. It writes exactly the bytes the fields path writes
// for parseAccess's fields (prepareFieldsItem: same members, same order); the fast-path tests hold
// it to that on any line. Whatever it is not sure of (escapes, non-ASCII, a request that is not
// `METHOD target HTTP/x`, no status, a time the pipeline cannot read, …) returns undefined, and
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
import { parseAccess } from './parsers/access.ts';

/** Leaves and nesting of the largest document parseAccess builds (apache.access.user.identity). */
const ACCESS_LEAVES = 14;
const ACCESS_DEPTH = 5;

const plans = new WeakMap<CompiledPipeline, FieldsPlan | null>();

/** The byte path's plan for a pipeline (see fastTextPlan), or undefined when it does not apply. */
export function fastAccessPlan(pipeline: CompiledPipeline): FieldsPlan | undefined {
  return fastTextPlan(pipeline, parseAccess, NEEDS, plans);
}
const NEEDS = { leaves: ACCESS_LEAVES, depth: ACCESS_DEPTH, fieldBytes: 0 };

const SPACE = 0x20;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const DASH = 0x2d;

// Where each part of the line is, [start, end) (set by readLine; -1 when absent).
let clientEnd = 0;
let identStart = 0;
let identEnd = 0;
let userStart = 0;
let userEnd = 0;
let timeStart = 0;
let timeEnd = 0;
let requestStart = 0;
let requestEnd = 0;
let status = 0;
let bytes = -1;
let referrerStart = -1;
let referrerEnd = -1;
let agentStart = -1;
let agentEnd = -1;
let forwardedStart = -1;
let forwardedEnd = -1;
// The request line's parts: method [requestStart, methodEnd), target, version (-1: none).
let methodEnd = 0;
let targetStart = 0;
let targetEnd = 0;
let versionStart = -1;

/**
 * End of a token from `at` followed by one space, or -1. Its bytes must be visible ASCII and
 * neither a quote nor a backslash (JSON would escape those).
 */
function token(b: Buffer, at: number, end: number): number {
  let i = at;
  for (; i < end; i++) {
    const c = b[i]!;
    if (c === SPACE) break;
    if (c < 0x21 || c > 0x7e || c === QUOTE || c === BACKSLASH) return -1;
  }
  return i > at && i < end ? i : -1;
}

/**
 * A quoted field at `at` (its opening quote): the position of its closing quote, or -1. A
 * backslash (an escape JSON would write otherwise), a control byte or a non-ASCII one gives -1 too.
 */
function quoted(b: Buffer, at: number, end: number): number {
  if (b[at] !== QUOTE) return -1;
  for (let i = at + 1; i < end; i++) {
    const c = b[i]!;
    if (c === QUOTE) return i;
    if (c === BACKSLASH || c < 0x20 || c > 0x7e) return -1;
  }
  return -1;
}

/** A run of digits [at, to): its value, or -1 past 15 digits (Number would round). */
function digits(b: Buffer, at: number, to: number): number {
  if (to <= at || to - at > 15) return -1;
  let n = 0;
  for (let i = at; i < to; i++) {
    const c = b[i]! - 0x30;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

const isDash = (b: Buffer, start: number, end: number): boolean => end - start === 1 && b[start] === DASH;

/** Splits `b[0, end)` as the access parser's regex does; false for anything it is not sure of. */
function readLine(b: Buffer, end: number): boolean {
  clientEnd = token(b, 0, end);
  if (clientEnd === -1) return false;
  identStart = clientEnd + 1;
  identEnd = token(b, identStart, end);
  if (identEnd === -1) return false;
  userStart = identEnd + 1;
  userEnd = token(b, userStart, end);
  if (userEnd === -1 || b[userEnd + 1] !== 0x5b) return false;
  timeStart = userEnd + 2;
  timeEnd = b.indexOf(0x5d, timeStart);
  if (timeEnd <= timeStart || timeEnd >= end || b[timeEnd + 1] !== SPACE) return false;
  for (let i = timeStart; i < timeEnd; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e || c === QUOTE || c === BACKSLASH) return false;
  }
  requestStart = timeEnd + 3;
  if (b[timeEnd + 2] !== QUOTE) return false;
  requestEnd = quoted(b, timeEnd + 2, end);
  if (requestEnd === -1 || b[requestEnd + 1] !== SPACE) return false;
  // Status: three digits or `-`, then the size: digits or `-`.
  let at = requestEnd + 2;
  if (b[at] === DASH) return false;
  status = digits(b, at, at + 3);
  if (status === -1 || b[at + 3] !== SPACE) return false;
  at += 4;
  let sizeEnd = at;
  while (sizeEnd < end && b[sizeEnd] !== SPACE) sizeEnd++;
  if (isDash(b, at, sizeEnd)) bytes = -1;
  else {
    bytes = digits(b, at, sizeEnd);
    if (bytes === -1) return false;
  }
  at = sizeEnd;
  referrerStart = -1;
  agentStart = -1;
  forwardedStart = -1;
  // ` "referrer" "agent"`, maybe ` "forwarded"`, then nothing but the trailing spaces.
  if (at + 1 < end && b[at] === SPACE && b[at + 1] === QUOTE) {
    referrerStart = at + 2;
    referrerEnd = quoted(b, at + 1, end);
    if (referrerEnd === -1 || b[referrerEnd + 1] !== SPACE) return false;
    agentStart = referrerEnd + 3;
    agentEnd = quoted(b, referrerEnd + 2, end);
    if (agentEnd === -1) return false;
    at = agentEnd + 1;
    if (at + 1 < end && b[at] === SPACE && b[at + 1] === QUOTE) {
      forwardedStart = at + 2;
      forwardedEnd = quoted(b, at + 1, end);
      if (forwardedEnd === -1) return false;
      at = forwardedEnd + 1;
    }
  }
  for (; at < end; at++) if (b[at] !== SPACE) return false;
  // `-` or nothing: no request; anything else must read as `METHOD target [HTTP/x]`.
  return requestEnd === requestStart || isDash(b, requestStart, requestEnd) || readRequest(b);
}

const HTTP_SLASH = Buffer.from(' HTTP/', 'latin1');

/** `METHOD target` or `METHOD target HTTP/d[.d]`, as the parser's request regex reads it. */
function readRequest(b: Buffer): boolean {
  let i = requestStart;
  while (i < requestEnd && ((b[i]! >= 0x41 && b[i]! <= 0x5a) || (b[i]! >= 0x61 && b[i]! <= 0x7a))) i++;
  if (i === requestStart || b[i] !== SPACE) return false;
  methodEnd = i;
  targetStart = i + 1;
  targetEnd = targetStart;
  while (targetEnd < requestEnd && b[targetEnd] !== SPACE) targetEnd++;
  if (targetEnd === targetStart) return false;
  versionStart = -1;
  if (targetEnd === requestEnd) return true;
  // ` HTTP/` then digits, maybe `.` and digits, to the end.
  const v = targetEnd + 6;
  if (v > requestEnd) return false;
  for (let k = 0; k < 6; k++) if (b[targetEnd + k] !== HTTP_SLASH[k]) return false;
  let j = v;
  while (j < requestEnd && b[j]! >= 0x30 && b[j]! <= 0x39) j++;
  if (j === v) return false;
  if (j < requestEnd) {
    if (b[j] !== 0x2e) return false;
    const fraction = ++j;
    while (j < requestEnd && b[j]! >= 0x30 && b[j]! <= 0x39) j++;
    if (j === fraction || j !== requestEnd) return false;
  }
  versionStart = v;
  return true;
}

/** `[0-9]{1,3}(\.[0-9]{1,3}){3}`, or a `:` among only hex digits, `:` and `.` (isIp in access.ts). */
function isIp(b: Buffer, end: number): boolean {
  let groups = 0;
  let run = 0;
  let dotted = true;
  for (let i = 0; i < end && dotted; i++) {
    const c = b[i]!;
    if (c >= 0x30 && c <= 0x39) {
      if (++run > 3) dotted = false;
    } else if (c === 0x2e && run > 0) {
      groups++;
      run = 0;
    } else dotted = false;
  }
  if (dotted && groups === 3 && run > 0) return true;
  let colon = false;
  for (let i = 0; i < end; i++) {
    const c = b[i]!;
    if (c === 0x3a) colon = true;
    else if (
      !((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) || c === 0x2e)
    ) {
      return false;
    }
  }
  return colon;
}

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');
const SOURCE_IP = ascii('{"source":{"ip":"');
const SOURCE_DOMAIN = ascii('{"source":{"domain":"');
const IDENTITY = ascii('"},"apache":{"access":{"user":{"identity":"');
const IDENTITY_CLOSE = ascii('"}}}');
const USER = ascii(',"user":{"name":"');
/** `,"@timestamp":"` and the time's second, one copy (see secondBytes). */
const TIMESTAMP = secondBytes(ascii(',"@timestamp":"'));
const HTTP_METHOD = ascii('","http":{"request":{"method":"');
const REFERRER = ascii('","referrer":"');
const FORWARDED = ascii('","x_forwarded_for":"');
const VERSION = ascii('"},"version":"');
const RESPONSE_AFTER_VERSION = ascii('","response":{"status_code":');
const RESPONSE_AFTER_REQUEST = ascii('"},"response":{"status_code":');
const HTTP_RESPONSE = ascii('","http":{"response":{"status_code":');
const BODY = ascii(',"body":{"bytes":');
const REQUEST_AFTER_RESPONSE = ascii('},"request":{');
const REFERRER_FIRST = ascii('"referrer":"');
const FORWARDED_FIRST = ascii('"x_forwarded_for":"');
const URL = ascii('}},"url":{"original":"');
const AGENT = ascii(',"user_agent":{"original":"');

let out: Buffer = Buffer.alloc(0);

/** The request's version is `1.1`, as in most lines. */
function isVersion11(b: Buffer): boolean {
  return (
    versionStart !== -1 &&
    requestEnd - versionStart === 3 &&
    b[versionStart] === 0x31 &&
    b[versionStart + 1] === 0x2e &&
    b[versionStart + 2] === 0x31
  );
}

/** `"},"version":"1.1","response":{"status_code":<status>`, made once per status: one copy. */
const VERSION_11_STATUS: Array<Uint8Array | undefined> = [];
function version11Status(code: number): Uint8Array {
  let bytes = VERSION_11_STATUS[code];
  if (bytes === undefined) {
    bytes = Buffer.concat([VERSION, ascii('1.1'), RESPONSE_AFTER_VERSION, ascii(String(code))]);
    VERSION_11_STATUS[code] = bytes;
  }
  return bytes;
}

/**
 * Writes the record's bulk item on its bytes into itemSlab() (where: `written`); false, with
 * nothing written or counted, when it needs the parser path.
 */
export function writeAccessItem(
  value: Buffer,
  record: KafkaRecord,
  pipeline: CompiledPipeline,
  plan: FieldsPlan,
  counters: FastJsonCounters,
): boolean {
  const end = lineEnd(value);
  // Every string is a piece of the line: a line within the byte limit has none over it.
  if (end > pipeline.limits.maxFieldBytes || !readLine(value, end)) return false;
  const timestampMs = timeFromBytes(value, timeStart, timeEnd, pipeline);
  if (timestampMs === undefined || !usableTime(timestampMs)) return false;

  let at = beginPlainItem(record, pipeline, plan, timestampMs, counters, 2 * end + 300);
  out = itemSlab();
  const ip = isIp(value, clientEnd);
  at = writeBytes(ip ? SOURCE_IP : SOURCE_DOMAIN, at);
  at = writeRange(value, 0, clientEnd, at);
  if (isDash(value, identStart, identEnd)) {
    out[at++] = QUOTE;
    out[at++] = 0x7d; // }
  } else {
    at = writeBytes(IDENTITY, at);
    at = writeRange(value, identStart, identEnd, at);
    at = writeBytes(IDENTITY_CLOSE, at);
  }
  if (!isDash(value, userStart, userEnd)) {
    at = writeBytes(USER, at);
    at = writeRange(value, userStart, userEnd, at);
    out[at++] = QUOTE;
    out[at++] = 0x7d;
  }
  at = writeIso(timestampMs, TIMESTAMP, at);
  const referrer =
    referrerStart !== -1 && referrerEnd > referrerStart && !isDash(value, referrerStart, referrerEnd);
  const agent = agentStart !== -1 && agentEnd > agentStart && !isDash(value, agentStart, agentEnd);
  const forwarded =
    forwardedStart !== -1 && forwardedEnd > forwardedStart && !isDash(value, forwardedStart, forwardedEnd);
  const request = !isDash(value, requestStart, requestEnd) && requestEnd > requestStart;
  if (request) {
    // http: {request: {method, referrer?, x_forwarded_for?}, version?, response}; then url.
    at = writeBytes(HTTP_METHOD, at);
    at = writeRange(value, requestStart, methodEnd, at);
    if (referrer) {
      at = writeBytes(REFERRER, at);
      at = writeRange(value, referrerStart, referrerEnd, at);
    }
    if (forwarded) {
      at = writeBytes(FORWARDED, at);
      at = writeRange(value, forwardedStart, forwardedEnd, at);
    }
    if (isVersion11(value)) at = writeBytes(version11Status(status), at);
    else {
      if (versionStart !== -1) {
        at = writeBytes(VERSION, at);
        at = writeRange(value, versionStart, requestEnd, at);
        at = writeBytes(RESPONSE_AFTER_VERSION, at);
      } else at = writeBytes(RESPONSE_AFTER_REQUEST, at);
      at = writeInt(status, at);
    }
  } else {
    at = writeBytes(HTTP_RESPONSE, at);
    at = writeInt(status, at);
  }
  if (bytes !== -1) {
    at = writeBytes(BODY, at);
    at = writeInt(bytes, at);
    out[at++] = 0x7d;
  }
  if (request) {
    at = writeBytes(URL, at);
    at = writeRange(value, targetStart, targetEnd, at);
    out[at++] = QUOTE;
    out[at++] = 0x7d;
  } else {
    // http: {response, request?: {referrer?, x_forwarded_for?}}.
    if (referrer || forwarded) {
      at = writeBytes(REQUEST_AFTER_RESPONSE, at);
      if (referrer) {
        at = writeBytes(REFERRER_FIRST, at);
        at = writeRange(value, referrerStart, referrerEnd, at);
        out[at++] = QUOTE;
      }
      if (forwarded) {
        if (referrer) out[at++] = 0x2c;
        at = writeBytes(FORWARDED_FIRST, at);
        at = writeRange(value, forwardedStart, forwardedEnd, at);
        out[at++] = QUOTE;
      }
    }
    out[at++] = 0x7d;
    out[at++] = 0x7d;
  }
  if (agent) {
    at = writeBytes(AGENT, at);
    at = writeRange(value, agentStart, agentEnd, at);
    out[at++] = QUOTE;
    out[at++] = 0x7d;
  }
  closeItem(at, record);
  return true;
}
