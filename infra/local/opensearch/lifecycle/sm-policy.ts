// SM policy bodies (validation and defaults), the names SM gives its snapshots, and which
// snapshots a deletion run removes. Pure: the clock and random parts are passed in.
import { illegalArgument } from '../errors.ts';
import { parseTimeValue } from '../units.ts';
import { CronError, checkTimeZone, localFields, parseCron } from './cron.ts';

export const SM_SCHEMA_VERSION = 21;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface CronSpec {
  expression: string;
  timezone: string;
}

function parseSchedule(raw: unknown, where: string): CronSpec {
  if (!isObject(raw) || !isObject(raw.cron))
    throw illegalArgument(`[${where}] schedule must be {"cron": {...}}`);
  const { expression, timezone } = raw.cron;
  if (typeof expression !== 'string') throw illegalArgument(`[${where}] cron expression is required`);
  const tz = typeof timezone === 'string' ? timezone : 'UTC';
  try {
    parseCron(expression);
    checkTimeZone(tz);
  } catch (error) {
    if (error instanceof CronError)
      throw illegalArgument(`Invalid cron expression in [${where}]: ${error.message}`);
    throw error;
  }
  return { expression, timezone: tz };
}

/**
 * Validates a create/update body and returns the stored `sm_policy` (without the name-derived and
 * time fields, which the caller adds).
 */
export function parseSmPolicy(body: unknown): Record<string, unknown> {
  if (!isObject(body)) throw illegalArgument('Snapshot management policy body must be an object');
  const known = [
    'description',
    'creation',
    'deletion',
    'snapshot_config',
    'notification',
    'enabled',
    'schedule',
  ];
  for (const key of Object.keys(body)) {
    if (!known.includes(key))
      throw illegalArgument(`Invalid field: [${key}] found in snapshot management policy.`);
  }
  if (!isObject(body.creation)) throw illegalArgument('Snapshot management policy must have [creation]');
  const creationSchedule = parseSchedule(body.creation.schedule, 'creation');
  if (body.creation.time_limit !== undefined) parseTimeValue(body.creation.time_limit, 'creation.time_limit');
  const creation: Record<string, unknown> = { schedule: { cron: creationSchedule } };
  if (body.creation.time_limit !== undefined) creation.time_limit = String(body.creation.time_limit);

  let deletion: Record<string, unknown> | undefined;
  if (body.deletion !== undefined && body.deletion !== null) {
    if (!isObject(body.deletion)) throw illegalArgument('[deletion] must be an object');
    const d = body.deletion;
    const condition = isObject(d.condition) ? d.condition : undefined;
    if (!condition || (condition.max_age === undefined && condition.max_count === undefined))
      throw illegalArgument('Please provide max_age or max_count in the deletion condition.');
    const out: Record<string, unknown> = {};
    if (condition.max_age !== undefined) {
      parseTimeValue(condition.max_age, 'deletion.condition.max_age');
      out.max_age = String(condition.max_age);
    }
    const minCount = condition.min_count === undefined ? 1 : Number(condition.min_count);
    if (!Number.isInteger(minCount) || minCount < 1)
      throw illegalArgument('Minimum snapshot count should be greater than 0.');
    if (condition.max_count !== undefined) {
      const maxCount = Number(condition.max_count);
      if (!Number.isInteger(maxCount) || maxCount <= minCount)
        throw illegalArgument('Maximum snapshot count should be greater than the minimum count.');
      out.max_count = maxCount;
    }
    out.min_count = minCount;
    deletion = {
      schedule: { cron: d.schedule === undefined ? creationSchedule : parseSchedule(d.schedule, 'deletion') },
      condition: out,
    };
    if (d.time_limit !== undefined) {
      parseTimeValue(d.time_limit, 'deletion.time_limit');
      deletion.time_limit = String(d.time_limit);
    }
  }

  if (!isObject(body.snapshot_config))
    throw illegalArgument('Snapshot management policy must have [snapshot_config]');
  const sc = body.snapshot_config;
  if (typeof sc.repository !== 'string' || sc.repository === '')
    throw illegalArgument('[snapshot_config] must name a [repository]');
  const timezone = typeof sc.timezone === 'string' ? sc.timezone : 'UTC';
  try {
    checkTimeZone(timezone);
  } catch (error) {
    if (error instanceof CronError) throw illegalArgument(error.message);
    throw error;
  }
  const dateFormat = typeof sc.date_format === 'string' ? sc.date_format : "yyyy-MM-dd'T'HH:mm:ss";
  formatJavaDate(0, dateFormat, 'UTC');
  // Kept as written (SM stores the map as given); defaults apply when snapshots are named.
  const snapshotConfig: Record<string, unknown> = { ...sc };
  const policy: Record<string, unknown> = {
    description: typeof body.description === 'string' ? body.description : '',
    creation,
    snapshot_config: snapshotConfig,
    enabled: body.enabled === undefined ? true : body.enabled === true || body.enabled === 'true',
  };
  if (deletion) policy.deletion = deletion;
  if (body.notification !== undefined) policy.notification = body.notification;
  return policy;
}

