// A replay request, from CLI arguments or a function event, validated once before any I/O.

import { ReplayRequestError } from './errors.ts';

export const ReplaySources = { archive: 'archive', deadLetters: 'dead-letters' } as const;
export type ReplaySource = (typeof ReplaySources)[keyof typeof ReplaySources];

export interface ReplayRequest {
  source: ReplaySource;
  /** Required for the archive; for dead letters, narrows the listing to one topic. */
  topic?: string;
  /** Kafka timestamps from (inclusive), epoch ms; archive only. */
  sinceMs?: number;
  /** Kafka timestamps up to (exclusive), epoch ms; open-ended when unset. Archive only. */
  untilMs?: number;
  /** Overrides routing; ids still come from the pipeline (coordinates). */
  targetIndex?: string;
  /** Read and prepare, count what would happen, write nothing (no bulk, no checkpoint). */
  dryRun: boolean;
  /** Ignore a stored checkpoint and start from the beginning. */
  restart: boolean;
  /** Checkpoint object key; derived from the request when unset. */
  checkpointKey?: string;
  /** Records per bulk call to the bulk service. */
  batchRecords: number;
}

export const DEFAULT_BATCH_RECORDS = 500;
const MAX_BATCH_RECORDS = 10_000;
const UNITS_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const TOPIC = /^[a-zA-Z0-9._-]{1,249}$/;
// OpenSearch index names: lowercase, none of these characters, not starting with - _ +.
const INDEX = /^(?![-_+.])[^A-Z\\/*?"<>|,# :]{1,255}$/;

/**
 * A time as ISO 8601 (`2026-11-20T12:00:00Z`, `2026-11-20`), epoch milliseconds, or a duration
 * before `now` (`90m`, `6h`, `2d`).
 */
export function parseReplayTime(value: unknown, name: string, now: number): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const text = value.trim();
    const relative = /^(\d+)([mhd])$/.exec(text);
    if (relative !== null) return now - Number(relative[1]) * UNITS_MS[relative[2] as keyof typeof UNITS_MS];
    if (/^\d+$/.test(text)) return Number(text);
    if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
      const ms = Date.parse(text);
      if (Number.isFinite(ms)) return ms;
    }
  }
  throw new ReplayRequestError(
    `${name}=${JSON.stringify(value)} is not a time: use ISO 8601 (2026-11-20T12:00:00Z), epoch ms, or a duration ago (90m, 6h, 2d)`,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(input: Record<string, unknown>, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ReplayRequestError(`${name} must be a string`);
  return value;
}

function flag(input: Record<string, unknown>, name: string): boolean {
  const value = input[name];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new ReplayRequestError(`${name} must be true or false`);
  return value;
}

const KNOWN = new Set([
  'source',
  'topic',
  'since',
  'until',
  'targetIndex',
  'dryRun',
  'restart',
  'checkpointKey',
  'batchRecords',
]);

/** Validates a replay event (`{source: 'archive' | 'dead-letters', topic, since, until, …}`). */
export function parseReplayRequest(input: unknown, now: number): ReplayRequest {
  if (!isObject(input)) throw new ReplayRequestError('a replay request must be an object');
  for (const key of Object.keys(input)) {
    if (!KNOWN.has(key))
      throw new ReplayRequestError(`unknown field ${JSON.stringify(key)}; known: ${[...KNOWN].join(', ')}`);
  }
  const source = input.source;
  if (source !== ReplaySources.archive && source !== ReplaySources.deadLetters) {
    throw new ReplayRequestError(`source must be "archive" or "dead-letters", got ${JSON.stringify(source)}`);
  }
  const topic = optionalString(input, 'topic');
  if (topic !== undefined && !TOPIC.test(topic))
    throw new ReplayRequestError(`topic ${JSON.stringify(topic)} is not a Kafka topic name`);
  const targetIndex = optionalString(input, 'targetIndex');
  if (targetIndex !== undefined && !INDEX.test(targetIndex)) {
    throw new ReplayRequestError(
      `targetIndex ${JSON.stringify(targetIndex)} is not a valid OpenSearch index name`,
    );
  }
  const checkpointKey = optionalString(input, 'checkpointKey');
  const batchRecords = input.batchRecords ?? DEFAULT_BATCH_RECORDS;
  if (
    typeof batchRecords !== 'number' ||
    !Number.isInteger(batchRecords) ||
    batchRecords < 1 ||
    batchRecords > MAX_BATCH_RECORDS
  ) {
    throw new ReplayRequestError(`batchRecords must be a whole number from 1 to ${MAX_BATCH_RECORDS}`);
  }
  const request: ReplayRequest = {
    source,
    dryRun: flag(input, 'dryRun'),
    restart: flag(input, 'restart'),
    batchRecords,
    ...(topic === undefined ? {} : { topic }),
    ...(targetIndex === undefined ? {} : { targetIndex }),
    ...(checkpointKey === undefined ? {} : { checkpointKey }),
  };
  const hasSince = input.since !== undefined && input.since !== null;
  const hasUntil = input.until !== undefined && input.until !== null;
  if (source === ReplaySources.deadLetters) {
    if (hasSince || hasUntil) throw new ReplayRequestError('since/until apply to the archive only');
    return request;
  }
  if (topic === undefined) throw new ReplayRequestError('an archive replay needs a topic');
  if (!hasSince)
    throw new ReplayRequestError('an archive replay needs since (the archive is listed hour by hour)');
  const sinceMs = parseReplayTime(input.since, 'since', now);
  const untilMs = hasUntil ? parseReplayTime(input.until, 'until', now) : undefined;
  if (untilMs !== undefined && untilMs <= sinceMs) throw new ReplayRequestError('until must be after since');
  return { ...request, sinceMs, ...(untilMs === undefined ? {} : { untilMs }) };
}
