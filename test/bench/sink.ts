// A null `_bulk` sink, run in its own process on loopback: it parses every NDJSON body and
// answers a valid per-item response (201 created, the item's own `_index` and `_id`, filtered by
// `filter_path` as OpenSearch does), so both the official client and Sluice's classifier accept
// it. In `validate` mode it also parses every document line and flags any that is not an object.
//
// Control: GET /_sink/stats (and reset), PUT /_sink/validate?on=1|0. Started with fork(); sends
// `{ port }` to its parent once listening.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { gunzipSync } from 'node:zlib';

interface SinkStats {
  requests: number;
  bytes: number;
  maxBodyBytes: number;
  items: number;
  invalid: number;
}

const fresh = (): SinkStats => ({ requests: 0, bytes: 0, maxBodyBytes: 0, items: 0, invalid: 0 });
let stats = fresh();
let validate = false;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The `filter_path` subset bulk clients use: `items.*.<field>` and top-level names. */
interface Filter {
  top: Set<string>;
  item: Set<string>;
}

function parseFilter(text: string | null): Filter | undefined {
  if (!text) return undefined;
  const filter: Filter = { top: new Set(), item: new Set() };
  for (const part of text.split(',')) {
    const m = /^items\.\*\.(.+)$/.exec(part.trim());
    if (m) filter.item.add(m[1]!);
    else filter.top.add(part.trim());
  }
  if (filter.item.size > 0) filter.top.add('items');
  return filter;
}

function itemText(op: string, index: string, id: string, filter: Filter | undefined): string {
  if (filter === undefined) {
    return `{${JSON.stringify(op)}:{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(id)},"_version":1,"result":"created","_shards":{"total":1,"successful":1,"failed":0},"_seq_no":0,"_primary_term":1,"status":201}}`;
  }
  const fields: string[] = [];
  if (filter.item.has('_index')) fields.push(`"_index":${JSON.stringify(index)}`);
  if (filter.item.has('_id')) fields.push(`"_id":${JSON.stringify(id)}`);
  if (filter.item.has('result')) fields.push('"result":"created"');
  if (filter.item.has('status')) fields.push('"status":201');
  return `{${JSON.stringify(op)}:{${fields.join(',')}}}`;
}

function bulk(body: string, filter: Filter | undefined): { status: number; text: string; items: number } {
  const items: string[] = [];
  let start = 0;
  let errors = false;
  while (start < body.length) {
    let end = body.indexOf('\n', start);
    if (end === -1) end = body.length;
    const actionLine = body.slice(start, end);
    start = end + 1;
    if (actionLine.trim() === '') continue;
    const action = JSON.parse(actionLine) as Record<string, { _index?: string; _id?: string }>;
    const [op] = Object.keys(action);
    if (op === undefined) throw new Error('empty action');
    const meta = action[op]!;
    if (op !== 'delete') {
      let docEnd = body.indexOf('\n', start);
      if (docEnd === -1) docEnd = body.length;
      const doc = body.slice(start, docEnd);
      start = docEnd + 1;
      if (doc === '') throw new Error('missing document line');
      if (validate) {
        const parsed: unknown = JSON.parse(doc);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
          stats.invalid++;
          errors = true;
        }
      }
    }
    const id = meta._id ?? `auto-${stats.items}`;
    items.push(itemText(op, meta._index ?? '', id, filter));
    stats.items++;
  }
  const top: string[] = [];
  if (!filter || filter.top.has('took')) top.push('"took":1');
  if (!filter || filter.top.has('errors')) top.push(`"errors":${errors}`);
  if (!filter || filter.top.has('items')) top.push(`"items":[${items.join(',')}]`);
  return { status: 200, text: `{${top.join(',')}}`, items: items.length };
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://sink');
    const raw = await readBody(req);
    if (url.pathname === '/_sink/stats') {
      const out = stats;
      stats = fresh();
      answer(res, 200, JSON.stringify(out));
      return;
    }
    if (url.pathname === '/_sink/validate') {
      validate = url.searchParams.get('on') === '1';
      answer(res, 200, JSON.stringify({ validate }));
      return;
    }
    if (req.method === 'POST' && (url.pathname === '/_bulk' || url.pathname.endsWith('/_bulk'))) {
      const body = req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
      stats.requests++;
      stats.bytes += raw.length;
      stats.maxBodyBytes = Math.max(stats.maxBodyBytes, raw.length);
      const out = bulk(body.toString('utf8'), parseFilter(url.searchParams.get('filter_path')));
      answer(res, out.status, out.text);
      return;
    }
    answer(
      res,
      200,
      '{"name":"sink","cluster_name":"bench","version":{"distribution":"opensearch","number":"2.19.0"}}',
    );
  } catch (error) {
    answer(
      res,
      400,
      JSON.stringify({ error: { type: 'parse_exception', reason: (error as Error).message } }),
    );
  }
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.send?.({ port });
});
process.on('disconnect', () => server.close(() => process.exit(0)));
