// The local OpenSearch-compatible server: one node:http process on 127.0.0.1 that behaves like a
// single-node OpenSearch 2.19.0 cluster for everything Sluice uses.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { gunzipSync, inflateSync } from 'node:zlib';
import { type Clock, createClock } from './clock.ts';
import { OpenSearchError, toOpenSearchError } from './errors.ts';
import { Faults, requestFaultBody } from './faults.ts';
import { filterPath } from './filter-path.ts';
import { encode, MEDIA_TYPES } from './formats.ts';
import { openJournal } from './journal.ts';
import { Lifecycle } from './lifecycle/lifecycle.ts';
import { LocalNode } from './node.ts';
import { RequestLog } from './request-log.ts';
import { type RestRequest, type RestResponse, Router } from './router.ts';
import { registerAliasRoutes } from './routes/aliases.ts';
import { registerBulkRoutes } from './routes/bulk.ts';
import { registerCatRoutes } from './routes/cat.ts';
import { registerClusterRoutes } from './routes/cluster.ts';
import type { RouteContext } from './routes/context.ts';
import { registerDataStreamRoutes } from './routes/data-streams.ts';
import { registerDocumentRoutes } from './routes/documents.ts';
import { registerIndexRoutes } from './routes/indices.ts';
import { registerIsmRoutes } from './routes/ism.ts';
import { registerReindexRoutes } from './routes/reindex.ts';
import { registerSearchRoutes } from './routes/search.ts';
import { registerSluiceRoutes } from './routes/sluice.ts';
import { registerSmRoutes } from './routes/sm.ts';
import { registerSnapshotRoutes } from './routes/snapshots.ts';
import { registerTemplateRoutes } from './routes/templates.ts';
import { loadSearchEngine } from './search-engine.ts';
import { type SigV4Options, sigv4Guard } from './sigv4.ts';

export interface OpenSearchServerOptions {
  /** 0 = any free port (default). */
  port?: number;
  host?: string;
  /** Persist to a journal + snapshot in this folder; in memory only when absent. */
  dataDir?: string;
  /** Initial clock (epoch ms): the clock is manual from the start. */
  now?: number;
  /** Require SigV4-signed requests (as Amazon OpenSearch Service with IAM does); `/_sluice/*` stays open. */
  sigv4?: SigV4Options;
}

export interface OpenSearchServer {
  url: string;
  port: number;
  close(): Promise<void>;
  clock: { now(): number; set(ms: number): void; advance(ms: number): void };
  /** Resolves once the lifecycle jobs and background snapshot work triggered so far are done. */
  settle(): Promise<void>;
}

/** Route modules: each registers its routes; the lifecycle ones (ISM, SM, snapshots) come last. */
export type RouteModule = (router: Router, ctx: RouteContext) => void;

export const ROUTE_MODULES: RouteModule[] = [
  registerClusterRoutes,
  registerCatRoutes,
  registerIndexRoutes,
  registerAliasRoutes,
  registerTemplateRoutes,
  registerDataStreamRoutes,
  registerDocumentRoutes,
  registerBulkRoutes,
  registerSearchRoutes,
  registerReindexRoutes,
  registerSluiceRoutes,
  registerIsmRoutes,
  registerSmRoutes,
  registerSnapshotRoutes,
];

class BodyTooLarge extends Error {}

function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  if (body.length === 0 || !encoding) return body;
  try {
    if (encoding === 'gzip' || encoding === 'x-gzip') return gunzipSync(body);
    if (encoding === 'deflate') return inflateSync(body);
  } catch (error) {
    throw new OpenSearchError(400, 'parse_exception', `failed to decompress the request body [${encoding}]`, {
      cause: error,
    });
  }
  return body;
}

function makeRequest(
  method: string,
  path: string,
  query: Record<string, string>,
  headers: http.IncomingHttpHeaders,
  body: Buffer,
): RestRequest {
  let parsed: { value: unknown } | undefined;
  return {
    method,
    path,
    params: {},
    query,
    headers,
    body,
    text: () => body.toString('utf8'),
    json() {
      if (parsed) return parsed.value;
      const text = body.toString('utf8');
      if (text.trim() === '') {
        parsed = { value: undefined };
        return undefined;
      }
      try {
        parsed = { value: JSON.parse(text) };
      } catch (error) {
        throw new OpenSearchError(
          400,
          'json_parse_exception',
          error instanceof Error ? error.message : String(error),
        );
      }
      return parsed.value;
    },
  };
}

