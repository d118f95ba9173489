import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Types } from '@opensearch-project/opensearch';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createArchiveWriter,
  createS3CheckpointStore,
  createS3ObjectSource,
  putObject,
  readArchiveSettings,
} from '../../../functions/adapters/archive.ts';
import { decodeArchiveLine } from '../../../functions/core/archive/line.ts';
import { parseReplayRequest } from '../../../functions/core/archive/request.ts';
import { createReplayApp } from '../../../functions/replay/app.ts';
import { createReplayHandler } from '../../../functions/replay/handler.ts';
import { LocalBuckets } from '../../../infra/local/s3.ts';
import { generateLines } from '../../../infra/local/samples.ts';
import { allDocs, records } from '../ingest/support.ts';
import { type ArchiveHarness, repo, startArchiveHarness } from './support.ts';

// Raw archive and replay end to end against s3rver and the local OpenSearch-compatible server.
// Each test uses its own topics so indices, archive keys and dead letters never collide.

const T0 = Date.UTC(2026, 10, 20, 12, 30);
const RANGE = { since: '2026-11-20T00:00:00Z', until: '2026-11-21T00:00:00Z' };

let h: ArchiveHarness;
beforeAll(async () => {
  h = await startArchiveHarness();
});
afterAll(async () => {
  await h?.close();
});

async function listKeys(bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const o of createS3ObjectSource(h.s3, bucket).list(prefix)) out.push(o.key);
  return out;
}

type Mapping = Types.Common_Mapping.Property;
type Doc = { _id: string; _source: Record<string, unknown> };
const byId = (docs: Doc[]) => new Map(docs.map((d) => [d._id, d._source]));

async function replayApp(request: Record<string, unknown>) {
  const app = await createReplayApp(h.env);
  try {
    return await app.run(parseReplayRequest(request, Date.now()));
  } finally {
    app.close();
  }
}

