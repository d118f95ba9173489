// The replay checkpoint: per partition, the highest offset whose record is settled (indexed,
// duplicate, dead-lettered or dropped). Objects are replayed in offset order per partition, so
// this one number says where a resumed replay starts; the deterministic ids make any overlap a 409.

import { createHash } from 'node:crypto';
import { partitionId } from '../kafka/batch-response.ts';
import { CheckpointError } from './errors.ts';
import type { ReplayRequest } from './request.ts';

export const DEFAULT_CHECKPOINT_PREFIX = 'replay-checkpoints/';

export interface ReplayTotals {
  /** Lines read from objects. */
  read: number;
  /** Records handed to the pipeline. */
  replayed: number;
  /** At or below the partition's high-water mark: replayed before, or listed twice. */
  skipped: number;
  /** Outside since/until. */
  outOfRange: number;
  /** Lines that are not archive or dead-letter lines. */
  badLines: number;
  /** Dead letters of undecodable records: their bytes are the event's text, not a value. */
  undecodable: number;
  indexed: number;
  duplicates: number;
  deadLettered: number;
  dropped: number;
  reported: number;
  /** For a dry run: records the pipeline would write. */
  wouldWrite: number;
  objects: number;
  /** Compressed bytes read. */
  bytes: number;
}

export function emptyTotals(): ReplayTotals {
  return {
    read: 0,
    replayed: 0,
    skipped: 0,
    outOfRange: 0,
    badLines: 0,
    undecodable: 0,
    indexed: 0,
    duplicates: 0,
    deadLettered: 0,
    dropped: 0,
    reported: 0,
    wouldWrite: 0,
    objects: 0,
    bytes: 0,
  };
}

export const CheckpointStatuses = { running: 'running', done: 'done' } as const;
export type CheckpointStatus = (typeof CheckpointStatuses)[keyof typeof CheckpointStatuses];

export interface ReplayCheckpoint {
  version: 1;
  /** The request it belongs to (`requestFingerprint`). */
  request: string;
  status: CheckpointStatus;
  /** `"<topic>-<partition>"` → highest settled offset. */
  highWater: Record<string, number>;
  totals: ReplayTotals;
  updatedAt: string;
}

/** What identifies a replay for resuming: source, topic, range and target, not the run's flags. */
export function requestFingerprint(request: ReplayRequest): string {
  return JSON.stringify({
    source: request.source,
    topic: request.topic ?? null,
    since: request.sinceMs ?? null,
    until: request.untilMs ?? null,
    targetIndex: request.targetIndex ?? null,
  });
}

export function checkpointKey(prefix: string, request: ReplayRequest): string {
  if (request.checkpointKey !== undefined) return request.checkpointKey;
  const hash = createHash('sha256').update(requestFingerprint(request)).digest('hex').slice(0, 16);
  return `${prefix}${request.source}/${request.topic ?? 'all'}/${hash}.json`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a stored checkpoint and checks that it belongs to `request`. */
export function parseCheckpoint(text: string, request: ReplayRequest): ReplayCheckpoint {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CheckpointError(
      `the checkpoint is not JSON (${(error as Error).message}); use restart to start over`,
      { cause: error },
    );
  }
  if (!isObject(raw) || raw.version !== 1 || !isObject(raw.highWater) || !isObject(raw.totals)) {
    throw new CheckpointError(
      'the checkpoint is not a version 1 replay checkpoint; use restart to start over',
    );
  }
  const fingerprint = requestFingerprint(request);
  if (raw.request !== fingerprint) {
    throw new CheckpointError(
      `the checkpoint belongs to another replay (${String(raw.request)}); use another checkpoint key or restart`,
    );
  }
  const highWater: Record<string, number> = {};
  for (const [id, offset] of Object.entries(raw.highWater)) {
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < -1) {
      throw new CheckpointError(`the checkpoint's offset for ${id} is not an offset`);
    }
    Object.defineProperty(highWater, id, {
      value: offset,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const totals = emptyTotals();
  for (const name of Object.keys(totals) as Array<keyof ReplayTotals>) {
    const value = raw.totals[name];
    if (typeof value === 'number' && Number.isFinite(value)) totals[name] = value;
  }
  return {
    version: 1,
    request: fingerprint,
    status: raw.status === CheckpointStatuses.done ? CheckpointStatuses.done : CheckpointStatuses.running,
    highWater,
    totals,
    updatedAt: typeof raw.updatedAt === 'string' ? raw.updatedAt : '',
  };
}

/** Per-partition high-water marks; an offset at or below its mark is already settled. */
export class HighWater {
  readonly #marks = new Map<string, number>();

  constructor(initial: Record<string, number> = {}) {
    for (const [id, offset] of Object.entries(initial)) this.#marks.set(id, offset);
  }

  covers(coords: { topic: string; partition: number; offset: number }): boolean {
    const mark = this.#marks.get(partitionId(coords));
    return mark !== undefined && coords.offset <= mark;
  }

  raise(coords: { topic: string; partition: number; offset: number }): void {
    const id = partitionId(coords);
    const mark = this.#marks.get(id);
    if (mark === undefined || coords.offset > mark) this.#marks.set(id, coords.offset);
  }

  toJSON(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, offset] of [...this.#marks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      Object.defineProperty(out, id, { value: offset, enumerable: true, writable: true, configurable: true });
    }
    return out;
  }
}
