import { daysFromCivil } from './civil.ts';
import type { TimestampParser } from './types.ts';

/**
 * Timestamp formats, compiled once: named formats (`iso8601`, `rfc5424`, `epoch_ms`, `epoch_s`,
 * `httpdate`, `syslog`) and Joda/Java-style patterns (`yyyy-MM-dd HH:mm:ss,SSS`, `yyMMdd HHmmss`,
 * `EEE MMM dd HH:mm:ss yyyy`, `dd/MMM/yyyy:HH:mm:ss Z`, …). Formats are tried in order; the first
 * that yields a valid date wins.
 *
 * Joda letters supported: y (yyyy 4 digits, yy = 1970–2069, y 1–4 digits), M/MM/MMM/MMMM,
 * d/dd, H/HH, h/hh with a, m/mm, s/ss, S×n (a count of 10^-n s, 1–n digits), E… (day name, not
 * checked), Z/ZZ/X/XX/XXX (offset or `Z`); text in single quotes is literal; a literal space
 * also matches several spaces (syslog pads days: `Jun  9`).
 */
export type TimestampOptions = {
  /** Zone for times without an offset: `UTC`, a fixed offset `+02:00`, or an IANA name. */
  timezone?: string;
  /** Year for formats without one (syslog, Android). Without it, `now` decides. */
  year?: number;
  /** Reference clock (epoch ms) for year-less formats; core code never reads the clock itself. */
  now?: () => number;
};

export class TimestampError extends Error {
  readonly format: string;

  constructor(message: string, format: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TimestampError';
    this.format = format;
  }
}

type Parts = {
  year?: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millis: number;
  /** Offset east of UTC in minutes, when the text has one. */
  offset?: number;
};

type FormatParser = (value: string | number) => number | undefined;

const MIN_MS = -62135596800000; // 0001-01-01T00:00:00Z
const MAX_MS = 253402300799999; // 9999-12-31T23:59:59.999Z
const DAY_MS = 86_400_000;
const CACHE_LIMIT = 4096;

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function monthFromName(name: string): number | undefined {
  const index = MONTHS.indexOf(name.slice(0, 3).toLowerCase());
  return index === -1 ? undefined : index + 1;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Wall-clock fields read as if they were UTC; undefined when a field is out of range. */
function wallClockMs(p: Parts & { year: number }): number | undefined {
  if (p.year < 1 || p.year > 9999 || p.month < 1 || p.month > 12) return undefined;
  if (p.day < 1 || p.day > daysInMonth(p.year, p.month)) return undefined;
  if (p.hour > 23 || p.minute > 59 || p.second > 59 || p.millis > 999) return undefined;
  // Arithmetic rather than a Date per value: daysFromCivil, unlike Date.UTC, does not map years
  // 0–99 to 1900–1999.
  return (
    daysFromCivil(p.year, p.month, p.day) * DAY_MS +
    p.hour * 3_600_000 +
    p.minute * 60_000 +
    p.second * 1000 +
    p.millis
  );
}

/** Offset of a fixed zone in minutes, or undefined for an IANA name. */
function fixedOffset(zone: string): number | undefined {
  if (/^(?:UTC|GMT|Z|Etc\/UTC)$/i.test(zone)) return 0;
  const m = /^(?:UTC|GMT)?([+-])(\d{2}):?(\d{2})?$/.exec(zone);
  if (m === null) return undefined;
  const minutes = Number(m[2]) * 60 + Number(m[3] ?? 0);
  return m[1] === '-' ? -minutes : minutes;
}

function parseOffset(text: string): number | undefined {
  return text === 'Z' || text === 'z' ? 0 : fixedOffset(text);
}

type Zone = (wallMs: number) => number;

function zoneResolver(zone: string): Zone {
  const fixed = fixedOffset(zone);
  if (fixed !== undefined) return (wall) => wall - fixed * 60_000;
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
  } catch (error) {
    throw new TimestampError(`Unknown time zone ${zone}`, zone, { cause: error });
  }
  // Offset (ms) of the zone at an instant: the zone's wall clock at that instant minus the instant.
  const offsetAt = (instant: number): number => {
    const f: Record<string, string> = {};
    for (const part of format.formatToParts(instant)) f[part.type] = part.value;
    let year = Number(f.year);
    if (f.era === 'BC' || f.era === 'B') year = 1 - year;
    const date = new Date(0);
    date.setUTCFullYear(year, Number(f.month) - 1, Number(f.day));
    date.setUTCHours(Number(f.hour), Number(f.minute), Number(f.second), 0);
    return date.getTime() - (instant - (((instant % 1000) + 1000) % 1000));
  };
  // Two rounds settle the offset except inside a DST gap, where the later offset is used.
  return (wall) => {
    const first = offsetAt(wall);
    const second = offsetAt(wall - first);
    return wall - second;
  };
}

