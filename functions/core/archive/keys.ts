// Object keys of the raw archive and the dead-letter store. Keys are deterministic (a redelivered
// batch writes the same keys) and carry the offset range, so listing alone orders a replay.

export const DEFAULT_ARCHIVE_PREFIX = 'raw/';
export const DEFAULT_DEAD_LETTER_PREFIX = 'dead-letters/';

const HOUR_MS = 3_600_000;
/** `Date` accepts ±8.64e15 ms. */
const MAX_TIME_MS = 8.64e15;

export interface ArchiveKeyParts {
  topic: string;
  /** `YYYY-MM-DD` (UTC). */
  dt: string;
  /** `HH` (UTC). */
  hour: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
}

export interface DeadLetterKeyParts {
  topic: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
}

/**
 * The UTC hour a Kafka timestamp falls in, as the start of that hour (epoch ms). Records without a
 * usable timestamp (Kafka's -1) go to the epoch hour: deterministic, so redelivery still overwrites.
 */
export function archiveHour(timestampMs: number): number {
  if (!Number.isFinite(timestampMs) || timestampMs < 0 || timestampMs > MAX_TIME_MS) return 0;
  return Math.floor(timestampMs / HOUR_MS) * HOUR_MS;
}

function hourParts(hourMs: number): { dt: string; hour: string } {
  const iso = new Date(hourMs).toISOString();
  return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/** `<prefix>topic=<t>/dt=YYYY-MM-DD/hour=HH/` */
export function archiveHourPrefix(prefix: string, topic: string, hourMs: number): string {
  const { dt, hour } = hourParts(hourMs);
  return `${prefix}topic=${topic}/dt=${dt}/hour=${hour}/`;
}

/** `<prefix>topic=<t>/dt=YYYY-MM-DD/hour=HH/partition=<p>/<first>-<last>.ndjson.gz` */
export function archiveKey(
  prefix: string,
  topic: string,
  hourMs: number,
  partition: number,
  firstOffset: number,
  lastOffset: number,
): string {
  return `${archiveHourPrefix(prefix, topic, hourMs)}partition=${partition}/${firstOffset}-${lastOffset}.ndjson.gz`;
}

// Kafka topic names are `[a-zA-Z0-9._-]`; anything with a slash cannot be one of our keys.
const ARCHIVE_KEY =
  /^topic=([^/]+)\/dt=(\d{4}-\d{2}-\d{2})\/hour=(\d{2})\/partition=(\d+)\/(\d+)-(\d+)\.ndjson\.gz$/;
const DEAD_LETTER_KEY = /^topic=([^/]+)\/partition=(\d+)\/(\d+)-(\d+)\.ndjson\.gz$/;

function count(text: string): number | undefined {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

function range(first: string, last: string): { firstOffset: number; lastOffset: number } | undefined {
  const firstOffset = count(first);
  const lastOffset = count(last);
  if (firstOffset === undefined || lastOffset === undefined || lastOffset < firstOffset) return undefined;
  return { firstOffset, lastOffset };
}

/** The parts of an archive key, or undefined for any other object under the prefix. */
export function parseArchiveKey(prefix: string, key: string): ArchiveKeyParts | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const m = ARCHIVE_KEY.exec(key.slice(prefix.length));
  if (m === null) return undefined;
  const [, topic, dt, hour, partition, first, last] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const offsets = range(first, last);
  const p = count(partition);
  if (offsets === undefined || p === undefined) return undefined;
  return { topic, dt, hour, partition: p, ...offsets };
}

/** The parts of a dead-letter key (`deadLetterKey` in the bulk service), or undefined. */
export function parseDeadLetterKey(prefix: string, key: string): DeadLetterKeyParts | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const m = DEAD_LETTER_KEY.exec(key.slice(prefix.length));
  if (m === null) return undefined;
  const [, topic, partition, first, last] = m as unknown as [string, string, string, string, string];
  const offsets = range(first, last);
  const p = count(partition);
  if (offsets === undefined || p === undefined) return undefined;
  return { topic, partition: p, ...offsets };
}
