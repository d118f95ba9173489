// The local OpenSearch-compatible server driven by the official client, as Sluice drives a cluster.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenSearchServer, startOpenSearchServer } from '../../../infra/local/opensearch/server.ts';

const MAIN = path.resolve(import.meta.dirname, '../../../infra/local/opensearch/main.ts');

interface BulkItem {
  status: number;
  _id?: string | null;
  result?: string;
  error?: { type: string; reason?: string | null };
}

function items(body: { items: unknown[] }): BulkItem[] {
  return body.items.map((item) => Object.values(item as Record<string, BulkItem>)[0] as BulkItem);
}

async function raw(
  url: string,
  method: string,
  p: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(url + p, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined
      ? {}
      : { body: typeof body === 'string' || body instanceof Uint8Array ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json: json as Record<string, unknown>, headers: res.headers };
}

describe('local OpenSearch server', () => {
  let server: OpenSearchServer;
  let client: Client;

  beforeAll(async () => {
    server = await startOpenSearchServer({ port: 0 });
    client = new Client({ node: server.url });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
  });

  it('reports itself as OpenSearch 2.19.0', async () => {
    const { body } = await client.info();
    expect(body.version.distribution).toBe('opensearch');
    expect(body.version.number).toBe('2.19.0');
    expect(body.tagline).toBe('The OpenSearch Project: https://opensearch.org/');
  });

  it('create, bulk, refresh and search round trip', async () => {
    await client.indices.create({ index: 'books', body: { settings: { number_of_replicas: 0 } } });
    const bulk = await client.bulk({
      body: [
        { index: { _index: 'books', _id: '1' } },
        { title: 'Moneyball', year: 2011, at: '2024-01-02T03:04:05Z' },
        { create: { _index: 'books', _id: '2' } },
        { title: 'Dune', year: 1965, at: '2024-01-03T00:00:00Z' },
      ],
    });
    expect(bulk.body.errors).toBe(false);
    expect(items(bulk.body).map((i) => [i.status, i.result])).toEqual([
      [201, 'created'],
      [201, 'created'],
    ]);
    // Not refreshed yet, but GET by id is real-time.
    expect((await client.get({ index: 'books', id: '2' })).body._source).toMatchObject({ title: 'Dune' });
    await client.indices.refresh({ index: 'books' });
    const search = await client.search({ index: 'books', body: { query: { match_all: {} } } });
    expect(search.body.hits.total).toEqual({ value: 2, relation: 'eq' });
    const count = await client.count({ index: 'books' });
    expect(count.body.count).toBe(2);
    const mapping = await client.indices.getMapping({ index: 'books' });
    expect(mapping.body.books?.mappings.properties).toMatchObject({
      title: { type: 'text', fields: { keyword: { type: 'keyword', ignore_above: 256 } } },
      year: { type: 'long' },
      at: { type: 'date' },
    });
    const health = await client.cluster.health();
    expect(health.body.status).toBe('green');
  });

  it('a duplicate create is a 409 per item, and a 409 for the single-document API', async () => {
    const bulk = await client.bulk({
      body: [{ create: { _index: 'books', _id: '1' } }, { title: 'again' }],
    });
    expect(bulk.body.errors).toBe(true);
    const [item] = items(bulk.body);
    expect(item?.status).toBe(409);
    expect(item?.error?.type).toBe('version_conflict_engine_exception');
    await expect(client.create({ index: 'books', id: '1', body: { title: 'again' } })).rejects.toMatchObject({
      meta: { statusCode: 409 },
    });
  });

  it('a value that does not fit the mapping fails only its item', async () => {
    const bulk = await client.bulk({
      body: [
        { index: { _index: 'books', _id: '3' } },
        { year: 'abc' },
        { index: { _index: 'books', _id: '4' } },
        { year: 1999 },
      ],
    });
    const [bad, good] = items(bulk.body);
    expect(bad?.status).toBe(400);
    expect(bad?.error?.type).toBe('mapper_parsing_exception');
    expect(bad?.error?.reason).toContain(
      "failed to parse field [year] of type [long] in document with id '3'",
    );
    expect(good?.status).toBe(201);
    const single = await raw(server.url, 'PUT', '/books/_doc/5', { year: 'abc' });
    expect(single.status).toBe(400);
    expect(single.json).toMatchObject({ error: { type: 'mapper_parsing_exception' }, status: 400 });
  });

  it('a malformed bulk body fails the whole request', async () => {
    const res = await raw(
      server.url,
      'POST',
      '/_bulk',
      '{"index":{"_index":"books"}}\n{"a":1}\n{"frobnicate":{}}\n{}\n',
      {
        'content-type': 'application/x-ndjson',
      },
    );
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ error: { type: 'illegal_argument_exception' }, status: 400 });
  });

  it('accepts gzip request bodies', async () => {
    const body = gzipSync('{"index":{"_index":"zipped","_id":"z"}}\n{"ok":true}\n');
    const res = await raw(server.url, 'POST', '/_bulk', body, {
      'content-type': 'application/x-ndjson',
      'content-encoding': 'gzip',
    });
    expect(res.status).toBe(200);
    expect((await client.get({ index: 'zipped', id: 'z' })).body._source).toEqual({ ok: true });
  });

  it('data streams accept only create', async () => {
    await client.indices.putIndexTemplate({
      name: 'logs-ds',
      body: { index_patterns: ['logs-ds-*'], data_stream: {}, priority: 50 },
    });
    const bulk = await client.bulk({
      body: [
        { create: { _index: 'logs-ds-app' } },
        { '@timestamp': '2024-01-01T00:00:00Z', message: 'one' },
        { index: { _index: 'logs-ds-app' } },
        { '@timestamp': '2024-01-01T00:00:01Z', message: 'two' },
      ],
    });
    const [created, rejected] = items(bulk.body);
    expect(created?.status).toBe(201);
    expect(rejected?.status).toBe(400);
    expect(rejected?.error?.reason).toBe(
      'only write ops with an op_type of create are allowed in data streams',
    );
    const stream = await client.indices.getDataStream({ name: 'logs-ds-app' });
    expect(stream.body.data_streams[0]?.indices.map((i) => i.index_name)).toEqual(['.ds-logs-ds-app-000001']);
    const rollover = await client.indices.rollover({ alias: 'logs-ds-app' });
    expect(rollover.body.new_index).toBe('.ds-logs-ds-app-000002');
  });

  it('aliases: writes go to the write index, reads see every index; rollover moves the write index', async () => {
    await client.indices.create({
      index: 'app-000001',
      body: { settings: { number_of_replicas: 0 }, aliases: { app: { is_write_index: true } } },
    });
    await client.index({ index: 'app', id: 'a', body: { n: 1 }, refresh: true });
    const rollover = await client.indices.rollover({ alias: 'app', body: { conditions: { max_docs: 1 } } });
    expect(rollover.body).toMatchObject({
      rolled_over: true,
      old_index: 'app-000001',
      new_index: 'app-000002',
    });
    const written = await client.index({ index: 'app', id: 'b', body: { n: 2 }, refresh: true });
    expect(written.body._index).toBe('app-000002');
    const search = await client.search({ index: 'app' });
    expect(search.body.hits.hits.map((h) => h._index).sort()).toEqual(['app-000001', 'app-000002']);
  });

  it('reading through a filtered alias sees only what its filter matches', async () => {
    await client.indices.create({ index: 'levels', body: { settings: { number_of_replicas: 0 } } });
    await client.bulk({
      refresh: true,
      body: [
        { index: { _index: 'levels', _id: 'e' } },
        { level: 'error' },
        { index: { _index: 'levels', _id: 'i' } },
        { level: 'info' },
      ],
    });
    await client.indices.updateAliases({
      body: {
        actions: [
          { add: { index: 'levels', alias: 'errors', filter: { term: { 'level.keyword': 'error' } } } },
        ],
      },
    });
    const viaAlias = await client.search({ index: 'errors' });
    expect(viaAlias.body.hits.hits.map((h) => h._id)).toEqual(['e']);
    expect((await client.count({ index: 'levels' })).body.count).toBe(2);
    expect((await client.count({ index: 'errors,levels' })).body.count).toBe(2);
  });

  it('a write block answers 403 cluster_block_exception and applies nothing', async () => {
    await client.indices.putSettings({ index: 'books', body: { index: { blocks: { write: true } } } });
    const res = await raw(server.url, 'PUT', '/books/_doc/blocked', { title: 'x' });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ error: { type: 'cluster_block_exception' } });
    await client.indices.putSettings({ index: 'books', body: { index: { blocks: { write: false } } } });
    const get = await raw(server.url, 'GET', '/books/_doc/blocked');
    expect(get.status).toBe(404);
  });

  it('seeded item faults are reproducible and rejected items are not written', async () => {
    await client.indices.create({ index: 'faulty', body: { settings: { number_of_replicas: 0 } } });
    const run = async (prefix: string) => {
      await raw(server.url, 'PUT', '/_sluice/faults', {
        seed: 42,
        bulk_item: { rate: 0.3, statuses: [429] },
      });
      const body = Array.from({ length: 40 }, (_, i) => [
        { index: { _index: 'faulty', _id: `${prefix}${i}` } },
        { i },
      ]).flat();
      const res = await client.bulk({ body, refresh: true });
      await raw(server.url, 'DELETE', '/_sluice/faults');
      return items(res.body);
    };
    const first = await run('a');
    const second = await run('b');
    expect(first.map((i) => i.status)).toEqual(second.map((i) => i.status));
    const rejected = first.filter((i) => i.status === 429);
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected[0]?.error?.type).toBe('rejected_execution_exception');
    const count = await client.count({ index: 'faulty' });
    expect(count.body.count).toBe(2 * (40 - rejected.length));
  });

  it('answers 413 above max_body_bytes', async () => {
    await raw(server.url, 'PUT', '/_sluice/faults', { seed: 1, max_body_bytes: 1024 });
    const res = await raw(server.url, 'POST', '/books/_doc', { big: 'x'.repeat(2048) });
    await raw(server.url, 'DELETE', '/_sluice/faults');
    expect(res.status).toBe(413);
  });

  it('the controllable clock drives creation dates and refresh', async () => {
    const clock = await raw(server.url, 'PUT', '/_sluice/clock', { now: '2030-01-01T00:00:00Z' });
    expect(clock.json).toMatchObject({ now: '2030-01-01T00:00:00.000Z', manual: true });
    await client.indices.create({
      index: 'timed',
      body: { settings: { number_of_replicas: 0, refresh_interval: '1h' } },
    });
    const settings = await client.indices.getSettings({ index: 'timed' });
    expect(settings.body.timed?.settings?.index?.creation_date).toBe(String(Date.UTC(2030, 0, 1)));
    await client.index({ index: 'timed', id: '1', body: { x: 1 } });
    expect((await client.count({ index: 'timed' })).body.count).toBe(0);
    await raw(server.url, 'PUT', '/_sluice/clock', { advance: '1h' });
    expect((await client.count({ index: 'timed' })).body.count).toBe(1);
  });

  it('resolves date math index names on the server clock', async () => {
    await raw(server.url, 'PUT', '/_sluice/clock', { now: '2031-05-06T07:08:09Z' });
    const written = await client.index({ index: '<dm-{now/d}>', id: '1', body: { x: 1 } });
    expect(written.body._index).toBe('dm-2031.05.06');
    const created = await client.indices.create({ index: '<dm-{now/M{yyyy.MM}}>' });
    expect(created.body.index).toBe('dm-2031.05');
    expect((await client.get({ index: '<dm-{now/d}>', id: '1' })).body._index).toBe('dm-2031.05.06');
  });

  it('errors are shaped like OpenSearch errors', async () => {
    const missing = await raw(server.url, 'GET', '/nope/_search');
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({
      error: { root_cause: [{ type: 'index_not_found_exception', reason: 'no such index [nope]' }] },
      status: 404,
    });
    const invalid = await raw(server.url, 'PUT', '/Bad');
    expect(invalid.json).toMatchObject({ error: { type: 'invalid_index_name_exception' }, status: 400 });
    const log = await raw(server.url, 'GET', '/_sluice/requests');
    expect((log.json.requests as Array<{ path: string }>).some((r) => r.path === '/nope/_search')).toBe(true);
  });
});