export async function startOpenSearchServer(
  options: OpenSearchServerOptions = {},
): Promise<OpenSearchServer> {
  const clock: Clock = createClock(options.now);
  const node = new LocalNode(clock);
  if (options.dataDir) {
    node.attachJournal(openJournal(options.dataDir, node.state));
    node.state.refreshAll();
  } else {
    node.init();
  }
  const faults = new Faults();
  const log = new RequestLog();
  // fs repositories keep their files next to the journal, or in a temporary folder of their own.
  const lifecycle = new Lifecycle(
    node,
    clock,
    options.dataDir ? { fsRoot: path.join(options.dataDir, 'repositories') } : {},
  );
  lifecycle.start();
  const ctx: RouteContext = { node, clock, faults, log, searchEngine: loadSearchEngine, lifecycle };
  const router = new Router();
  for (const register of ROUTE_MODULES) register(router, ctx);

  const send = (
    res: http.ServerResponse,
    method: string,
    response: RestResponse,
    query: Record<string, string>,
  ): number => {
    let payload: Buffer;
    let contentType: string;
    if (response.text !== undefined) {
      payload = Buffer.from(response.text);
      contentType = response.contentType ?? 'text/plain; charset=UTF-8';
    } else if (response.body !== undefined) {
      const pretty = query.pretty !== undefined && query.pretty !== 'false';
      const format = response.format ?? 'json';
      payload = encode(filterPath(response.body, query.filter_path), format, pretty);
      contentType = response.contentType ?? MEDIA_TYPES[format];
    } else {
      payload = Buffer.alloc(0);
      contentType = 'application/json; charset=UTF-8';
    }
    res.writeHead(response.status, {
      'content-type': contentType,
      'content-length': String(payload.length),
      ...(response.headers ?? {}),
    });
    res.end(method === 'HEAD' ? undefined : payload);
    return method === 'HEAD' ? 0 : payload.length;
  };

  const guard = options.sigv4 ? sigv4Guard(options.sigv4) : undefined;

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const query: Record<string, string> = {};
    for (const [k, v] of url.searchParams) query[k] = v;
    let status = 0;
    let bytesIn = 0;
    let bytesOut = 0;
    const finish = () => {
      log.add({
        method,
        path,
        query,
        status,
        bytes_in: bytesIn,
        bytes_out: bytesOut,
        time: new Date(clock.now()).toISOString(),
        duration_ms: Math.round((performance.now() - started) * 1000) / 1000,
      });
    };
    try {
      const fault = faults.requestFault(path);
      if (faults.applies(path) && faults.config.delay_ms > 0) {
        await new Promise((r) => setTimeout(r, faults.config.delay_ms));
      }
      if (fault?.kind === 'reset') {
        status = 0;
        req.socket.destroy();
        finish();
        return;
      }
      let raw: Buffer;
      try {
        raw = await readBody(req, faults.config.max_body_bytes);
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error;
        status = 413;
        // Amazon OpenSearch Service's answer above its request size limit.
        bytesOut = send(
          res,
          method,
          {
            status: 413,
            body: { Message: `Request size exceeded ${faults.config.max_body_bytes} bytes` },
            headers: { connection: 'close' },
          },
          {},
        );
        finish();
        return;
      }
      bytesIn = raw.length;
      if (guard && !path.startsWith('/_sluice')) {
        // Verified over the bytes as sent: a gzip body is signed compressed.
        const target = req.url ?? '/';
        const q = target.indexOf('?');
        const refusal = guard({
          method,
          path: q < 0 ? target : target.slice(0, q),
          query: q < 0 ? '' : target.slice(q + 1),
          headers: req.headersDistinct,
          body: raw,
        });
        if (refusal) {
          status = 403;
          bytesOut = send(res, method, { status: 403, body: refusal.body }, {});
          finish();
          return;
        }
      }
      if (fault?.kind === 'status') {
        status = fault.status;
        const { contentType, text } = requestFaultBody(fault.status);
        bytesOut = send(res, method, { status, text, contentType }, {});
        finish();
        return;
      }
      const body = decode(raw, req.headers['content-encoding']?.toLowerCase());
      const request = makeRequest(method, path, query, req.headers, body);
      let response: RestResponse;
      try {
        const { handler, params } = router.match(method, path);
        request.params = params;
        response = await handler(request);
      } catch (error) {
        const e = toOpenSearchError(error);
        response = { status: e.status, body: e.body(), headers: e.headers };
      } finally {
        node.flush(); // the journal is on disk before anything is acknowledged
      }
      status = response.status;
      bytesOut = send(res, method, response, query);
    } catch (error) {
      const e = toOpenSearchError(error);
      status = e.status;
      if (!res.headersSent) bytesOut = send(res, method, { status: e.status, body: e.body() }, {});
      else res.destroy();
    }
    finish();
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.keepAliveTimeout = 60_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    clock: { now: () => clock.now(), set: (ms) => clock.set(ms), advance: (ms) => clock.advance(ms) },
    settle: () => lifecycle.settle(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => {
          lifecycle
            .close()
            .catch(() => {})
            .finally(() => {
              node.closeJournal();
              if (err) reject(err);
              else resolve();
            });
        });
        server.closeAllConnections();
      }),
  };
}
