// The replay loop: list, plan, stream each object's lines through the ingest pipeline and the bulk
// service, checkpointing per-partition high-water marks after every settled batch.

import type { CheckpointStore, ObjectSource } from '../adapters/archive.ts';
import {
  CheckpointStatuses,
  checkpointKey,
  emptyTotals,
  HighWater,
  parseCheckpoint,
  type ReplayCheckpoint,
  type ReplayTotals,
  requestFingerprint,
} from '../core/archive/checkpoint.ts';
import { ArchiveLineError } from '../core/archive/errors.ts';
import { decodeArchiveLine, decodeDeadLetterLine } from '../core/archive/line.ts';
import {
  archivePrefixes,
  deadLetterPrefix,
  type ListedObject,
  type PlannedObject,
  planArchiveObjects,
  planDeadLetterObjects,
} from '../core/archive/plan.ts';
import type { ReplayProgress } from '../core/archive/progress.ts';
import { type ReplayRequest, ReplaySources } from '../core/archive/request.ts';
import { type IndexBatchDeps, type IndexBatchOptions, indexBatch } from '../core/bulk/index-batch.ts';
import type { PreparedRecord } from '../core/bulk/types.ts';
import type { KafkaRecord } from '../core/kafka/types.ts';
import type { PipelineConfig } from '../core/pipeline/config.ts';
import { createPrepareCounters, type PrepareCounters, prepareRecord } from '../core/pipeline/prepare.ts';

const HOUR_MS = 3_600_000;

export interface ReplayPrefixes {
  archive: string;
  deadLetters: string;
  checkpoints: string;
}

export interface ReplayDeps {
  /** The bucket the request reads from (archive or dead letters). */
  source: ObjectSource;
  /** Where the checkpoint lives; unset = no checkpoint (nothing resumes). */
  checkpoints?: CheckpointStore;
  config: PipelineConfig;
  /** The bulk service's dependencies; `remainingMs` bounds the run (a function's time left). */
  index: IndexBatchDeps;
  indexOptions: IndexBatchOptions;
  prefixes: ReplayPrefixes;
  /** Called after every object and batch. */
  progress?: (progress: ReplayProgress, totals: ReplayTotals) => void;
}

export const ReplayStatuses = {
  /** Everything listed is settled. */
  done: 'done',
  /** The checkpoint already said done; nothing was read (use restart to run again). */
  alreadyDone: 'already_done',
  /** Stopped early (time ran out, or records could not be made durable): run again to resume. */
  incomplete: 'incomplete',
} as const;
export type ReplayStatus = (typeof ReplayStatuses)[keyof typeof ReplayStatuses];

export interface ReplayResult {
  status: ReplayStatus;
  /** This run only. */
  totals: ReplayTotals;
  /** Including earlier runs of the same checkpoint. */
  cumulative: ReplayTotals;
  prepare: PrepareCounters;
  /** For a dry run: how many documents would go to each index. */
  indexes: Record<string, number>;
  deadLetterKeys: string[];
  checkpointKey?: string;
  resumed: boolean;
  objects: number;
  /** Lines that could not be read, as `key:line: reason` (at most 20). */
  badLines: string[];
}

interface Pending {
  record: KafkaRecord;
  /** Unset for a record outside since/until: nothing to send, but the mark passes it in order. */
  prepared?: PreparedRecord;
}

function add(into: ReplayTotals, from: ReplayTotals): ReplayTotals {
  const out = { ...into };
  for (const name of Object.keys(out) as Array<keyof ReplayTotals>) out[name] += from[name];
  return out;
}

/** A closed archive range: once done, there is nothing new to read in it. */
function closedRange(request: ReplayRequest): boolean {
  return request.source === ReplaySources.archive && request.untilMs !== undefined;
}

/** A config that sends every topic to one named pipeline (a dead letter remembers its pipeline). */
function forcedPipeline(config: PipelineConfig, name: string): PipelineConfig | undefined {
  if (!config.pipelines.has(name)) return undefined;
  return { topics: [], defaultPipeline: name, pipelines: config.pipelines, selected: new Map() };
}

async function listAll(source: ObjectSource, prefixes: readonly string[]): Promise<ListedObject[]> {
  const out: ListedObject[] = [];
  for (const prefix of prefixes) for await (const object of source.list(prefix)) out.push(object);
  return out;
}

