import type { Fields } from '../fields.ts';
import { setOwn } from '../fields.ts';
import type { Parser } from '../types.ts';

// RFC 5424 §6.2.1 / RFC 3164 §4.1.1 facility codes, with the names syslog implementations use.
export const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

export const SEVERITIES = [
  'emergency',
  'alert',
  'critical',
  'error',
  'warning',
  'notice',
  'informational',
  'debug',
] as const;

// <PRI>VERSION TIMESTAMP HOSTNAME APP-NAME PROCID MSGID STRUCTURED-DATA [MSG]
const RFC5424 = /^<(\d{1,3})>(\d{1,2}) (\S+) (\S+) (\S+) (\S+) (\S+) ((?:-|\[).*)$/s;
// [<PRI>]TIMESTAMP HOSTNAME [TAG[PID]:] MSG; files written by syslogd have no PRI, and rsyslog
// may write an RFC 3339 time instead of `Mmm dd hh:mm:ss`.
const RFC3164 =
  /^(?:<(\d{1,3})>)?([A-Z][a-z]{2} [ \d]?\d \d{2}:\d{2}:\d{2}|\d{4}-\d{2}-\d{2}T\S+) (\S+) (?:([^\s[\]:]+)(?:\[([^\]]*)\])?: ?)?(.*)$/s;

// The fields are built as literals in the order the setPath calls they replace created the keys:
// the document's JSON follows that order. `syslog` is the `log.syslog` object, once there is one.

/** `log.syslog` with the priority, facility and severity; undefined for a PRI over 191. */
function prioritySyslog(pri: string): Fields | undefined {
  const priority = Number(pri);
  if (priority > 191) return undefined;
  const facility = priority >> 3;
  const severity = priority & 7;
  return {
    priority,
    facility: { code: facility, name: FACILITIES[facility] },
    severity: { code: severity, name: SEVERITIES[severity] },
  };
}

/** A new `log.syslog`, appended to the fields. */
function newSyslog(fields: Fields): Fields {
  const syslog: Fields = {};
  fields.log = { syslog };
  return syslog;
}

const DIGITS = /^\d+$/;

/** Sets `process.*` and `log.syslog.{appname,procid}`, creating `log.syslog` when needed. */
function setProcess(
  fields: Fields,
  syslog: Fields | undefined,
  name: string | undefined,
  pid: string | undefined,
): void {
  let proc: Fields | undefined;
  if (name !== undefined && name !== '-') {
    proc = { name };
    fields.process = proc;
    syslog ??= newSyslog(fields);
    syslog.appname = name;
  }
  if (pid === undefined || pid === '-' || pid === '') return;
  if (DIGITS.test(pid)) {
    proc ??= fields.process = {};
    proc.pid = Number(pid);
  }
  syslog ??= newSyslog(fields);
  syslog.procid = pid;
}

/** SD-ELEMENTs `[id k="v" …]…`, values unescaped (`\"`, `\\`, `\]`); undefined if malformed. */
function parseStructuredData(text: string): { data: Fields; rest: string } | undefined {
  const data: Fields = {};
  let i = 0;
  while (text[i] === '[') {
    i++;
    const idEnd = text.slice(i).search(/[ \]]/);
    if (idEnd <= 0) return undefined;
    const id = text.slice(i, i + idEnd);
    i += idEnd;
    const params: Fields = {};
    while (text[i] === ' ') {
      i++;
      const eq = text.indexOf('="', i);
      if (eq <= i) return undefined;
      const name = text.slice(i, eq);
      if (/[\s\]"]/.test(name)) return undefined;
      i = eq + 2;
      let value = '';
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\' || text[i + 1] === ']')) i++;
        value += text[i];
        i++;
      }
      if (i >= text.length) return undefined;
      i++; // closing quote
      setOwn(params, name, value);
    }
    if (text[i] !== ']') return undefined;
    i++;
    setOwn(data, id, params);
  }
  return { data, rest: text.slice(i) };
}

function parse5424(line: string): Fields | undefined {
  const m = RFC5424.exec(line);
  if (m === null) return undefined;
  const [, pri = '', version = '', time = '', host = '', app, procid, msgid, tail = ''] = m;
  const syslog = prioritySyslog(pri);
  if (syslog === undefined) return undefined;
  const fields: Fields = { log: { syslog } };
  syslog.version = version;
  if (time !== '-') fields['@timestamp'] = time;
  if (host !== '-') fields.host = { hostname: host };
  setProcess(fields, syslog, app, procid);
  if (msgid !== undefined && msgid !== '-') syslog.msgid = msgid;
  let rest: string;
  if (tail.startsWith('-')) {
    rest = tail.slice(1);
  } else {
    const sd = parseStructuredData(tail);
    if (sd === undefined) return undefined;
    syslog.structured_data = sd.data;
    rest = sd.rest;
  }
  if (rest !== '' && !rest.startsWith(' ')) return undefined;
  // MSG may start with a UTF-8 byte order mark (RFC 5424 §6.4).
  let message = rest.slice(1);
  if (message.charCodeAt(0) === 0xfeff) message = message.slice(1);
  if (message !== '') fields.message = message;
  return fields;
}

function parse3164(line: string): Fields | undefined {
  const m = RFC3164.exec(line);
  if (m === null) return undefined;
  const [, pri, time = '', host = '', tag, pid, message = ''] = m;
  let syslog: Fields | undefined;
  const fields: Fields = {};
  if (pri !== undefined) {
    syslog = prioritySyslog(pri);
    if (syslog === undefined) return undefined;
    fields.log = { syslog };
  }
  fields['@timestamp'] = time;
  fields.host = { hostname: host };
  setProcess(fields, syslog, tag, pid);
  // trimEnd removes exactly what `\s` matches (white space and line terminators).
  fields.message = message.trimEnd();
  return fields;
}

/**
 * Syslog lines, RFC 5424 first then RFC 3164 (PRI optional). PRI gives `log.syslog.priority`,
 * `log.syslog.facility.{code,name}` and `log.syslog.severity.{code,name}`; then raw time in
 * `@timestamp` (format `rfc5424`, or `syslog` for 3164), `host.hostname`, `process.name`,
 * `process.pid` (when numeric), `log.syslog.{appname,procid,msgid,version}`,
 * `log.syslog.structured_data` as `{ [sd-id]: { [param]: value } }`, and `message`.
 */
export const parseSyslog: Parser = (line) => parse5424(line) ?? parse3164(line);