describe('persistence', () => {
  let dir: string;
  let child: ChildProcess | undefined;

  const startChild = () =>
    new Promise<{ url: string; proc: ChildProcess }>((resolve, reject) => {
      const proc = spawn(process.execPath, [MAIN, '--port', '0', '--data-dir', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      proc.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n')[0];
        if (out.includes('\n') && line) resolve({ url: line.trim(), proc });
      });
      proc.stderr?.on('data', (chunk: Buffer) => {
        err += chunk.toString();
      });
      proc.on('exit', (code) => reject(new Error(`server exited with ${code}: ${err}`)));
    });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-os-'));
  });
  afterAll(async () => {
    child?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged change across a SIGKILL', async () => {
    const first = await startChild();
    child = first.proc;
    const c1 = new Client({ node: first.url });
    await c1.cluster.putComponentTemplate({
      name: 'base',
      body: { template: { settings: { number_of_replicas: 0 } } },
    });
    await c1.indices.putIndexTemplate({
      name: 'events',
      body: { index_patterns: ['events-*'], composed_of: ['base'] },
    });
    await c1.indices.putIndexTemplate({
      name: 'ds',
      body: { index_patterns: ['stream-*'], data_stream: {}, priority: 5 },
    });
    await c1.indices.create({
      index: 'events-1',
      body: { aliases: { events: {} }, mappings: { properties: { n: { type: 'long' } } } },
    });
    const body = Array.from({ length: 50 }, (_, i) => [
      { index: { _index: 'events-1', _id: String(i) } },
      { n: i, msg: `m${i}` },
    ]).flat();
    expect((await c1.bulk({ body })).body.errors).toBe(false);
    await c1.delete({ index: 'events-1', id: '0' });
    await c1.index({ index: 'stream-a', body: { '@timestamp': '2024-01-01T00:00:00Z' }, op_type: 'create' });
    await c1.close();
    const exited = new Promise((r) => first.proc.once('exit', r));
    first.proc.kill('SIGKILL');
    await exited;

    const second = await startChild();
    child = second.proc;
    const c2 = new Client({ node: second.url });
    expect((await c2.count({ index: 'events' })).body.count).toBe(49);
    expect((await c2.get({ index: 'events-1', id: '49' })).body).toMatchObject({
      _source: { n: 49, msg: 'm49' },
      _version: 1,
    });
    const settings = await c2.indices.getSettings({ index: 'events-1' });
    expect(settings.body['events-1']?.settings?.index?.number_of_replicas).toBe('0');
    const mapping = await c2.indices.getMapping({ index: 'events-1' });
    expect(mapping.body['events-1']?.mappings.properties?.msg).toMatchObject({ type: 'text' });
    expect((await c2.indices.getDataStream({ name: 'stream-a' })).body.data_streams).toHaveLength(1);
    expect((await c2.indices.getIndexTemplate({ name: 'events' })).body.index_templates).toHaveLength(1);
    // Sequence numbers continue where they stopped.
    const next = await c2.index({ index: 'events-1', id: 'new', body: { n: 100 } });
    expect(next.body._seq_no).toBe(51);
    await c2.close();
  });
});