describe('raw archive', () => {
  it('writes each batch as gzip NDJSON under deterministic keys; a redelivered batch overwrites', async () => {
    const input = records('arch-keys', generateLines('json', 30, { endMs: T0 }), 2, T0);
    await h.ingest(input);
    const keys = await listKeys(LocalBuckets.archive, 'raw/topic=arch-keys/');
    expect(keys.sort()).toEqual([
      'raw/topic=arch-keys/dt=2026-11-20/hour=12/partition=0/0-14.ndjson.gz',
      'raw/topic=arch-keys/dt=2026-11-20/hour=12/partition=1/0-14.ndjson.gz',
    ]);
    const got = await h.s3.send(new GetObjectCommand({ Bucket: LocalBuckets.archive, Key: keys[0] }));
    const lines = gunzipSync(await got.Body!.transformToByteArray())
      .toString('utf8')
      .trim()
      .split('\n');
    const original = input.filter((r) => r.partition === 0);
    expect(lines.map(decodeArchiveLine)).toEqual(original.map((r) => ({ ...r, key: null, headers: {} })));
    await h.ingest(input);
    expect((await listKeys(LocalBuckets.archive, 'raw/topic=arch-keys/')).sort()).toEqual(keys.sort());
  });

  it('multipart objects and streaming reads are byte-exact', async () => {
    const body = randomBytes(11 * 1024 * 1024 + 17);
    await putObject(h.s3, 'raw/multipart-test.bin', body, {
      bucket: LocalBuckets.archive,
      partBytes: 5 * 1024 * 1024,
    });
    const got = await h.s3.send(
      new GetObjectCommand({ Bucket: LocalBuckets.archive, Key: 'raw/multipart-test.bin' }),
    );
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);

    // A batch whose archive object is larger than one part: multipart, then read back line by line.
    const settings = { ...readArchiveSettings(h.env)!, partBytes: 5 * 1024 * 1024 };
    const big = records(
      'arch-big',
      Array.from({ length: 40 }, () => randomBytes(200_000).toString('base64')),
      1,
      T0,
    );
    const written = await createArchiveWriter(h.s3, settings).write(big.map((r) => ({ ...r, headers: {} })));
    expect(written.failures).toEqual([]);
    expect(written.bytes).toBeGreaterThan(5 * 1024 * 1024);
    let bytes = 0;
    const read = [];
    for await (const line of createS3ObjectSource(h.s3, LocalBuckets.archive).lines(written.keys[0]!, (n) => {
      bytes += n;
    })) {
      read.push(decodeArchiveLine(line));
    }
    expect(bytes).toBe(written.bytes);
    expect(read.map((r) => r.value!.equals(big[r.offset]!.value!))).toEqual(big.map(() => true));
  });

  it('splits a batch into objects below ARCHIVE_MAX_OBJECT_BYTES', async () => {
    await h.ingest(records('arch-split', generateLines('json', 40, { endMs: T0 }), 1, T0), {
      ARCHIVE_MAX_OBJECT_BYTES: '4096',
    });
    const keys = await listKeys(LocalBuckets.archive, 'raw/topic=arch-split/');
    expect(keys.length).toBeGreaterThan(2);
    const ranges = keys.map(
      (k) => /\/(\d+)-(\d+)\.ndjson\.gz$/.exec(k)!.slice(1).map(Number) as [number, number],
    );
    ranges.sort((a, b) => a[0] - b[0]);
    expect(ranges[0]![0]).toBe(0);
    expect(ranges.at(-1)![1]).toBe(39);
    for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBe(ranges[i - 1]![1] + 1);
  });

  it('a failed archive write reports the partitions for redelivery (report) or is only counted (continue)', async () => {
    const input = records('arch-fail', generateLines('json', 10, { endMs: T0 }), 2, T0);
    await h.ingest(input, { ARCHIVE_BUCKET: 'no-such-bucket', ARCHIVE_ON_FAILURE: 'continue' });
    const last = h.batches.at(-1)!;
    expect(last.archived.failures.map((f) => [f.partition, f.firstOffset])).toEqual(
      expect.arrayContaining([
        [0, 0],
        [1, 0],
      ]),
    );
    expect(last.response.batchItemFailures).toEqual([]);

    h.batches.length = 0;
    const sim = await h.ingest(input, { ARCHIVE_BUCKET: 'no-such-bucket' });
    expect(h.batches[0]!.response.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'arch-fail-0', offset: 0 } },
      { itemIdentifier: { partition: 'arch-fail-1', offset: 0 } },
    ]);
    // The ESM keeps redelivering; OpenSearch answers duplicates, nothing is indexed twice.
    expect(sim.stats.redeliveries).toBeGreaterThan(0);
    expect(await allDocs(h.client, 'logs-*')).toEqual(expect.any(Array));
    const docs = (await allDocs(h.client, 'logs-*')).filter((d) => d._id.startsWith('arch-fail:'));
    expect(docs).toHaveLength(10);
  });
});

