// Date parsing, formatting and date math (`now-5m/d`, `2024-01-01||+1M/d`) the way OpenSearch does it,
// for the formats Sluice and its tests use. Pure: `now` is always passed in.
import { SearchError } from './errors.ts';

/** Offset (ms) of a time zone at an instant: `Z`, `UTC`, `+01:00`, `-0500` or an IANA name. */
export function zoneOffset(timeZone: string | undefined, at: number): number {
  if (timeZone === undefined || timeZone === 'Z' || timeZone === 'UTC' || timeZone === 'GMT') return 0;
  const fixed = /^(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?$/.exec(timeZone);
  if (fixed) {
    const sign = fixed[1] === '-' ? -1 : 1;
    return sign * (Number(fixed[2]) * 60 + Number(fixed[3] ?? 0)) * 60_000;
  }
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    }).formatToParts(new Date(at));
  } catch (cause) {
    throw new SearchError(400, 'illegal_argument_exception', `Unknown time-zone ID: ${timeZone}`, { cause });
  }
  const get = (type: string): number => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return wall - Math.floor(at / 1000) * 1000;
}

/** Local wall time (as a UTC epoch) → instant, for a zone. */
function fromWall(wall: number, timeZone: string | undefined): number {
  const guess = wall - zoneOffset(timeZone, wall);
  return wall - zoneOffset(timeZone, guess);
}

interface PatternToken {
  re: string;
  set?: (parts: DateParts, text: string) => void;
}

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  milli: number;
  offset: number | undefined;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function parseOffset(text: string): number {
  if (text === 'Z' || text === 'z') return 0;
  const m = /^([+-])(\d{2}):?(\d{2})?$/.exec(text);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) * 60_000;
}

// Java/Joda pattern letters we support, as regex pieces that fill DateParts.
function patternToken(letter: string, count: number): PatternToken {
  const num = (set: (p: DateParts, n: number) => void, digits: string): PatternToken => ({
    re: `(\\d{${digits}})`,
    set: (p, t) => set(p, Number(t)),
  });
  switch (letter) {
    case 'y':
    case 'u':
      return count === 2
        ? num((p, n) => {
            p.year = 2000 + n;
          }, '2')
        : num((p, n) => {
            p.year = n;
          }, '4,9');
    case 'M':
      if (count >= 3) {
        return {
          re: '([A-Za-z]+)',
          set: (p, t) => {
            p.month = MONTHS.indexOf(t.slice(0, 3).toLowerCase()) + 1;
          },
        };
      }
      return num(
        (p, n) => {
          p.month = n;
        },
        count === 1 ? '1,2' : '2',
      );
    case 'd':
      return num(
        (p, n) => {
          p.day = n;
        },
        count === 1 ? '1,2' : '2',
      );
    case 'H':
      return num(
        (p, n) => {
          p.hour = n;
        },
        count === 1 ? '1,2' : '2',
      );
    case 'm':
      return num(
        (p, n) => {
          p.minute = n;
        },
        count === 1 ? '1,2' : '2',
      );
    case 's':
      return num(
        (p, n) => {
          p.second = n;
        },
        count === 1 ? '1,2' : '2',
      );
    case 'S':
      return {
        re: `(\\d{1,${Math.max(count, 9)}})`,
        set: (p, t) => {
          p.milli = Math.floor(Number(`0.${t}`) * 1000);
        },
      };
    case 'E':
      return { re: '[A-Za-z]+' }; // day names carry no information the date does not have
    case 'Z':
    case 'X':
    case 'x':
      return {
        re: '(Z|[+-]\\d{2}:?(?:\\d{2})?)',
        set: (p, t) => {
          p.offset = parseOffset(t);
        },
      };
    default:
      return { re: escapeRegex(letter.repeat(count)) };
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function tokenizePattern(pattern: string): Array<{ letter: string; count: number } | { literal: string }> {
  const out: Array<{ letter: string; count: number } | { literal: string }> = [];
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      const stop = end === -1 ? pattern.length : end;
      out.push({ literal: pattern.slice(i + 1, stop) });
      i = stop + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let j = i;
      while (pattern[j] === c) j++;
      out.push({ letter: c, count: j - i });
      i = j;
    } else {
      out.push({ literal: c });
      i++;
    }
  }
  return out;
}

