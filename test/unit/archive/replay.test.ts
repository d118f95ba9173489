import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { type CheckpointStore, type ObjectSource, splitLines } from '../../../functions/adapters/archive.ts';
import { archiveObjects } from '../../../functions/core/archive/objects.ts';
import type { ListedObject } from '../../../functions/core/archive/plan.ts';
import { parseReplayRequest } from '../../../functions/core/archive/request.ts';
import { sourceText } from '../../../functions/core/bulk/encode.ts';
import type { IndexBatchOptions } from '../../../functions/core/bulk/index-batch.ts';
import type { DeadLetterEntry } from '../../../functions/core/bulk/types.ts';
import type { KafkaRecord } from '../../../functions/core/kafka/types.ts';
import { parsePipelineConfig } from '../../../functions/core/pipeline/config.ts';
import { createPrepareCounters, prepareRecord } from '../../../functions/core/pipeline/prepare.ts';
import { type ReplayDeps, replay } from '../../../functions/replay/replay.ts';
import { FakeClock, FakeDeadLetterStore, FakeOpenSearch, type RequestFate } from '../bulk/fakes.ts';
import { record } from './arbitraries.ts';

// The replay loop over in-memory gzip objects, the real pipeline config and the fake OpenSearch
// (create twice → 409), so ids, documents and idempotence are checked without a server.

const repo = path.resolve(import.meta.dirname, '../../..');
const NOW = Date.UTC(2026, 10, 21, 20);
const config = () =>
  parsePipelineConfig(parseYaml(readFileSync(path.join(repo, 'infra/pipelines.yaml'), 'utf8')), {
    now: () => NOW,
  });

class MemoryBucket implements ObjectSource, CheckpointStore {
  readonly objects = new Map<string, Buffer>();
  reads = 0;

  putLines(key: string, lines: string[]): void {
    this.objects.set(key, gzipSync(lines.map((l) => `${l}\n`).join('')));
  }

  async *list(prefix: string): AsyncIterable<ListedObject> {
    for (const [key, body] of [...this.objects].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (key.startsWith(prefix)) yield { key, size: body.length };
    }
  }

  async *lines(key: string, onBytes?: (n: number) => void): AsyncIterable<string> {
    const body = this.objects.get(key)!;
    this.reads++;
    onBytes?.(body.length);
    const { createGunzip } = await import('node:zlib');
    yield* splitLines(Readable.from([body]).pipe(createGunzip()));
  }

  async load(key: string) {
    return this.objects.get(key)?.toString('utf8');
  }

  async save(key: string, text: string) {
    this.objects.set(key, Buffer.from(text));
  }
}

const options: IndexBatchOptions = {
  maxChunkBytes: 1 << 20,
  concurrency: 2,
  safetyMarginMs: 0,
  maxAttempts: 1,
  baseDelayMs: 1,
  maxDelayMs: 1,
  requestTimeoutMs: 1000,
  deadLetterPrefix: 'dead-letters/',
};

function setup(bucket: MemoryBucket, requestFate?: () => RequestFate) {
  const clock = new FakeClock(Number.MAX_SAFE_INTEGER);
  clock.now = NOW;
  const os = new FakeOpenSearch({ clock, ...(requestFate ? { requestFate } : {}) });
  const deadLetters = new FakeDeadLetterStore();
  const deps: ReplayDeps = {
    source: bucket,
    checkpoints: bucket,
    config: config(),
    index: {
      transport: os,
      deadLetters,
      clock: { now: () => clock.now },
      sleep: clock.sleep,
      random: () => 0.5,
      remainingMs: clock.remainingMs,
    },
    indexOptions: options,
    prefixes: { archive: 'raw/', deadLetters: 'dead-letters/', checkpoints: 'replay-checkpoints/' },
  };
  return { os, deadLetters, deps, clock };
}

function appRecords(count: number, partitions = 2): KafkaRecord[] {
  return Array.from({ length: count }, (_, i) =>
    record(Math.floor(i / partitions), {
      partition: i % partitions,
      value: Buffer.from(
        JSON.stringify({
          '@timestamp': '2026-11-20T12:00:00Z',
          message: `event ${i}`,
          service: { name: 'shop' },
          seq: i,
        }),
      ),
      headers: { trace: `t${i}` },
      key: Buffer.from(`k${i}`),
    }),
  );
}

function archive(bucket: MemoryBucket, records: KafkaRecord[], maxObjectBytes = 1 << 20) {
  for (const o of archiveObjects(records, { prefix: 'raw/', maxObjectBytes })) {
    bucket.objects.set(o.key, gzipSync(o.body));
  }
}

/** What the ingest would have written for these records: index/id → source. */
function expectedDocuments(records: KafkaRecord[]): Map<string, string> {
  const out = new Map<string, string>();
  const counters = createPrepareCounters();
  const cfg = config();
  for (const r of records) {
    const p = prepareRecord(r, cfg, counters, { now: NOW });
    if (p.kind === 'write') out.set(`${p.index}/${p.id}`, sourceText(p.source));
  }
  return out;
}