/** Formats a time with a Java DateTimeFormatter pattern (the common letters) in a time zone. */
export function formatJavaDate(ms: number, pattern: string, timeZone: string): string {
  const f = localFields(ms, timeZone);
  const millis = ((ms % 1000) + 1000) % 1000;
  const second = Math.floor((((ms % 60_000) + 60_000) % 60_000) / 1000);
  let out = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i] ?? '';
    if (ch === "'") {
      // A quoted literal; `''` is a quote, inside or outside one.
      if (pattern[i + 1] === "'") {
        out += "'";
        i += 2;
        continue;
      }
      let j = i + 1;
      for (;;) {
        if (j >= pattern.length) throw illegalArgument(`Invalid date format [${pattern}]: unclosed quote`);
        if (pattern[j] === "'" && pattern[j + 1] === "'") {
          out += "'";
          j += 2;
        } else if (pattern[j] === "'") {
          break;
        } else {
          out += pattern[j];
          j++;
        }
      }
      i = j + 1;
      continue;
    }
    if (!/[a-zA-Z]/.test(ch)) {
      out += ch;
      i++;
      continue;
    }
    let n = 1;
    while (pattern[i + n] === ch) n++;
    const pad = (v: number, w: number) => String(v).padStart(w, '0');
    switch (ch) {
      case 'y':
      case 'u':
        out += n === 2 ? pad(f.year % 100, 2) : pad(f.year, n);
        break;
      case 'M':
        out += pad(f.month, n);
        break;
      case 'd':
        out += pad(f.day, n);
        break;
      case 'H':
        out += pad(f.hour, n);
        break;
      case 'm':
        out += pad(f.minute, n);
        break;
      case 's':
        out += pad(second, n);
        break;
      case 'S':
        out += pad(millis, 3).slice(0, n);
        break;
      default:
        throw illegalArgument(`Invalid date format [${pattern}]: unsupported letter [${ch}]`);
    }
    i += n;
  }
  return out;
}

/** SM's snapshot name: `{policy}-{date}-{8 random lowercase chars}`. */
export function smSnapshotName(
  policyName: string,
  ms: number,
  dateFormat: string,
  timeZone: string,
  random: string,
): string {
  return `${policyName}-${formatJavaDate(ms, dateFormat, timeZone)}-${random}`.toLowerCase();
}

export interface DeletionCondition {
  max_age?: string;
  max_count?: number;
  min_count?: number;
}

/**
 * The snapshots a deletion run removes: the oldest beyond `max_count`, and those older than
 * `max_age`, but never so many that fewer than `min_count` (default 1) remain.
 */
export function selectForDeletion<T extends { name: string; startTime: number }>(
  snapshots: T[],
  condition: DeletionCondition,
  now: number,
): T[] {
  const sorted = [...snapshots].sort((a, b) => a.startTime - b.startTime || (a.name < b.name ? -1 : 1));
  const minCount = condition.min_count ?? 1;
  const doomed = new Set<T>();
  if (condition.max_count !== undefined && sorted.length > condition.max_count) {
    for (const s of sorted.slice(0, sorted.length - condition.max_count)) doomed.add(s);
  }
  if (condition.max_age !== undefined) {
    const cutoff = now - parseTimeValue(condition.max_age, 'max_age');
    for (const s of sorted) if (s.startTime < cutoff) doomed.add(s);
  }
  const allowed = Math.max(0, sorted.length - minCount);
  return sorted.filter((s) => doomed.has(s)).slice(0, allowed);
}
