// Date parsing for `date` fields: the named formats Sluice meets, epoch_millis/epoch_second, and
// simple Java-style patterns (yyyy/MM/dd HH:mm:ss …). Returns epoch ms or undefined.

const ISO =
  /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?)?)?$/;
const SLASH = /^(\d{4})\/(\d{2})\/(\d{2})(?: (\d{2}):(\d{2}):(\d{2}))?(?: ?(Z|[+-]\d{2}:?\d{2}))?$/;

function zoneOffsetMs(zone: string | undefined): number {
  if (!zone || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = Number(digits.slice(2, 4) || '0');
  return sign * (hours * 60 + minutes) * 60_000;
}

function build(parts: Array<string | undefined>, zone: string | undefined): number | undefined {
  const [y, mo = '1', d = '1', h = '0', mi = '0', s = '0', frac = ''] = parts;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const ms = Number(`${frac}000`.slice(0, 3));
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(t);
  if (check.getUTCDate() !== day) return undefined; // 2021-02-30
  return t - zoneOffsetMs(zone);
}

export function parseIsoDate(text: string, strict = true): number | undefined {
  const m = ISO.exec(text);
  if (!m) return undefined;
  // strict formats need two-digit month/day and a `T` separator.
  if (strict && text.length > 10 && text[10] === ' ') return undefined;
  return build([m[1], m[2], m[3], m[4], m[5], m[6], m[7]], m[8]);
}

function parseSlash(text: string): number | undefined {
  const m = SLASH.exec(text);
  if (!m) return undefined;
  return build([m[1], m[2], m[3], m[4], m[5], m[6]], m[7]);
}

const patternCache = new Map<string, RegExp>();

/** A Java DateTimeFormatter pattern as a regex with named groups. */
function patternRegex(pattern: string): RegExp {
  const cached = patternCache.get(pattern);
  if (cached) return cached;
  const tokens: Record<string, string> = {
    yyyy: '(?<y>\\d{4})',
    uuuu: '(?<y>\\d{4})',
    MM: '(?<mo>\\d{2})',
    dd: '(?<d>\\d{2})',
    HH: '(?<h>\\d{2})',
    mm: '(?<mi>\\d{2})',
    ss: '(?<s>\\d{2})',
    SSS: '(?<f>\\d{3})',
    XXX: '(?<z>Z|[+-]\\d{2}:\\d{2})',
    Z: '(?<z>Z|[+-]\\d{4})',
  };
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    if (pattern[i] === "'") {
      const end = pattern.indexOf("'", i + 1);
      const literal = pattern.slice(i + 1, end === -1 ? undefined : end);
      out += literal.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i = end === -1 ? pattern.length : end + 1;
      continue;
    }
    const token = Object.keys(tokens).find((t) => pattern.startsWith(t, i));
    if (token) {
      out += tokens[token];
      i += token.length;
    } else {
      out += (pattern[i] ?? '').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
      i++;
    }
  }
  const re = new RegExp(`^${out}$`);
  patternCache.set(pattern, re);
  return re;
}

function parseWithFormat(value: unknown, format: string): number | undefined {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : undefined;
  if (text === undefined) return undefined;
  switch (format) {
    case 'epoch_millis':
      return /^-?\d+(\.\d+)?$/.test(text) ? Math.trunc(Number(text)) : undefined;
    case 'epoch_second':
      return /^-?\d+(\.\d+)?$/.test(text) ? Math.trunc(Number(text) * 1000) : undefined;
    case 'strict_date_optional_time':
    case 'strict_date_optional_time_nanos':
    case 'strict_date_time':
    case 'strict_date_time_no_millis':
    case 'strict_date':
    case 'strict_year_month_day':
    case 'iso8601':
      return parseIsoDate(text, true);
    case 'date_optional_time':
    case 'date_time':
    case 'date':
      return parseIsoDate(text, false);
    default: {
      const m = patternRegex(format).exec(text);
      if (!m?.groups) return undefined;
      const g = m.groups;
      return build([g.y ?? '1970', g.mo, g.d, g.h, g.mi, g.s, g.f], g.z);
    }
  }
}

export const DEFAULT_DATE_FORMAT = 'strict_date_optional_time||epoch_millis';

/** Epoch ms of a date field value under its mapping's format, or undefined when it does not parse. */
export function parseDate(value: unknown, format: string = DEFAULT_DATE_FORMAT): number | undefined {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    // Numbers are epoch values whatever the format, as in OpenSearch.
    return format.includes('epoch_second') && !format.includes('epoch_millis')
      ? value * 1000
      : Math.trunc(value);
  }
  if (typeof value !== 'string') return undefined;
  for (const f of format.split('||')) {
    const t = parseWithFormat(value, f.trim());
    if (t !== undefined) return t;
  }
  return undefined;
}

/** Dynamic date detection (dynamic_date_formats defaults): the format a new date field gets, if any. */
export function detectDateFormat(text: string): { format?: string } | undefined {
  // At least a full calendar date: a bare "2024" stays a string field.
  if (/^\d{4}-\d{2}-\d{2}/.test(text) && parseIsoDate(text, true) !== undefined) return {};
  if (parseSlash(text) !== undefined) return { format: 'yyyy/MM/dd HH:mm:ss||yyyy/MM/dd||epoch_millis' };
  return undefined;
}