const request = (extra: Record<string, unknown> = {}) =>
  parseReplayRequest(
    {
      source: 'archive',
      topic: 'app-logs',
      since: '2026-11-20T00:00:00Z',
      until: '2026-11-21T00:00:00Z',
      batchRecords: 7,
      ...extra,
    },
    NOW,
  );

describe('replay from the archive', () => {
  it('writes the same ids and documents the ingest would have, and checkpoints done', async () => {
    const bucket = new MemoryBucket();
    const records = appRecords(40);
    archive(bucket, records, 600);
    const { os, deps } = setup(bucket);
    const progress: number[] = [];
    const result = await replay(request(), { ...deps, progress: (p) => progress.push(p.records) });
    expect(result.status).toBe('done');
    expect(result.totals).toMatchObject({ read: 40, replayed: 40, indexed: 40, duplicates: 0, skipped: 0 });
    expect(os.documents).toEqual(expectedDocuments(records));
    expect(progress.at(-1)).toBe(40);
    // The checkpoint says done: running it again reads nothing.
    const reads = bucket.reads;
    expect((await replay(request(), deps)).status).toBe('already_done');
    expect(bucket.reads).toBe(reads);
    // restart replays everything again: all 409 duplicates, nothing new.
    const again = await replay(request({ restart: true }), deps);
    expect(again.totals).toMatchObject({ indexed: 0, duplicates: 40 });
    expect(os.accepted).toHaveLength(40);
  });

  it('an interrupted replay resumes from the checkpoint and ends with the same documents, none twice', async () => {
    const bucket = new MemoryBucket();
    const records = appRecords(60, 3);
    archive(bucket, records, 500);
    let sends = 0;
    // The fourth bulk request and every one after it fail: the run stops with work left.
    const broken = setup(bucket, () => (++sends >= 4 ? { kind: 'reject' } : { kind: 'answer' }));
    const first = await replay(request(), broken.deps);
    expect(first.status).toBe('incomplete');
    expect(first.totals.indexed).toBeGreaterThan(0);
    expect(first.totals.indexed).toBeLessThan(60);

    const healthy = setup(bucket);
    for (const [k, v] of broken.os.documents) healthy.os.documents.set(k, v);
    const second = await replay(request(), healthy.deps);
    expect(second.status).toBe('done');
    expect(second.resumed).toBe(true);
    // Only what was not settled is sent again.
    expect(second.totals.indexed + second.totals.duplicates).toBeLessThan(60);
    expect(second.cumulative.indexed).toBe(60);
    expect(healthy.os.documents).toEqual(expectedDocuments(records));
    expect(new Set([...broken.os.accepted, ...healthy.os.accepted]).size).toBe(
      broken.os.accepted.length + healthy.os.accepted.length,
    );
  });

  it('an object re-archived by a redelivery is read past, not replayed twice', async () => {
    const bucket = new MemoryBucket();
    const records = appRecords(20, 1);
    archive(bucket, records.slice(0, 10));
    archive(bucket, records.slice(5, 20)); // redelivery from offset 5: 5-19 overlaps 0-9
    const { os, deps } = setup(bucket);
    const result = await replay(request(), deps);
    expect(result.totals).toMatchObject({ read: 25, skipped: 5, replayed: 20, indexed: 20, duplicates: 0 });
    expect(os.documents.size).toBe(20);
  });

  it('keeps to since/until by Kafka timestamp within the listed hours', async () => {
    const bucket = new MemoryBucket();
    const t = (m: number) => Date.UTC(2026, 10, 20, 12, m);
    const records = [0, 10, 20, 30, 70].map((m, i) => record(i, { timestamp: t(m) }));
    archive(bucket, records);
    const { os, deps } = setup(bucket);
    const result = await replay(
      request({ since: '2026-11-20T12:10:00Z', until: '2026-11-20T12:30:00Z' }),
      deps,
    );
    // 13:10 lies in an hour that is not even listed; 12:00 and 12:30 are read and left out.
    expect(result.totals).toMatchObject({ read: 4, replayed: 2, outOfRange: 2 });
    expect([...os.documents.keys()].map((k) => k.split('/')[1])).toEqual(['app-logs:0:1', 'app-logs:0:2']);
  });

  it('dry run: counts per index, sends nothing, stores no checkpoint', async () => {
    const bucket = new MemoryBucket();
    archive(bucket, [
      ...appRecords(6),
      record(99, { value: null }),
      record(100, { value: Buffer.from([0xff, 0xfe]) }),
    ]);
    const { os, deps } = setup(bucket);
    const result = await replay(request({ dryRun: true }), deps);
    expect(result.totals).toMatchObject({ wouldWrite: 6, dropped: 1, deadLettered: 1, indexed: 0 });
    expect(result.indexes).toEqual({ 'logs-shop-2026.11.20': 6 });
    expect(os.bodies).toHaveLength(0);
    expect([...bucket.objects.keys()].some((k) => k.startsWith('replay-checkpoints/'))).toBe(false);
  });

  it('target index overrides routing, ids stay', async () => {
    const bucket = new MemoryBucket();
    archive(bucket, appRecords(4));
    const { os, deps } = setup(bucket);
    await replay(request({ targetIndex: 'restored' }), deps);
    expect([...os.documents.keys()].sort()).toEqual([
      'restored/app-logs:0:0',
      'restored/app-logs:0:1',
      'restored/app-logs:1:0',
      'restored/app-logs:1:1',
    ]);
  });

  it('counts lines that are not archive lines and goes on', async () => {
    const bucket = new MemoryBucket();
    const good = archiveObjects(appRecords(2, 1), { prefix: 'raw/', maxObjectBytes: 1 << 20 })[0]!;
    bucket.putLines(good.key, ['{"not":"a record"}', ...good.body.trim().split('\n'), 'garbage']);
    const { os, deps } = setup(bucket);
    const result = await replay(request(), deps);
    expect(result.totals).toMatchObject({ badLines: 2, indexed: 2 });
    expect(result.badLines[0]).toMatch(/:1: topic/);
    expect(os.documents.size).toBe(2);
  });
});