describe('replay', () => {
  it('from the archive after the index is deleted: same ids, same documents', async () => {
    const input = [
      ...records('app-logs', generateLines('json', 120, { endMs: T0, seed: 1 }), 3, T0),
      ...records('nginx.access', generateLines('nginx', 80, { endMs: T0, seed: 2 }), 2, T0),
      ...records('syslog.auth', generateLines('syslog', 60, { endMs: T0, seed: 3 }), 2, T0),
    ];
    await h.ingest(input);
    const before = byId((await allDocs(h.client, 'logs-*')) as Doc[]);
    const ours = [...before.keys()].filter((id) => /^(app-logs|nginx\.access|syslog\.auth):/.test(id));
    expect(ours).toHaveLength(260);
    await h.client.indices.delete({ index: 'logs-*' });

    for (const topic of ['app-logs', 'nginx.access', 'syslog.auth']) {
      const result = await replayApp({ source: 'archive', topic, ...RANGE });
      expect(result.status).toBe('done');
      expect(result.totals.duplicates).toBe(0);
    }
    await h.client.indices.refresh({ index: '_all' });
    const after = byId((await allDocs(h.client, 'logs-*')) as Doc[]);
    expect(after.size).toBe(260);
    for (const id of ours) expect(after.get(id)).toEqual(before.get(id));

    // Once more, from scratch: every record is a 409 duplicate, the index unchanged.
    const again = await replayApp({ source: 'archive', topic: 'app-logs', ...RANGE, restart: true });
    expect(again.totals).toMatchObject({ indexed: 0, duplicates: 120 });
  });

  it('dead letters of a mapping conflict are indexed once the mapping is fixed', async () => {
    const properties: Record<string, Mapping> = {
      '@timestamp': { type: 'date' },
      message: { type: 'text' },
      seq: { type: 'long' },
      service: { properties: { name: { type: 'keyword' } } },
      kafka: {
        properties: {
          topic: { type: 'keyword' },
          partition: { type: 'integer' },
          offset: { type: 'long' },
          timestamp: { type: 'date' },
        },
      },
    };
    await h.client.indices.putIndexTemplate({
      name: 'it-dlq',
      body: { index_patterns: ['logs-dlq-*'], template: { mappings: { dynamic: 'strict', properties } } },
    });
    const line = (i: number, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        '@timestamp': '2026-11-20T12:00:00Z',
        message: `event ${i}`,
        service: { name: 'dlq' },
        seq: i,
        ...extra,
      });
    const values = Array.from({ length: 20 }, (_, i) =>
      i % 4 === 3 ? line(i, { user: { tier: 'gold' } }) : line(i),
    );
    await h.ingest(records('it-dlq', values, 2, T0));
    expect((await allDocs(h.client, 'logs-dlq-*')).length).toBe(15);
    const dead = await listKeys(LocalBuckets.deadLetters, 'dead-letters/topic=it-dlq/');
    expect(dead.length).toBeGreaterThan(0);

    // The fix: the template gains the field, and so does the live index (a template only shapes new ones).
    const user: Mapping = { properties: { tier: { type: 'keyword' } } };
    const fixed = { ...properties, user };
    await h.client.indices.putIndexTemplate({
      name: 'it-dlq',
      body: {
        index_patterns: ['logs-dlq-*'],
        template: { mappings: { dynamic: 'strict', properties: fixed } },
      },
    });
    await h.client.indices.putMapping({ index: 'logs-dlq-*', body: { properties: { user } } });

    const result = await replayApp({ source: 'dead-letters', topic: 'it-dlq' });
    expect(result.status).toBe('done');
    expect(result.totals).toMatchObject({ replayed: 5, indexed: 5, deadLettered: 0 });
    await h.client.indices.refresh({ index: '_all' });
    const docs = byId((await allDocs(h.client, 'logs-dlq-*')) as Doc[]);
    expect(docs.size).toBe(20);
    for (const offset of [1, 3, 5, 7, 9]) {
      // Values 3, 7, 11, 15, 19 were the conflicting ones: partition 1, offsets 1, 3, 5, 7, 9.
      // Replayed from the dead-letter entry with the record's own Kafka timestamp.
      expect(docs.get(`it-dlq:1:${offset}`)).toMatchObject({
        seq: offset * 2 + 1,
        user: { tier: 'gold' },
        kafka: { timestamp: new Date(T0 + offset * 2 + 1).toISOString() },
      });
    }
  });

  it('an interrupted CLI replay (SIGKILL) resumes and ends with the same documents, no duplicates', async () => {
    const input = records('it-resume', generateLines('json', 3000, { endMs: T0, seed: 9 }), 3, T0);
    await h.ingest(input);
    const before = byId((await allDocs(h.client, 'logs-*')) as Doc[]);
    const ids = [...before.keys()].filter((id) => id.startsWith('it-resume:'));
    expect(ids).toHaveLength(3000);
    await h.client.indices.delete({ index: 'logs-*' });

    const args = [
      '--from-archive',
      '--topic',
      'it-resume',
      '--since',
      RANGE.since,
      '--until',
      RANGE.until,
      '--batch-records',
      '50',
    ];
    const env = { ...process.env, ...h.env, POWERTOOLS_LOG_LEVEL: 'SILENT' };
    const cli = (extra: string[] = []): ChildProcess =>
      spawn(process.execPath, [path.join(repo, 'infra/local/replay.ts'), ...args, ...extra], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const checkpoints = createS3CheckpointStore(h.s3, LocalBuckets.archive);
    const checkpointKey = async () => {
      const listed = await h.s3.send(
        new ListObjectsV2Command({
          Bucket: LocalBuckets.archive,
          Prefix: 'replay-checkpoints/archive/it-resume/',
        }),
      );
      return listed.Contents?.[0]?.Key;
    };

    // Slow bulk requests so that the kill lands mid-way.
    await h.client.transport.request({
      method: 'PUT',
      path: '/_sluice/faults',
      body: { seed: 1, delay_ms: 150, paths: ['/_bulk'] },
    });
    const first = cli();
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    type Stored = { status: string; totals: { indexed: number } };
    let state = undefined as Stored | undefined;
    for (let i = 0; i < 400 && state === undefined; i++) {
      await new Promise((r) => setTimeout(r, 25));
      // s3rver serves a file while the CLI rewrites it (reset or half a file; S3 itself is atomic).
      const parsed = await checkpointKey()
        .then(async (key) =>
          key ? (JSON.parse((await checkpoints.load(key)) ?? 'null') as Stored | null) : null,
        )
        .catch(() => null);
      if (parsed && parsed.totals.indexed >= 300) state = parsed;
    }
    first.kill('SIGKILL');
    expect(await exited).toBeNull();
    await h.client.transport.request({ method: 'DELETE', path: '/_sluice/faults' });
    expect(state?.status).toBe('running');
    await h.client.indices.refresh({ index: '_all' });
    const partial = (await allDocs(h.client, 'logs-*')).length;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(3000);

    const second = cli(['--quiet']);
    let stdout = '';
    second.stdout!.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => second.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    const summary = JSON.parse(stdout) as {
      status: string;
      resumed: boolean;
      totals: { replayed: number; indexed: number; duplicates: number };
      cumulative: { indexed: number };
    };
    expect(summary.status).toBe('done');
    expect(summary.resumed).toBe(true);
    expect(summary.totals.replayed).toBeLessThan(3000);
    expect(summary.totals.indexed + summary.totals.duplicates).toBe(summary.totals.replayed);

    await h.client.indices.refresh({ index: '_all' });
    const after = (await allDocs(h.client, 'logs-*')) as Doc[];
    expect(after).toHaveLength(3000);
    const afterById = byId(after);
    expect(afterById.size).toBe(3000);
    for (const id of ids) expect(afterById.get(id)).toEqual(before.get(id));
  });
  it('the replay function stops before its timeout and the next invocation resumes', async () => {
    const input = records('it-fn', generateLines('json', 200, { endMs: T0, seed: 4 }), 2, T0);
    await h.ingest(input);
    await h.client.indices.delete({ index: 'logs-*' });
    const handler = createReplayHandler({ env: h.env });
    const event = { source: 'archive', topic: 'it-fn', ...RANGE, batchRecords: 20 };
    const context = (ms: number) => {
      const deadline = Date.now() + ms;
      return {
        awsRequestId: 'r',
        functionName: 'replay',
        getRemainingTimeInMillis: () => deadline - Date.now(),
      } as unknown as Context;
    };
    // A dry run first: it builds the app (cold start) and counts without writing.
    const dry = await handler({ ...event, dryRun: true }, context(60_000));
    expect(dry).toMatchObject({ status: 'done', totals: { wouldWrite: 200, indexed: 0 } });
    await h.client.transport.request({
      method: 'PUT',
      path: '/_sluice/faults',
      body: { seed: 1, delay_ms: 300, paths: ['/_bulk'] },
    });
    let first: Awaited<ReturnType<typeof handler>>;
    try {
      // SAFETY_MARGIN_MS is 1000: about 1 s of work, a few of the ten slow (300 ms) bulk requests needed.
      first = await handler(event, context(2000));
    } finally {
      await h.client.transport.request({ method: 'DELETE', path: '/_sluice/faults' });
    }
    expect(first.status).toBe('incomplete');
    expect(first.totals.indexed).toBeGreaterThan(0);
    expect(first.totals.indexed).toBeLessThan(200);
    const second = await handler(event, context(60_000));
    expect(second).toMatchObject({ status: 'done', resumed: true });
    expect(second.cumulative.indexed + second.cumulative.duplicates).toBeGreaterThanOrEqual(200);
    await h.client.indices.refresh({ index: '_all' });
    const docs = (await allDocs(h.client, 'logs-*')).filter((d) => d._id.startsWith('it-fn:'));
    expect(docs).toHaveLength(200);
  });
});
