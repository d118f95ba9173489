// A small HTTP proxy in front of s3rver that can be "down" on demand (503 as S3 answers when it
// sheds load) and records every request's method, path and headers. Tests use it to take the
// dead-letter store away for a while and to check what the SDK really sent (e.g. SSE headers).
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedS3Request {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** What the proxy answered: the upstream status, or 503 while down. */
  status: number;
}

export interface FaultyS3 {
  endpoint: string;
  /** Every request seen, in arrival order. */
  readonly requests: RecordedS3Request[];
  /** Answer 503 to every request until `up()`. */
  down(): void;
  /** Answer 503 to the next `n` requests, then pass through again. */
  downFor(n: number): void;
  up(): void;
  /** Answer 503 with this probability (seeded by the caller's random), on top of `down`. */
  flaky(rate: number, random: () => number): void;
  /** Hold every answer this long before passing it on (a slow store); 0 = off. */
  slow(ms: number): void;
  close(): Promise<void>;
}

const SERVICE_UNAVAILABLE =
  '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>ServiceUnavailable</Code><Message>Please reduce your request rate.</Message></Error>';

export async function startFaultyS3(upstream: string): Promise<FaultyS3> {
  const target = new URL(upstream);
  let down = false;
  let downLeft = 0;
  let flakyRate = 0;
  let random: () => number = Math.random;
  let delayMs = 0;
  const requests: RecordedS3Request[] = [];

  const server = http.createServer(async (req, res) => {
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    const entry: RecordedS3Request = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      headers: req.headers,
      status: 0,
    };
    requests.push(entry);
    const fail = down || downLeft > 0 || (flakyRate > 0 && random() < flakyRate);
    if (downLeft > 0) downLeft--;
    if (fail) {
      entry.status = 503;
      // Drain the body first so that the client sees the answer, not a reset.
      req.resume();
      req.on('end', () => {
        res.writeHead(503, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(SERVICE_UNAVAILABLE),
        });
        res.end(SERVICE_UNAVAILABLE);
      });
      return;
    }
    const forward = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (upstreamRes) => {
        entry.status = upstreamRes.statusCode ?? 0;
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    forward.on('error', () => {
      entry.status = 502;
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    down: () => {
      down = true;
    },
    downFor: (n) => {
      downLeft = n;
    },
    up: () => {
      down = false;
      downLeft = 0;
      flakyRate = 0;
      delayMs = 0;
    },
    slow: (ms) => {
      delayMs = ms;
    },
    flaky: (rate, r) => {
      flakyRate = rate;
      random = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
