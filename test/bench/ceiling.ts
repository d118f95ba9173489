// The budget of a JSON batch, in one run, alternating (wall time per record, median of 9 runs):
// - ready: bulk bodies made beforehand (documents shaped like Sluice's: the line plus `@timestamp`,
//   `service` and `kafka`), sent 512 KiB at a time, two at once, to the bench sink; no preparing at
//   all: how fast any contestant that sends through the sink can be;
// - scan: Sluice's values decoded and scanned (json-bytes.ts), no item written, no I/O;
// - prepare: Sluice's items written on the bytes (decode + writeItemOnBytes), no I/O;
// - sluice: the handler against the sink; floor and naive as in the bench.
//   npx node --expose-gc test/bench/ceiling.ts [json-small|json-mixed]
import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { BULK_FILTER_PATH } from '../../functions/adapters/opensearch.ts';
import { type DecodedEvent, decodeRecord, recordLists } from '../../functions/core/kafka/decode.ts';
import { ValueRun } from '../../functions/core/kafka/values.ts';
import { parsePipelineConfig, selectPipeline } from '../../functions/core/pipeline/config.ts';
import { createByteMembers, scanJsonBytes } from '../../functions/core/pipeline/json-bytes.ts';
import { closeSlabs, fastJsonPlan, openSlabs } from '../../functions/core/pipeline/json-fast.ts';
import { createPrepareCounters, writeItemOnBytes } from '../../functions/core/pipeline/prepare.ts';
import { floor, naive, sluice } from './contestants.ts';
import { benchCorpora, packEvent } from './corpora.ts';

const corpus = benchCorpora().corpora.find((c) => c.name === (process.argv[2] ?? 'json-small'))!;
const sink = fork(path.join(import.meta.dirname, 'sink.ts'), [], {
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const port = await new Promise<number>((r) => sink.once('message', (m: { port: number }) => r(m.port)));
const packed = packEvent(corpus.lines(10_000), 10_000);
// The records the event holds (a 6 MB event of large records holds fewer than 10,000).
const lines = corpus.lines(10_000).slice(0, packed.records);
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
        path: `/_bulk?filter_path=${encodeURIComponent(BULK_FILTER_PATH)}`,
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

// Sluice's preparing alone, as the handler's byte lane does it (process.ts, lane.ts) without the
// lane's bookkeeping: runs of values decoded, each record decoded, then scanned or written.
const config = parsePipelineConfig(
  parseYaml(readFileSync(path.join(import.meta.dirname, '../../infra/pipelines.yaml'), 'utf8')),
  {
    now: Date.now,
  },
);
const lists = recordLists(packed.event);
const run = new ValueRun();
const decoded: DecodedEvent = { records: [], errors: [], malformedHeaders: 0 };
const members = createByteMembers();
function prepareOnly(write: boolean): void {
  const counters = createPrepareCounters();
  const now = Date.now();
  let taken = 0;
  openSlabs();
  for (const list of lists) {
    for (let p = 0; p < list.records.length; p++) {
      if (!run.covers(list.records, p)) run.decode(list.records, p, 256, 64 * 1024);
      decodeRecord(list.records[p], list, decoded, run.valueAt(p));
      const record = decoded.records.pop();
      const pipeline = record && selectPipeline(config, record.topic);
      if (record?.value == null || pipeline === undefined) continue;
      if (write) {
        if (writeItemOnBytes(record, record.value, pipeline, counters, now)) taken++;
        continue;
      }
      const plan = fastJsonPlan(pipeline);
      if (plan !== undefined && scanJsonBytes(record.value, plan.limits, members)) taken++;
    }
  }
  closeSlabs(true);
  run.clear();
  if (taken !== packed.records) throw new Error(`the byte path took ${taken} of ${packed.records} records`);
}

const fl = floor(() => corpus.codec);
const nv = naive(`http://127.0.0.1:${port}`, () => corpus.codec);
const sl = sluice(`http://127.0.0.1:${port}`);
const write = process.stdout.write.bind(process.stdout);
// The handler's Powertools logs and metrics go to stdout: kept out of the figures printed.
process.stdout.write = (() => true) as typeof process.stdout.write;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
for (let i = 0; i < 5; i++) {
  await lower();
  prepareOnly(false);
  prepareOnly(true);
  await sl.run(packed.event);
  await fl.run(packed.event);
  await nv.run(packed.event);
}
const rows: Record<string, number[]> = { ready: [], scan: [], prepare: [], sluice: [], floor: [], naive: [] };
for (let t = 0; t < 9; t++) {
  for (const [name, f] of [
    ['ready', lower],
    ['scan', async () => prepareOnly(false)],
    ['prepare', async () => prepareOnly(true)],
    ['sluice', () => sl.run(packed.event)],
    ['floor', () => fl.run(packed.event)],
    ['naive', () => nv.run(packed.event)],
  ] as const) {
    gc();
    const w = performance.now();
    await f();
    rows[name]!.push(((performance.now() - w) * 1e6) / packed.records);
  }
}
process.stdout.write = write;
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[4]!;
for (const [k, v] of Object.entries(rows)) {
  const sorted = [...v].sort((a, b) => a - b);
  console.log(
    `${k.padEnd(7)} median ${median(v).toFixed(0)} ns/record (runs: ${sorted.map((x) => x.toFixed(0)).join(' ')})`,
  );
}
// What the JSON target asks of the handler, from this run's naive and floor.
const target = Math.min(median(rows.naive!) / 3, median(rows.floor!));
console.log(
  `target  ${target.toFixed(0)} ns/record (naive / 3 and the floor, the lower); prepare alone is ${(median(rows.prepare!) / target).toFixed(2)} of it`,
);
await nv.close();
await sl.close();
agent.destroy();
sink.disconnect();
