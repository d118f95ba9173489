// A tiny webhook receiver for local runs and tests: records every POST (and prints it unless
// quiet), and can be told to fail or stall to exercise retries and timeouts.
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  at: number;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** The next `count` requests are answered with `status` (default 500). */
  failNext(count: number, status?: number): void;
  /** The next `count` requests get no answer for `ms`. */
  stallNext(count: number, ms: number): void;
  close(): Promise<void>;
}

export async function startWebhookReceiver(
  options: { port?: number; quiet?: boolean } = {},
): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  let failures: { count: number; status: number } = { count: 0, status: 500 };
  let stalls: { count: number; ms: number } = { count: 0, ms: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text === '' ? null : JSON.parse(text);
      } catch {
        // keep the raw text
      }
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        at: Date.now(),
      });
      if (!options.quiet) {
        const shown =
          typeof body === 'object' && body !== null && 'text' in body
            ? (body as { text: unknown }).text
            : text;
        process.stdout.write(`webhook ${req.method} ${req.url}\n${String(shown)}\n\n`);
      }
      const answer = (): void => {
        if (failures.count > 0) {
          failures = { ...failures, count: failures.count - 1 };
          res.writeHead(failures.status, { 'content-type': 'application/json' }).end('{"ok":false}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      };
      if (stalls.count > 0) {
        stalls = { ...stalls, count: stalls.count - 1 };
        setTimeout(answer, stalls.ms).unref();
      } else {
        answer();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    failNext(count, status = 500) {
      failures = { count, status };
    },
    stallNext(count, ms) {
      stalls = { count, ms };
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

// `node infra/local/webhook-receiver.ts [port]`: print what arrives.
if (import.meta.main) {
  const receiver = await startWebhookReceiver({ port: Number(process.argv[2] ?? 8787) });
  process.stdout.write(`webhook receiver listening on ${receiver.url}\n`);
}