describe('replay from dead letters', () => {
  const entry = (
    offset: number,
    value: string | null,
    extra: Partial<DeadLetterEntry> = {},
  ): DeadLetterEntry => ({
    topic: 'app-logs',
    partition: 0,
    offset,
    pipeline: 'app-json',
    errorType: 'mapper_parsing_exception',
    reason: 'failed to parse',
    original: value === null ? null : Buffer.from(value).toString('base64'),
    time: '2026-11-20T12:00:00.000Z',
    ...extra,
  });

  it('rebuilds records from original and coordinates, with the entry pipeline; undecodable ones are skipped', async () => {
    const bucket = new MemoryBucket();
    const doc = (i: number) =>
      JSON.stringify({ '@timestamp': '2026-11-20T12:00:00Z', message: `m${i}`, service: { name: 'shop' } });
    bucket.putLines(`dead-letters/topic=app-logs/partition=0/0-9.ndjson.gz`, [
      JSON.stringify(entry(3, doc(3))),
      JSON.stringify(entry(5, 'AAAA', { errorType: 'decode_error' })),
    ]);
    // The same record dead-lettered again by a later delivery, and an nginx line under its own pipeline.
    bucket.putLines(`dead-letters/topic=app-logs/partition=0/3-12.ndjson.gz`, [
      JSON.stringify(entry(3, doc(3))),
      JSON.stringify(entry(12, doc(12))),
    ]);
    const nginx = '203.0.113.9 - - [20/Nov/2026:12:00:00 +0000] "GET / HTTP/1.1" 200 12 "-" "curl/8.5.0"';
    bucket.putLines(`dead-letters/topic=web/partition=1/7-7.ndjson.gz`, [
      JSON.stringify(entry(7, nginx, { topic: 'web', partition: 1, pipeline: 'nginx' })),
    ]);
    const { os, deps } = setup(bucket);
    const result = await replay(parseReplayRequest({ source: 'dead-letters' }, NOW), deps);
    expect(result.status).toBe('done');
    expect(result.totals).toMatchObject({ read: 5, undecodable: 1, skipped: 1, replayed: 3, indexed: 3 });
    expect([...os.documents.keys()].sort()).toEqual([
      'logs-nginx-2026.11.20/web:1:7',
      'logs-shop-2026.11.20/app-logs:0:12',
      'logs-shop-2026.11.20/app-logs:0:3',
    ]);
  });
});

describe('replay checkpoints of open-ended requests', () => {
  it('a finished dead-letter replay starts over next time (after another fix, say)', async () => {
    const bucket = new MemoryBucket();
    const value = JSON.stringify({
      '@timestamp': '2026-11-20T12:00:00Z',
      message: 'm',
      service: { name: 'shop' },
    });
    bucket.putLines(`dead-letters/topic=app-logs/partition=0/0-0.ndjson.gz`, [
      JSON.stringify({
        topic: 'app-logs',
        partition: 0,
        offset: 0,
        pipeline: 'app-json',
        errorType: 'x',
        reason: '',
        original: Buffer.from(value).toString('base64'),
        time: '',
      }),
    ]);
    const { deps } = setup(bucket);
    const dl = parseReplayRequest({ source: 'dead-letters' }, NOW);
    expect((await replay(dl, deps)).totals.indexed).toBe(1);
    const second = await replay(dl, deps);
    expect(second.status).toBe('done');
    expect(second.resumed).toBe(false);
    expect(second.totals).toMatchObject({ replayed: 1, duplicates: 1 });
  });
});