function parseWithPattern(text: string, pattern: string): DateParts | undefined {
  const setters: Array<(p: DateParts, t: string) => void> = [];
  let re = '';
  for (const tok of tokenizePattern(pattern)) {
    if ('literal' in tok) {
      re += escapeRegex(tok.literal);
    } else {
      const pt = patternToken(tok.letter, tok.count);
      re += pt.re;
      if (pt.set) setters.push(pt.set);
    }
  }
  const m = new RegExp(`^${re}$`).exec(text);
  if (!m) return undefined;
  const parts: DateParts = {
    year: 1970,
    month: 1,
    day: 1,
    hour: 0,
    minute: 0,
    second: 0,
    milli: 0,
    offset: undefined,
  };
  setters.forEach((set, i) => {
    set(parts, m[i + 1] ?? '');
  });
  return parts;
}

// strict_date_optional_time: yyyy[-MM[-dd[THH[:mm[:ss[.SSS…]]]]]][Z|±hh:mm]
const ISO =
  /^([+-]?\d{4,9})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/;

function parseIso(text: string): DateParts | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  return {
    year: Number(m[1]),
    month: Number(m[2] ?? 1),
    day: Number(m[3] ?? 1),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    milli: m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000),
    offset: m[8] === undefined ? undefined : parseOffset(m[8]),
  };
}

function partsToMillis(p: DateParts, timeZone: string | undefined): number | undefined {
  if (
    p.month < 1 ||
    p.month > 12 ||
    p.day < 1 ||
    p.day > 31 ||
    p.hour > 24 ||
    p.minute > 59 ||
    p.second > 60
  ) {
    return undefined;
  }
  const d = new Date(0);
  d.setUTCFullYear(p.year, p.month - 1, p.day);
  d.setUTCHours(p.hour, p.minute, p.second, p.milli);
  const wall = d.getTime();
  if (d.getUTCDate() !== p.day) return undefined; // 2024-02-31 and the like
  return p.offset !== undefined ? wall - p.offset : fromWall(wall, timeZone);
}

const NAMED_FORMATS: Record<string, string> = {
  basic_date: 'yyyyMMdd',
  basic_date_time: "yyyyMMdd'T'HHmmss.SSSZ",
  basic_date_time_no_millis: "yyyyMMdd'T'HHmmssZ",
  hour_minute: 'HH:mm',
  hour_minute_second: 'HH:mm:ss',
  year_month: 'yyyy-MM',
  year: 'yyyy',
};

/** Parses one date value with a format (`a||b` alternatives); undefined when it does not parse. */
export function parseDate(value: unknown, format?: string, timeZone?: string): number | undefined {
  const formats = (format ?? 'strict_date_optional_time||epoch_millis').split('||');
  for (const f of formats) {
    const name = f.trim();
    const parsed = parseOne(value, name, timeZone);
    if (parsed !== undefined) return parsed;
  }
  return undefined;
}

function parseOne(value: unknown, format: string, timeZone: string | undefined): number | undefined {
  if (format === 'epoch_millis' || format === 'epoch_second') {
    const n =
      typeof value === 'number'
        ? value
        : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value)
          ? Number(value)
          : NaN;
    if (!Number.isFinite(n)) return undefined;
    return format === 'epoch_second' ? Math.round(n * 1000) : Math.trunc(n);
  }
  if (typeof value !== 'string') return undefined;
  const lowered = format.replace(/^strict_/, '');
  if (
    lowered === 'date_optional_time' ||
    lowered === 'date_time' ||
    lowered === 'date_time_no_millis' ||
    lowered === 'date' ||
    lowered === 'date_hour_minute_second' ||
    lowered === 'date_hour_minute_second_millis' ||
    lowered === 'date_hour_minute' ||
    lowered === 'date_hour' ||
    lowered === 'iso8601'
  ) {
    const parts = parseIso(value);
    return parts ? partsToMillis(parts, timeZone) : undefined;
  }
  const pattern = NAMED_FORMATS[lowered] ?? format;
  const parts = parseWithPattern(value, pattern);
  return parts ? partsToMillis(parts, timeZone) : undefined;
}

