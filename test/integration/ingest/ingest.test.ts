import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeDeadLetterLine } from '../../../functions/core/archive/line.ts';
import type { KafkaEvent } from '../../../functions/core/kafka/types.ts';
import { allDocs, appLines, type IngestHarness, records, repo, startHarness } from './support.ts';

// The ingest handler end to end: ESM simulator → handler → the local OpenSearch-compatible server
// and s3rver, through the official client and the AWS SDK. Each test uses its own topic/service so
// indices and ids never collide.

let h: IngestHarness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe('ingest through the local stack', () => {
  it('indexes JSON, nginx and syslog records with parsed fields and deterministic ids', async () => {
    const nginx = readFileSync(path.join(repo, 'test/fixtures/logs/nginx_access.log'), 'utf8')
      .split('\n')
      .filter(Boolean);
    await h.run([...records('it-basic', appLines('it-basic', 40)), ...records('nginx.it', nginx)]);
    const app = await allDocs(h.client, 'logs-it-basic-*');
    expect(app).toHaveLength(40);
    const first = app.find((d) => d._id === 'it-basic:0:0');
    expect(first?._source).toMatchObject({
      '@timestamp': '2026-11-20T12:00:00.000Z',
      message: 'event 0',
      service: { name: 'it-basic' },
      kafka: { topic: 'it-basic', partition: 0, offset: 0 },
    });
    const web = await allDocs(h.client, 'logs-nginx-*');
    expect(web.length).toBe(nginx.length);
    const parsed = web
      .map((d) => d._source)
      .find((s) => (s.http as { response?: { status_code?: number } })?.response?.status_code === 200);
    expect(parsed).toMatchObject({
      source: { ip: expect.any(String) },
      http: { request: { method: expect.any(String) } },
    });
  });

  it('a redelivered batch is answered as duplicates and writes nothing twice', async () => {
    const input = records('it-redeliver', appLines('it-redeliver', 30));
    await h.run(input);
    h.batches.length = 0;
    await h.run(input);
    const counters = h.batches.map((b) => b.result.counters);
    expect(counters.reduce((n, c) => n + c.duplicates, 0)).toBe(30);
    expect(counters.reduce((n, c) => n + c.indexed, 0)).toBe(0);
    expect(await allDocs(h.client, 'logs-it-redeliver-*')).toHaveLength(30);
  });

  it('with item 429/5xx and whole-request 503s, every record is indexed exactly once', async () => {
    await h.faults({
      seed: 7,
      bulk_item: { rate: 0.3, statuses: [429, 500, 503] },
      request: { rate: 0.2, statuses: [502, 503, 504] },
    });
    h.batches.length = 0;
    try {
      const sim = await h.run(records('it-faults', appLines('it-faults', 200), 4), { batchSize: 50 });
      expect(sim.stats.onFailure).toHaveLength(0);
      // The faults really happened: items were retried within invocations.
      expect(h.batches.reduce((n, b) => n + b.result.counters.retried, 0)).toBeGreaterThan(20);
    } finally {
      await h.faults(null);
    }
    await h.client.indices.refresh({ index: '_all' });
    const docs = await allDocs(h.client, 'logs-it-faults-*');
    const ids = docs.map((d) => d._id);
    expect(new Set(ids).size).toBe(200);
    expect(ids).toHaveLength(200);
    const seqs = docs.map((d) => d._source.seq as number).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('a 413 splits the chunk and everything still lands', async () => {
    await h.faults({ seed: 1, max_body_bytes: 8_000 });
    try {
      h.batches.length = 0;
      await h.run(
        records(
          'it-413',
          appLines('it-413', 120, () => ({ padding: 'x'.repeat(200) })),
        ),
        { batchSize: 120 },
      );
    } finally {
      await h.faults(null);
    }
    expect(await allDocs(h.client, 'logs-it-413-*')).toHaveLength(120);
    expect(h.batches.reduce((n, b) => n + b.result.counters.bulkRequests, 0)).toBeGreaterThan(1);
  });

  it('mapping conflicts and unparseable lines go to the dead-letter store with their reason and bytes', async () => {
    const good = appLines('it-conflict', 5, () => ({ http: { response: { status_code: 200 } } }));
    await h.run(records('it-conflict', good, 1));
    const bad = JSON.stringify({
      '@timestamp': '2026-11-20T12:00:00Z',
      service: { name: 'it-conflict' },
      http: { response: { status_code: 'two hundred' } },
    });
    const garbage = 'neither json nor key value';
    const batch = records('it-conflict', [...good, bad, garbage], 1);
    // Key and headers go to the dead letters too, so that a replay rebuilds the same document.
    batch[5]!.key = Buffer.from('order-17');
    // A producer may name a header `__proto__`: it stays an own header.
    batch[5]!.headers = JSON.parse('{"trace-id":"abc","__proto__":"own"}') as Record<string, string>;
    batch[6]!.key = Buffer.from([0xff, 0x00]);
    await h.run(batch);
    const dead = (await h.deadLetters('dead-letters/topic=it-conflict/')).sort((a, b) => a.offset - b.offset);
    expect(dead.map((d) => [d.offset, d.errorType])).toEqual([
      [5, 'mapper_parsing_exception'],
      [6, 'parse_error'],
    ]);
    expect(dead[0]).toMatchObject({ key: Buffer.from('order-17').toString('base64') });
    expect(Object.entries(dead[0]!.headers ?? {})).toEqual([
      ['trace-id', 'abc'],
      ['__proto__', 'own'],
    ]);
    expect(dead[1]).toMatchObject({ key: Buffer.from([0xff, 0x00]).toString('base64') });
    expect(dead[1]).not.toHaveProperty('headers');
    const replayed = decodeDeadLetterLine(JSON.stringify(dead[0]));
    expect(replayed.record.key).toEqual(Buffer.from('order-17'));
    expect(Object.entries(replayed.record.headers)).toEqual(Object.entries(dead[0]!.headers!));
    expect(dead[0]).toMatchObject({ topic: 'it-conflict', partition: 0, status: 400, pipeline: 'app-json' });
    expect(Buffer.from(dead[0]!.original!, 'base64').toString()).toBe(bad);
    expect(Buffer.from(dead[1]!.original!, 'base64').toString()).toBe(garbage);
    expect(await allDocs(h.client, 'logs-it-conflict-*')).toHaveLength(5);
  });

  it('when time runs out, the batch response names the lowest unfinished offset per partition; redelivery completes it', async () => {
    const input = records('it-deadline', appLines('it-deadline', 20), 2);
    const event: KafkaEvent = {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/demo/abc',
      records: {},
    };
    for (const r of input) {
      const key = `${r.topic}-${r.partition}`;
      event.records[key] = event.records[key] ?? [];
      event.records[key].push({
        topic: r.topic,
        partition: r.partition,
        offset: r.offset,
        timestamp: r.timestamp,
        timestampType: 'CREATE_TIME',
        key: null,
        value: r.value!.toString('base64'),
        headers: [],
      });
    }
    await h.faults({ seed: 3, bulk_item: { rate: 1, statuses: [429] }, paths: ['/_bulk'] });
    let response: Awaited<ReturnType<typeof h.handler>>;
    try {
      // 1.5 s left with a 1 s safety margin: one attempt, then no time for another.
      const deadline = Date.now() + 1500;
      const context = {
        awsRequestId: 'test',
        functionName: 'ingest',
        getRemainingTimeInMillis: () => deadline - Date.now(),
      };
      response = await h.handler(event, context as unknown as Context);
    } finally {
      await h.faults(null);
    }
    expect(response!.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'it-deadline-0', offset: 0 } },
      { itemIdentifier: { partition: 'it-deadline-1', offset: 0 } },
    ]);
    await h.run(input);
    expect(await allDocs(h.client, 'logs-it-deadline-*')).toHaveLength(20);
  });

  it('the shipped MSK and self-managed sample events are accepted', async () => {
    for (const name of ['msk.json', 'self-managed.json']) {
      const event = JSON.parse(
        readFileSync(path.join(repo, 'test/fixtures/events', name), 'utf8'),
      ) as KafkaEvent;
      const total = Object.values(event.records).reduce((n, rs) => n + rs.length, 0);
      const context = { awsRequestId: name, functionName: 'ingest', getRemainingTimeInMillis: () => 60_000 };
      h.batches.length = 0;
      const response = await h.handler(event, context as unknown as Context);
      expect(response.batchItemFailures).toEqual([]);
      const c = h.batches[0]!.result.counters;
      expect(c.recordsIn).toBe(total);
      expect(c.indexed + c.duplicates + c.dropped + c.deadLettered).toBe(total);
      expect(c.indexed).toBeGreaterThan(0);
    }
  });
});
