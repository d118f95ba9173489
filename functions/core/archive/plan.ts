// Replay planning: which prefixes to list, and the order to read what was listed in.

import { ReplayRequestError } from './errors.ts';
import { archiveHourPrefix, parseArchiveKey, parseDeadLetterKey } from './keys.ts';

const HOUR_MS = 3_600_000;
/** About 13 months of hours: a listing per hour, so a larger range is most likely a typo. */
export const MAX_REPLAY_HOURS = 24 * 400;

/** An object as listed: its key and stored (compressed) size. */
export interface ListedObject {
  key: string;
  size: number;
}

/** A listed object in replay order, with what its key says about it. */
export interface PlannedObject extends ListedObject {
  topic: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
}

/** One prefix per UTC hour that overlaps [sinceMs, untilMs). */
export function archivePrefixes(prefix: string, topic: string, sinceMs: number, untilMs: number): string[] {
  const first = Math.floor(sinceMs / HOUR_MS);
  const last = Math.ceil(untilMs / HOUR_MS) - 1;
  const hours = last - first + 1;
  if (hours > MAX_REPLAY_HOURS) {
    throw new ReplayRequestError(
      `the time range spans ${hours} hours; at most ${MAX_REPLAY_HOURS} per replay`,
    );
  }
  const out: string[] = [];
  for (let h = first; h <= last; h++) out.push(archiveHourPrefix(prefix, topic, Math.max(0, h) * HOUR_MS));
  return [...new Set(out)];
}

export function deadLetterPrefix(prefix: string, topic: string | undefined): string {
  return topic === undefined ? prefix : `${prefix}topic=${topic}/`;
}

function byCoordinates(a: PlannedObject, b: PlannedObject): number {
  if (a.topic !== b.topic) return a.topic < b.topic ? -1 : 1;
  return (
    a.partition - b.partition ||
    a.firstOffset - b.firstOffset ||
    a.lastOffset - b.lastOffset ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

/**
 * Archive objects in replay order: per topic and partition, by offset. Keys that are not archive
 * keys (or of another topic) are left out. Lexical key order would put `10-19` before `9-9`.
 */
export function planArchiveObjects(
  prefix: string,
  listed: readonly ListedObject[],
  topic?: string,
): PlannedObject[] {
  const planned: PlannedObject[] = [];
  for (const object of listed) {
    const parts = parseArchiveKey(prefix, object.key);
    if (parts === undefined || (topic !== undefined && parts.topic !== topic)) continue;
    planned.push({
      ...object,
      topic: parts.topic,
      partition: parts.partition,
      firstOffset: parts.firstOffset,
      lastOffset: parts.lastOffset,
    });
  }
  return dedupeKeys(planned.sort(byCoordinates));
}

/** Dead-letter objects in replay order; same rules as the archive. */
export function planDeadLetterObjects(
  prefix: string,
  listed: readonly ListedObject[],
  topic?: string,
): PlannedObject[] {
  const planned: PlannedObject[] = [];
  for (const object of listed) {
    const parts = parseDeadLetterKey(prefix, object.key);
    if (parts === undefined || (topic !== undefined && parts.topic !== topic)) continue;
    planned.push({ ...object, ...parts });
  }
  return dedupeKeys(planned.sort(byCoordinates));
}

/** Overlapping listings (two hour prefixes can't, but callers may concatenate) list a key once. */
function dedupeKeys(sorted: PlannedObject[]): PlannedObject[] {
  const seen = new Set<string>();
  return sorted.filter((o) => {
    if (seen.has(o.key)) return false;
    seen.add(o.key);
    return true;
  });
}