const pad = (n: number, width = 2): string => String(Math.abs(n)).padStart(width, '0');

function formatOffset(offset: number, colon: boolean): string {
  if (offset === 0) return 'Z';
  const sign = offset < 0 ? '-' : '+';
  const mins = Math.abs(offset) / 60_000;
  return `${sign}${pad(Math.floor(mins / 60))}${colon ? ':' : ''}${pad(mins % 60)}`;
}

/** Formats epoch millis; default is OpenSearch's `strict_date_optional_time` output. */
export function formatDate(millis: number, format?: string, timeZone?: string): string {
  const first = (format ?? 'strict_date_optional_time').split('||')[0]?.trim() ?? '';
  if (first === 'epoch_millis') return String(millis);
  if (first === 'epoch_second') return String(Math.floor(millis / 1000));
  const named = first.replace(/^strict_/, '');
  const pattern =
    named === 'date_optional_time' || named === 'date_time' || named === 'iso8601'
      ? "yyyy-MM-dd'T'HH:mm:ss.SSSXXX"
      : named === 'date'
        ? 'yyyy-MM-dd'
        : named === 'date_time_no_millis'
          ? "yyyy-MM-dd'T'HH:mm:ssXXX"
          : (NAMED_FORMATS[named] ?? first);
  const offset = zoneOffset(timeZone, millis);
  const d = new Date(millis + offset);
  let out = '';
  for (const tok of tokenizePattern(pattern)) {
    if ('literal' in tok) {
      out += tok.literal;
      continue;
    }
    const { letter, count } = tok;
    switch (letter) {
      case 'y':
      case 'u':
        out += count === 2 ? pad(d.getUTCFullYear() % 100) : pad(d.getUTCFullYear(), 4);
        break;
      case 'M':
        out +=
          count >= 3
            ? (MONTHS[d.getUTCMonth()] ?? '').replace(/^./, (c) => c.toUpperCase())
            : pad(d.getUTCMonth() + 1, count);
        break;
      case 'd':
        out += pad(d.getUTCDate(), count);
        break;
      case 'H':
        out += pad(d.getUTCHours(), count);
        break;
      case 'm':
        out += pad(d.getUTCMinutes(), count);
        break;
      case 's':
        out += pad(d.getUTCSeconds(), count);
        break;
      case 'S':
        out += pad(d.getUTCMilliseconds(), 3).padEnd(count, '0').slice(0, count);
        break;
      case 'E':
        out += DAYS[d.getUTCDay()] ?? '';
        break;
      case 'X':
      case 'x':
      case 'Z':
        out += formatOffset(offset, count >= 3 || letter === 'X');
        break;
      default:
        out += letter.repeat(count);
    }
  }
  return out;
}

const UNITS = new Set(['y', 'M', 'w', 'd', 'h', 'H', 'm', 's']);

/** Adds calendar units in a time zone (months and years keep the wall clock, like java.time). */
function addUnit(millis: number, amount: number, unit: string, timeZone: string | undefined): number {
  switch (unit) {
    case 's':
      return millis + amount * 1000;
    case 'm':
      return millis + amount * 60_000;
    case 'h':
    case 'H':
      return millis + amount * 3_600_000;
    default: {
      const wall = new Date(millis + zoneOffset(timeZone, millis));
      if (unit === 'd') wall.setUTCDate(wall.getUTCDate() + amount);
      else if (unit === 'w') wall.setUTCDate(wall.getUTCDate() + amount * 7);
      else if (unit === 'M') addMonthsClamped(wall, amount);
      else addMonthsClamped(wall, amount * 12);
      return fromWall(wall.getTime(), timeZone);
    }
  }
}

