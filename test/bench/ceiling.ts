// How fast any contestant that sends through the bench sink can be: bulk bodies of a JSON corpus
// made ready beforehand (documents shaped like Sluice's: the line plus `@timestamp`, `service` and
// `kafka`), sent 512 KiB at a time, two at once, to the same sink; no preparing at all. Alternates
// with the floor and the naive Lambda and prints their wall time per record (median of 9 runs):
//   npx node --expose-gc test/bench/ceiling.ts [json-small|json-mixed]
import { fork } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { floor, naive } from './contestants.ts';
import { benchCorpora, packEvent } from './corpora.ts';

const corpus = benchCorpora().corpora.find((c) => c.name === (process.argv[2] ?? 'json-small'))!;
const sink = fork(path.join(import.meta.dirname, 'sink.ts'), [], {
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const port = await new Promise<number>((r) => sink.once('message', (m: { port: number }) => r(m.port)));
const packed = packEvent(corpus.lines(10_000), 10_000);
const lines = corpus.lines(10_000);
if (corpus.codec !== 'json') throw new Error('ceiling.ts builds JSON documents: pick a JSON corpus');
const chunkBytes = Number(process.env.CHUNK ?? 512 * 1024);
const bodies: Buffer[] = [];
let cur = '';
lines.forEach((l, i) => {
  cur += `{"create":{"_index":"logs-checkout-2026.11.20","_id":"app-logs:0:${1000000 + i}"}}\n${l.text.slice(0, -1)},"@timestamp":"2026-11-20T11:58:20.000Z","service":{"name":"checkout"},"kafka":{"topic":"app-logs","partition":0,"offset":${1000000 + i},"timestamp":"2026-11-20T11:58:20.000Z"}}\n`;
  if (cur.length >= chunkBytes) {
    bodies.push(Buffer.from(cur));
    cur = '';
  }
});
if (cur) bodies.push(Buffer.from(cur));
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
function post(body: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/_bulk?filter_path=errors,items.*._id,items.*.status',
        agent,
        headers: { 'content-type': 'application/x-ndjson', 'content-length': body.length },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => resolve(Buffer.concat(parts)));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
async function lower() {
  let next = 0;
  const worker = async () => {
    while (next < bodies.length) {
      const b = bodies[next++]!;
      await post(b);
    }
  };
  await Promise.all([worker(), worker()]);
}
const fl = floor(() => corpus.codec);
const nv = naive(`http://127.0.0.1:${port}`, () => corpus.codec);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
for (let i = 0; i < 5; i++) {
  await lower();
  await fl.run(packed.event);
  await nv.run(packed.event);
}
const rows: Record<string, number[]> = { ready: [], floor: [], naive: [] };
for (let t = 0; t < 9; t++) {
  for (const [name, f] of [
    ['ready', lower],
    ['floor', () => fl.run(packed.event)],
    ['naive', () => nv.run(packed.event)],
  ] as const) {
    gc();
    const w = performance.now();
    await f();
    rows[name]!.push((performance.now() - w) * 100);
  }
}
for (const [k, v] of Object.entries(rows)) {
  const sorted = v.sort((a, b) => a - b);
  console.log(
    `${k.padEnd(6)} median ${sorted[4]!.toFixed(0)} ns/record (runs: ${sorted.map((x) => x.toFixed(0)).join(' ')})`,
  );
}
await nv.close();
agent.destroy();
sink.disconnect();
