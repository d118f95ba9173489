// A null `_bulk` sink, run in its own process on loopback: it parses every NDJSON body and
// answers a valid per-item response (201 created, the item's own `_index` and `_id`, filtered by
// `filter_path` as OpenSearch does), so both the official client and Sluice's classifier accept
// it. In `validate` mode it also parses every document line and flags any that is not an object.
// The reading and the answer are sink-answer.ts.
//
// Control: GET /_sink/stats (and reset), PUT /_sink/validate?on=1|0. Started with fork(); sends
// `{ port }` to its parent once listening.

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { type AnswerScratch, answerBulk, parseFilter } from './sink-answer.ts';

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

// The sink shares the machine's cores with the contestants: a body is read into, and its answer
// written into, buffers kept per connection, so requests make no large garbage for the sink's GC
// (whose threads took about 0.7 µs of CPU a Sluice record with a fresh body and answer each time).
interface Scratch extends AnswerScratch {
  body: Buffer;
}
const scratches = new WeakMap<Socket, Scratch>();

function scratchOf(socket: Socket): Scratch {
  let scratch = scratches.get(socket);
  if (scratch === undefined) {
    scratch = { body: Buffer.alloc(0), out: Buffer.alloc(0) };
    scratches.set(socket, scratch);
  }
  return scratch;
}

/** The body, as a view of the connection's buffer (good until its next request: no pipelining). */
function readBody(req: IncomingMessage, scratch: Scratch): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const expected = Number(req.headers['content-length'] ?? 0);
    if (scratch.body.length < expected) scratch.body = Buffer.allocUnsafe(expected);
    let at = 0;
    req.on('data', (chunk: Buffer) => {
      if (at + chunk.length > scratch.body.length) {
        const bigger = Buffer.allocUnsafe(Math.max(2 * scratch.body.length, at + chunk.length));
        scratch.body.copy(bigger, 0, 0, at);
        scratch.body = bigger;
      }
      at += chunk.copy(scratch.body, at);
    });
    req.on('end', () => resolve(scratch.body.subarray(0, at)));
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url ?? '/', 'http://sink');
    const scratch = scratchOf(req.socket);
    const raw = await readBody(req, scratch);
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
      const out = answerBulk(body, parseFilter(url.searchParams.get('filter_path')), validate, scratch);
      stats.items += out.items;
      stats.invalid += out.invalid;
      answer(res, 200, out.body);
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