function addMonthsClamped(d: Date, months: number): void {
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
}

/** Start of the calendar unit containing `millis`, in a time zone. */
export function roundDown(millis: number, unit: string, timeZone?: string): number {
  if (unit === 's') return Math.floor(millis / 1000) * 1000;
  if (unit === 'm' || unit === 'h' || unit === 'H') {
    const step = unit === 'm' ? 60_000 : 3_600_000;
    const offset = zoneOffset(timeZone, millis);
    return Math.floor((millis + offset) / step) * step - offset;
  }
  const wall = new Date(millis + zoneOffset(timeZone, millis));
  wall.setUTCHours(0, 0, 0, 0);
  if (unit === 'w') wall.setUTCDate(wall.getUTCDate() - ((wall.getUTCDay() + 6) % 7)); // ISO weeks start Monday
  if (unit === 'M') wall.setUTCDate(1);
  if (unit === 'q') wall.setUTCMonth(wall.getUTCMonth() - (wall.getUTCMonth() % 3), 1);
  if (unit === 'y') wall.setUTCMonth(0, 1);
  return fromWall(wall.getTime(), timeZone);
}

export function nextUnit(start: number, unit: string, timeZone?: string): number {
  if (unit === 'q') return addUnit(start, 3, 'M', timeZone);
  return addUnit(start, 1, unit, timeZone);
}

export interface DateMathOptions {
  now: number;
  /** Round `/unit` up to the last millisecond of the unit (for `gt` and `lte`). */
  roundUp?: boolean;
  format?: string;
  timeZone?: string;
}

/** Parses a date or date-math expression to epoch millis; throws a 400 parse error when invalid. */
export function parseDateMath(value: unknown, opts: DateMathOptions): number {
  let base: number;
  let math: string;
  if (typeof value === 'number') return Math.trunc(value);
  if (typeof value !== 'string') throw dateError(value, opts.format);
  if (value.startsWith('now')) {
    base = opts.now;
    math = value.slice(3);
  } else {
    const sep = value.indexOf('||');
    const text = sep === -1 ? value : value.slice(0, sep);
    const parsed = parseDate(text, opts.format, opts.timeZone);
    if (parsed === undefined) throw dateError(value, opts.format);
    base = parsed;
    math = sep === -1 ? '' : value.slice(sep + 2);
  }
  return applyMath(base, math, value, opts);
}

function applyMath(base: number, math: string, whole: string, opts: DateMathOptions): number {
  let t = base;
  let i = 0;
  while (i < math.length) {
    const op = math[i];
    if (op === '/') {
      const unit = math[i + 1] ?? '';
      if (!UNITS.has(unit)) throw mathError(whole);
      t = roundDown(t, unit, opts.timeZone);
      if (opts.roundUp) t = nextUnit(t, unit, opts.timeZone) - 1;
      i += 2;
    } else if (op === '+' || op === '-') {
      const m = /^(\d*)([yMwdhHms])/.exec(math.slice(i + 1));
      if (!m) throw mathError(whole);
      const amount = m[1] === '' ? 1 : Number(m[1]);
      t = addUnit(t, op === '-' ? -amount : amount, m[2] as string, opts.timeZone);
      i += 1 + m[0].length;
    } else {
      throw mathError(whole);
    }
  }
  return t;
}

// OpenSearch reports these as `parse_exception` under `search_phase_execution_exception`.
function dateError(value: unknown, format: string | undefined): SearchError {
  return parseException(
    `failed to parse date field [${String(value)}] with format [${format ?? 'strict_date_optional_time||epoch_millis'}]`,
  );
}

function mathError(expr: string): SearchError {
  return parseException(`operation not supported for date math [${expr}]`);
}

function parseException(message: string): SearchError {
  return new SearchError(400, 'parse_exception', message, {
    wrapperType: 'search_phase_execution_exception',
  });
}
