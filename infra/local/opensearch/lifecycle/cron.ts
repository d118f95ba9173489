// Standard 5-field cron (minute hour day-of-month month day-of-week) evaluated in an IANA time
// zone, for SM schedules and ISM `cron` transitions. Pure: times are passed in.

export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  days: Set<number>;
  months: Set<number>;
  weekdays: Set<number>;
  /** Day-of-month and day-of-week both restricted: either matches (Vixie cron rule). */
  domRestricted: boolean;
  dowRestricted: boolean;
}

export class CronError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronError';
  }
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

function parseValue(text: string, min: number, names: string[] | undefined, field: string): number {
  const upper = text.toUpperCase();
  if (names) {
    const i = names.indexOf(upper);
    if (i >= 0) return i + min;
  }
  if (!/^\d+$/.test(text)) throw new CronError(`invalid value [${text}] in cron field [${field}]`);
  return Number(text);
}

function parseField(text: string, min: number, max: number, field: string, names?: string[]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1)
      throw new CronError(`invalid step [${part}] in cron field [${field}]`);
    let lo: number;
    let hi: number;
    if (range === '*' || range === '?') {
      lo = min;
      hi = max;
    } else if (range.includes('-')) {
      const [a = '', b = ''] = range.split('-');
      lo = parseValue(a, min, names, field);
      hi = parseValue(b, min, names, field);
    } else {
      lo = parseValue(range, min, names, field);
      hi = stepText === undefined ? lo : max;
    }
    if (lo < min || hi > max || lo > hi)
      throw new CronError(`value out of range [${part}] in cron field [${field}]`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Parses `m h dom mon dow`; throws CronError on anything else. */
export function parseCron(expression: string): CronSchedule {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new CronError(`cron expression [${expression}] must have 5 fields, found ${fields.length}`);
  }
  const [m = '', h = '', dom = '', mon = '', dow = ''] = fields;
  const weekdays = parseField(dow, 0, 7, 'day of week', WEEKDAYS);
  if (weekdays.has(7)) {
    weekdays.delete(7);
    weekdays.add(0);
  }
  return {
    minutes: parseField(m, 0, 59, 'minute'),
    hours: parseField(h, 0, 23, 'hour'),
    days: parseField(dom, 1, 31, 'day of month'),
    months: parseField(mon, 1, 12, 'month', MONTHS),
    weekdays,
    domRestricted: dom !== '*' && dom !== '?',
    dowRestricted: dow !== '*' && dow !== '?',
  };
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws CronError for an unknown time zone. */
export function checkTimeZone(timeZone: string): void {
  localFields(0, timeZone);
}

interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  weekday: number;
}

export function localFields(ms: number, timeZone: string): LocalFields {
  let format = formatters.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        weekday: 'short',
      });
    } catch {
      throw new CronError(`unknown time zone [${timeZone}]`);
    }
    formatters.set(timeZone, format);
  }
  const parts: Record<string, string> = {};
  for (const p of format.formatToParts(ms)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour) % 24,
    minute: Number(parts.minute),
    weekday: WEEKDAYS.indexOf((parts.weekday ?? '').toUpperCase().slice(0, 3)),
  };
}

function dayMatches(s: CronSchedule, f: LocalFields): boolean {
  const dom = s.days.has(f.day);
  const dow = s.weekdays.has(f.weekday);
  if (s.domRestricted && s.dowRestricted) return dom || dow;
  return dom && dow;
}

const MINUTE = 60_000;

/** The first fire time strictly after `after` (epoch ms), or undefined if none within ~5 years. */
export function nextCronTime(schedule: CronSchedule, after: number, timeZone: string): number | undefined {
  // Whole minutes only; jumps by day/hour/minute keep this to a few thousand steps.
  let t = Math.floor(after / MINUTE) * MINUTE + MINUTE;
  const limit = after + 5 * 366 * 86_400_000;
  while (t <= limit) {
    const f = localFields(t, timeZone);
    if (!schedule.months.has(f.month) || !dayMatches(schedule, f)) {
      t += ((23 - f.hour) * 60 + (60 - f.minute)) * MINUTE;
      continue;
    }
    if (!schedule.hours.has(f.hour)) {
      t += (60 - f.minute) * MINUTE;
      continue;
    }
    if (!schedule.minutes.has(f.minute)) {
      t += MINUTE;
      continue;
    }
    return t;
  }
  return undefined;
}