async function plan(request: ReplayRequest, deps: ReplayDeps, now: number): Promise<PlannedObject[]> {
  if (request.source === ReplaySources.archive) {
    const topic = request.topic!;
    // Open-ended: up to the end of the current hour, which is as far as the archive can reach.
    const until = request.untilMs ?? (Math.floor(now / HOUR_MS) + 1) * HOUR_MS;
    const prefixes = archivePrefixes(deps.prefixes.archive, topic, request.sinceMs!, until);
    return planArchiveObjects(deps.prefixes.archive, await listAll(deps.source, prefixes), topic);
  }
  const prefix = deadLetterPrefix(deps.prefixes.deadLetters, request.topic);
  return planDeadLetterObjects(
    deps.prefixes.deadLetters,
    await listAll(deps.source, [prefix]),
    request.topic,
  );
}

/**
 * Replays archive or dead-letter objects through `prepareRecord` and `indexBatch`, exactly as the
 * ingest would have, so ids (and with `create`, 409 duplicates) make it idempotent. Records at or
 * below a partition's high-water mark are skipped; the mark moves only past settled records.
 */
export async function replay(request: ReplayRequest, deps: ReplayDeps): Promise<ReplayResult> {
  const started = deps.index.clock.now();
  const key =
    request.dryRun || deps.checkpoints === undefined
      ? undefined
      : checkpointKey(deps.prefixes.checkpoints, request);
  let previous: ReplayCheckpoint | undefined;
  if (key !== undefined && !request.restart) {
    const text = await deps.checkpoints!.load(key);
    if (text !== undefined) previous = parseCheckpoint(text, request);
    // A finished open-ended replay (dead letters, or no `until`) may have more to read next time,
    // and its dead letters may have been re-dead-lettered since: it starts over; ids keep it idempotent.
    if (previous?.status === CheckpointStatuses.done && !closedRange(request)) previous = undefined;
  }
  const totals = emptyTotals();
  const prepare = createPrepareCounters();
  const indexes: Record<string, number> = {};
  const deadLetterKeys: string[] = [];
  const badLines: string[] = [];
  const earlier = previous?.totals ?? emptyTotals();
  const result = (status: ReplayStatus, objects: number): ReplayResult => ({
    status,
    totals,
    cumulative: add(earlier, totals),
    prepare,
    indexes,
    deadLetterKeys,
    ...(key === undefined ? {} : { checkpointKey: key }),
    resumed: previous !== undefined,
    objects,
    badLines,
  });
  if (previous?.status === CheckpointStatuses.done) return result(ReplayStatuses.alreadyDone, 0);

  // `settled` is what the checkpoint stores; `seen` also covers records read but not yet sent.
  const settled = new HighWater(previous?.highWater);
  const seen = new HighWater(previous?.highWater);
  const saveCheckpoint = async (status: ReplayCheckpoint['status']): Promise<void> => {
    if (key === undefined) return;
    const checkpoint: ReplayCheckpoint = {
      version: 1,
      request: requestFingerprint(request),
      status,
      highWater: settled.toJSON(),
      totals: add(earlier, totals),
      updatedAt: new Date(deps.index.clock.now()).toISOString(),
    };
    await deps.checkpoints!.save(key, JSON.stringify(checkpoint));
  };

  const objects = (await plan(request, deps, started)).filter(
    (o) => !settled.covers({ topic: o.topic, partition: o.partition, offset: o.lastOffset }),
  );
  const totalBytes = objects.reduce((n, o) => n + o.size, 0);
  const report = () =>
    deps.progress?.(
      {
        records: totals.replayed,
        bytes: totals.bytes,
        totalBytes,
        objects: totals.objects,
        totalObjects: objects.length,
        elapsedMs: deps.index.clock.now() - started,
      },
      totals,
    );

  let batch: Pending[] = [];
  /** Sends the batch; false when some record could not be made durable (stop and resume later). */
  const flush = async (): Promise<boolean> => {
    if (batch.length === 0) return true;
    const sending = batch;
    batch = [];
    if (request.dryRun) {
      for (const { prepared } of sending) {
        if (prepared === undefined) continue;
        if (prepared.kind === 'write') {
          totals.wouldWrite++;
          indexes[prepared.index] = (indexes[prepared.index] ?? 0) + 1;
        } else if (prepared.kind === 'dead_letter') totals.deadLettered++;
        else totals.dropped++;
      }
      report();
      return true;
    }
    const toSend = sending.filter((p): p is Required<Pending> => p.prepared !== undefined);
    const outcome = await indexBatch(
      toSend.map((p) => p.prepared),
      deps.index,
      deps.indexOptions,
    );
    const c = outcome.counters;
    totals.indexed += c.indexed;
    totals.duplicates += c.duplicates;
    totals.deadLettered += c.deadLettered;
    totals.dropped += c.dropped;
    totals.reported += c.reported;
    deadLetterKeys.push(...outcome.deadLetterKeys);
    // The mark moves up to (not past) the lowest unfinished record of each partition.
    const lowestReported = new Map<string, number>();
    toSend.forEach(({ record }, i) => {
      if (outcome.outcomes[i] !== 'reported') return;
      const id = `${record.topic}-${record.partition}`;
      lowestReported.set(id, Math.min(lowestReported.get(id) ?? Number.POSITIVE_INFINITY, record.offset));
    });
    for (const { record } of sending) {
      const low = lowestReported.get(`${record.topic}-${record.partition}`);
      if (low === undefined || record.offset < low) settled.raise(record);
    }
    await saveCheckpoint(CheckpointStatuses.running);
    report();
    return lowestReported.size === 0;
  };

  const now = started;
  const timeLeft = () => deps.index.remainingMs() - deps.indexOptions.safetyMarginMs;
  for (const object of objects) {
    // Leave the rest to the next run rather than start an object the time cannot cover.
    if (!request.dryRun && timeLeft() <= 0) {
      if (!(await flush())) return result(ReplayStatuses.incomplete, objects.length);
      await saveCheckpoint(CheckpointStatuses.running);
      return result(ReplayStatuses.incomplete, objects.length);
    }
    let lineNumber = 0;
    for await (const line of deps.source.lines(object.key, (n) => {
      totals.bytes += n;
    })) {
      lineNumber++;
      if (line.trim() === '') continue;
      totals.read++;
      let record: KafkaRecord;
      let config = deps.config;
      try {
        if (request.source === ReplaySources.archive) {
          record = decodeArchiveLine(line);
        } else {
          const decoded = decodeDeadLetterLine(line);
          record = decoded.record;
          if (decoded.entry.errorType === 'decode_error') {
            totals.undecodable++;
            continue;
          }
          if (decoded.entry.pipeline !== '')
            config = forcedPipeline(deps.config, decoded.entry.pipeline) ?? deps.config;
        }
      } catch (error) {
        if (!(error instanceof ArchiveLineError)) throw error;
        totals.badLines++;
        if (badLines.length < 20) badLines.push(`${object.key}:${lineNumber}: ${error.message}`);
        continue;
      }
      if (request.topic !== undefined && record.topic !== request.topic) continue;
      if (seen.covers(record)) {
        totals.skipped++;
        continue;
      }
      seen.raise(record);
      if (
        request.source === ReplaySources.archive &&
        (record.timestamp < request.sinceMs! ||
          (request.untilMs !== undefined && record.timestamp >= request.untilMs))
      ) {
        totals.outOfRange++;
        batch.push({ record });
        continue;
      }
      let prepared = prepareRecord(record, config, prepare, { now });
      if (request.targetIndex !== undefined && prepared.kind === 'write') {
        // The pre-encoded item names the routed index: dropped, so the chunk writer encodes anew.
        prepared = { ...prepared, index: request.targetIndex, item: undefined };
      }
      totals.replayed++;
      batch.push({ record, prepared });
      if (batch.length >= request.batchRecords && !(await flush())) {
        return result(ReplayStatuses.incomplete, objects.length);
      }
    }
    totals.objects++;
    report();
  }
  if (!(await flush())) return result(ReplayStatuses.incomplete, objects.length);
  if (!request.dryRun) await saveCheckpoint(CheckpointStatuses.done);
  return result(ReplayStatuses.done, objects.length);
}