type Resolve = (parts: Parts) => number | undefined;

function resolver(options: TimestampOptions): Resolve {
  const zone = zoneResolver(options.timezone ?? 'UTC');
  const now = options.now;
  const instant = (parts: Parts, year: number): number | undefined => {
    const wall = wallClockMs({ ...parts, year });
    if (wall === undefined) return undefined;
    const ms = parts.offset !== undefined ? wall - parts.offset * 60_000 : zone(wall);
    return ms < MIN_MS || ms > MAX_MS ? undefined : ms;
  };
  return (parts) => {
    const year = parts.year ?? options.year;
    if (year !== undefined) return instant(parts, year);
    if (now === undefined) return undefined;
    const reference = now();
    const thisYear = new Date(reference).getUTCFullYear();
    const ms = instant(parts, thisYear);
    // Year-less times more than a day ahead are from last year (December lines read in January).
    if (ms === undefined || ms > reference + DAY_MS) return instant(parts, thisYear - 1);
    return ms;
  };
}

function fractionMs(digits: string | undefined): number {
  if (digits === undefined || digits === '') return 0;
  return Math.floor(Number(`0.${digits}`) * 1000 + 1e-7);
}

const ISO8601 =
  /^([+-]?\d{4,6})-?(\d{2})-?(\d{2})(?:[Tt ](\d{2})(?::?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

function iso8601(resolve: Resolve): FormatParser {
  return (value) => {
    if (typeof value !== 'string') return undefined;
    const m = ISO8601.exec(value.trim());
    if (m === null) return undefined;
    const parts: Parts = {
      year: Number(m[1]),
      month: Number(m[2]),
      day: Number(m[3]),
      hour: Number(m[4] ?? 0),
      minute: Number(m[5] ?? 0),
      second: Number(m[6] ?? 0),
      millis: fractionMs(m[7]),
    };
    if (m[8] !== undefined) parts.offset = parseOffset(m[8]);
    return resolve(parts);
  };
}

const NUMERIC = /^-?\d+(?:\.\d+)?$/;

function epoch(scale: number): FormatParser {
  return (value) => {
    let n: number;
    if (typeof value === 'number') n = value;
    else if (NUMERIC.test(value.trim())) n = Number(value.trim());
    else return undefined;
    const ms = Math.floor(n * scale);
    return Number.isFinite(ms) && ms >= MIN_MS && ms <= MAX_MS ? ms : undefined;
  };
}

const SYSLOG = /^([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?$/;

function syslog(resolve: Resolve): FormatParser {
  return (value) => {
    if (typeof value !== 'string') return undefined;
    const m = SYSLOG.exec(value.trim());
    if (m === null) return undefined;
    const month = monthFromName(m[1] ?? '');
    if (month === undefined) return undefined;
    return resolve({
      month,
      day: Number(m[2]),
      hour: Number(m[3]),
      minute: Number(m[4]),
      second: Number(m[5]),
      millis: fractionMs(m[6]),
    });
  };
}

type Setter = (parts: Parts & { pm?: boolean }, text: string) => boolean;

/** Compiles a Joda-style pattern into one regex and one setter per capture group. */
function joda(pattern: string, resolve: Resolve): FormatParser {
  let source = '';
  const setters: Setter[] = [];
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] ?? '';
    if (ch === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === -1) throw new TimestampError(`Unclosed quote in ${pattern}`, pattern);
      const literal = end === i + 1 ? "'" : pattern.slice(i + 1, end);
      source += escapeRegex(literal);
      i = end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(ch)) {
      source += ch === ' ' ? ' +' : escapeRegex(ch);
      i++;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === ch) n++;
    i += n;
    const token = jodaToken(ch, n, pattern);
    source += `(${token.regex})`;
    setters.push(token.set);
  }
  const regex = new RegExp(`^${source}$`);
  return (value) => {
    if (typeof value !== 'string') return undefined;
    const m = regex.exec(value.trim());
    if (m === null) return undefined;
    const parts: Parts & { pm?: boolean } = { month: 1, day: 1, hour: 0, minute: 0, second: 0, millis: 0 };
    for (let g = 0; g < setters.length; g++) {
      if (!setters[g]?.(parts, m[g + 1] ?? '')) return undefined;
    }
    if (parts.pm !== undefined) {
      if (parts.hour < 1 || parts.hour > 12) return undefined;
      parts.hour = (parts.hour % 12) + (parts.pm ? 12 : 0);
    }
    return resolve(parts);
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function digits(n: number): string {
  return n === 1 ? '\\d{1,2}' : `\\d{${n}}`;
}

function jodaToken(letter: string, n: number, pattern: string): { regex: string; set: Setter } {
  const num =
    (field: 'month' | 'day' | 'hour' | 'minute' | 'second'): Setter =>
    (p, t) => {
      p[field] = Number(t);
      return true;
    };
  switch (letter) {
    case 'y':
    case 'u':
      if (n === 2) {
        return {
          regex: '\\d{2}',
          set: (p, t) => {
            const yy = Number(t);
            p.year = yy < 70 ? 2000 + yy : 1900 + yy;
            return true;
          },
        };
      }
      return {
        regex: n === 4 ? '\\d{4}' : '\\d{1,4}',
        set: (p, t) => {
          p.year = Number(t);
          return true;
        },
      };
    case 'M':
      if (n >= 3) {
        return {
          regex: n === 3 ? '[A-Za-z]{3}' : '[A-Za-z]{3,9}',
          set: (p, t) => {
            const month = monthFromName(t);
            if (month === undefined) return false;
            p.month = month;
            return true;
          },
        };
      }
      return { regex: digits(n), set: num('month') };
    case 'd':
      return { regex: digits(n), set: num('day') };
    case 'H':
    case 'h':
      return { regex: digits(n), set: num('hour') };
    case 'm':
      return { regex: digits(n), set: num('minute') };
    case 's':
      return { regex: digits(n), set: num('second') };
    case 'S':
      // S×n reads a count of 10^-n seconds in 1–n digits: loggers that print milliseconds with
      // %d (HealthApp `22:15:29:6`) mean 6 ms, where Joda would read 600 ms.
      return {
        regex: `\\d{1,${n}}`,
        set: (p, t) => {
          p.millis = Math.floor((Number(t) * 1000) / 10 ** n);
          return true;
        },
      };
    case 'E':
      return { regex: n <= 3 ? '[A-Za-z]{3}' : '[A-Za-z]{6,9}', set: () => true };
    case 'a':
      return {
        regex: '[AaPp][Mm]',
        set: (p, t) => {
          p.pm = t.toLowerCase() === 'pm';
          return true;
        },
      };
    case 'Z':
    case 'X':
      return {
        regex: 'Z|[+-]\\d{2}:?\\d{2}',
        set: (p, t) => {
          p.offset = parseOffset(t);
          return p.offset !== undefined;
        },
      };
    default:
      throw new TimestampError(`Unsupported pattern letter ${letter.repeat(n)} in ${pattern}`, pattern);
  }
}

function compileFormat(format: string, resolve: Resolve): FormatParser {
  switch (format) {
    case 'iso8601':
    case 'rfc5424':
    case 'rfc3339':
      return iso8601(resolve);
    case 'epoch_ms':
      return epoch(1);
    case 'epoch_s':
      return epoch(1000);
    case 'httpdate':
      return joda('dd/MMM/yyyy:HH:mm:ss Z', resolve);
    case 'syslog':
    case 'rfc3164':
      return syslog(resolve);
    default:
      return joda(format, resolve);
  }
}

/**
 * Compiles formats once into a parser returning epoch ms, or undefined when no format matches or
 * the date is out of range (month 13, Feb 30, year 0 or past 9999). Throws TimestampError for an
 * unknown zone or pattern letter (configuration errors). Results are cached per input string,
 * because consecutive log lines often share the same second.
 */
export function compileTimestampParser(
  formats: readonly string[],
  options: TimestampOptions = {},
): TimestampParser {
  const resolve = resolver(options);
  const parsers = formats.map((format) => compileFormat(format, resolve));
  const cache = new Map<string, number | undefined>();
  const parseOnce = (value: string | number): number | undefined => {
    for (const parser of parsers) {
      const ms = parser(value);
      if (ms !== undefined) return ms;
    }
    return undefined;
  };
  // Canonical `yyyy-MM-ddTHH:mm:ss.SSSZ` (what most loggers write) differs on every line by its
  // milliseconds, so the string cache misses; the second it names repeats, so that is cached instead.
  const isoFirst = ISO_FORMATS.has(formats[0] ?? '');
  let second = '';
  let secondMs: number | undefined;
  const canonical = (value: string): number | undefined => {
    const prefix = value.slice(0, 19);
    if (prefix !== second) {
      secondMs = parseOnce(`${prefix}.000Z`);
      second = prefix;
    }
    if (secondMs === undefined) return undefined;
    return (
      secondMs +
      (value.charCodeAt(20) - 48) * 100 +
      (value.charCodeAt(21) - 48) * 10 +
      value.charCodeAt(22) -
      48
    );
  };
  let lastText: string | undefined;
  let lastMs: number | undefined;
  const parser: TimestampParser = (value) => {
    if (typeof value === 'number') return parseOnce(value);
    if (isoFirst && isCanonicalIso(value)) {
      const ms = canonical(value);
      if (ms !== undefined) return ms;
    }
    // Consecutive lines mostly name the same second: compared before hashing into the cache.
    if (value === lastText) return lastMs;
    let ms: number | undefined;
    if (cache.has(value)) ms = cache.get(value);
    else {
      ms = parseOnce(value);
      if (cache.size >= CACHE_LIMIT) cache.clear();
      cache.set(value, ms);
    }
    lastText = value;
    lastMs = ms;
    return ms;
  };
  if (isoFirst) {
    // The same, on the bytes of a JSON string (the JSON fast path): no string for the usual line.
    const secondBytes = new Uint8Array(19);
    let bytesMs: number | undefined;
    let filled = false;
    isoBytesParsers.set(parser, (bytes, start, end) => {
      // The milliseconds' shape first; the first 19 bytes need checking only when they are not
      // the second last read (which was checked then).
      if (!isCanonicalMillis(bytes, start, end)) return undefined;
      let same = filled;
      for (let i = 0; same && i < 19; i++) same = bytes[start + i] === secondBytes[i];
      if (!same) {
        if (!isCanonicalIsoBytes(bytes, start, end)) return undefined;
        let prefix = '';
        for (let i = 0; i < 19; i++) {
          secondBytes[i] = bytes[start + i]!;
          prefix += String.fromCharCode(bytes[start + i]!);
        }
        bytesMs = parseOnce(`${prefix}.000Z`);
        filled = true;
      }
      if (bytesMs === undefined) return undefined;
      return (
        bytesMs + (bytes[start + 20]! - 48) * 100 + (bytes[start + 21]! - 48) * 10 + bytes[start + 22]! - 48
      );
    });
  }
  return parser;
}

/**
 * A parser's result for the UTF-8 bytes of a canonical `yyyy-MM-ddTHH:mm:ss.SSSZ` string, the same
 * as for its text; undefined when the bytes are not that shape or the parser cannot say so
 * cheaply (then parse the text).
 */
export type IsoBytesParser = (bytes: Uint8Array, start: number, end: number) => number | undefined;
const isoBytesParsers = new WeakMap<TimestampParser, IsoBytesParser>();

/** The bytes form of a compiled parser whose first format is ISO 8601, if it is one. */
export function isoBytesParser(parser: TimestampParser): IsoBytesParser | undefined {
  return isoBytesParsers.get(parser);
}

/** isCanonicalIso on bytes, all ASCII (so the text has the same 24 characters). */
/** `.SSSZ` at the end of 24 bytes. */
function isCanonicalMillis(bytes: Uint8Array, start: number, end: number): boolean {
  return (
    end - start === 24 &&
    bytes[start + 19] === 0x2e &&
    bytes[start + 23] === 0x5a &&
    isDigit(bytes[start + 20]!) &&
    isDigit(bytes[start + 21]!) &&
    isDigit(bytes[start + 22]!)
  );
}

function isCanonicalIsoBytes(bytes: Uint8Array, start: number, end: number): boolean {
  if (end - start !== 24) return false;
  for (let i = start; i < end; i++) if (bytes[i]! >= 0x80) return false;
  return (
    bytes[start + 4] === 0x2d &&
    bytes[start + 7] === 0x2d &&
    bytes[start + 10] === 0x54 &&
    bytes[start + 13] === 0x3a &&
    bytes[start + 16] === 0x3a &&
    bytes[start + 19] === 0x2e &&
    bytes[start + 23] === 0x5a &&
    isDigit(bytes[start + 20]!) &&
    isDigit(bytes[start + 21]!) &&
    isDigit(bytes[start + 22]!)
  );
}

const ISO_FORMATS: ReadonlySet<string> = new Set(['iso8601', 'rfc5424', 'rfc3339']);

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** `yyyy-MM-ddTHH:mm:ss.SSSZ` exactly (the shape of `toISOString`), checked without a regex. */
function isCanonicalIso(value: string): boolean {
  return (
    value.length === 24 &&
    value.charCodeAt(4) === 0x2d &&
    value.charCodeAt(7) === 0x2d &&
    value.charCodeAt(10) === 0x54 &&
    value.charCodeAt(13) === 0x3a &&
    value.charCodeAt(16) === 0x3a &&
    value.charCodeAt(19) === 0x2e &&
    value.charCodeAt(23) === 0x5a &&
    isDigit(value.charCodeAt(20)) &&
    isDigit(value.charCodeAt(21)) &&
    isDigit(value.charCodeAt(22))
  );
}
