// `npm run bench`: Sluice's ingest handler against a naive Lambda and the no-I/O floor, alternating
// in one run; then peak RSS of 6 MB batches in fresh processes; then cold start of the bundle.
// Prints markdown tables and writes test/bench/results/latest.json.
//
// Options: --reps N (default 7), --warmup N (default 2), --sizes 5000,10000,
// --corpora json-small,nginx, --skip-memory, --skip-cold-start.

import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { type ColdStart, coldStart } from './cold-start.ts';
import { CONTESTANTS, type ContestantName } from './contestants.ts';
import { MAX_PAYLOAD_BYTES, packEvent, sizedJsonLines } from './corpora.ts';
import type { MemorySample, MemoryTask } from './memory-run.ts';
import { type Spread, spread } from './stats.ts';
import type { RunSample, ThroughputTask } from './worker.ts';

const here = import.meta.dirname;
const MiB = 1024 * 1024;
const LAMBDA_MEMORY_MB = 256;

const { values: args } = parseArgs({
  options: {
    reps: { type: 'string', default: '7' },
    warmup: { type: 'string', default: '2' },
    sizes: { type: 'string', default: '5000,10000' },
    corpora: { type: 'string' },
    'skip-memory': { type: 'boolean', default: false },
    'skip-cold-start': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(here, 'results/latest.json') },
  },
});

function startSink(): Promise<{ url: string; child: ChildProcess }> {
  const child = fork(path.join(here, 'sink.ts'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve({ url: `http://127.0.0.1:${m.port}`, child }));
    child.once('exit', (code) => reject(new Error(`sink exited with ${code}`)));
  });
}

interface WorkerOutput {
  samples: Array<RunSample | MemorySample>;
  notes: string[];
  errors: string[];
  stdoutBytes: number;
}

/** Forks a worker with its stdout piped here and counted (Powertools' log and EMF lines). */
function runWorker(
  script: string,
  task: ThroughputTask | MemoryTask,
  execArgv: string[],
): Promise<WorkerOutput> {
  const child = fork(script, [JSON.stringify(task)], {
    execArgv,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, AWS_REGION: 'us-east-1', POWERTOOLS_METRICS_NAMESPACE: 'SluiceBench' },
  });
  const out: WorkerOutput = { samples: [], notes: [], errors: [], stdoutBytes: 0 };
  child.stdout?.on('data', (chunk: Buffer) => {
    out.stdoutBytes += chunk.length;
  });
  child.on(
    'message',
    (m: RunSample | MemorySample | { type: 'note' | 'error'; text: string } | { type: 'done' }) => {
      if (m.type === 'run' || m.type === 'memory') out.samples.push(m);
      else if (m.type === 'note') out.notes.push(m.text);
      else if (m.type === 'error') out.errors.push(m.text);
      if (m.type === 'run') process.stderr.write('.');
    },
  );
  return new Promise((resolve) => child.on('exit', () => resolve(out)));
}

interface ContestantFigures {
  docsPerSec: Spread;
  mbPerSec: Spread;
  cpuMsPerMB: Spread;
  wallMs: Spread;
  bulkRequests: number;
  bulkBytes: number;
  maxBodyBytes: number;
}

interface CaseFigures {
  corpus: string;
  size: number;
  records: number;
  valueMB: number;
  payloadMB: number;
  contestants: Partial<Record<ContestantName, ContestantFigures>>;
  ratios: { sluiceNaive: Spread; sluiceFloor: Spread };
}

function figures(samples: RunSample[]): CaseFigures[] {
  const cases = new Map<string, RunSample[]>();
  for (const s of samples) {
    const key = `${s.corpus}/${s.size}`;
    (cases.get(key) ?? cases.set(key, []).get(key)!).push(s);
  }
  return [...cases.values()].map((list) => {
    const first = list[0]!;
    const valueMB = first.valueBytes / MiB;
    const contestants: CaseFigures['contestants'] = {};
    for (const name of CONTESTANTS) {
      const runs = list.filter((s) => s.contestant === name);
      if (runs.length === 0) continue;
      contestants[name] = {
        docsPerSec: spread(runs.map((r) => (r.records / r.wallMs) * 1000)),
        mbPerSec: spread(runs.map((r) => (valueMB / r.wallMs) * 1000)),
        cpuMsPerMB: spread(runs.map((r) => r.cpuMs / valueMB)),
        wallMs: spread(runs.map((r) => r.wallMs)),
        bulkRequests: Math.max(...runs.map((r) => r.bulkRequests)),
        bulkBytes: Math.max(...runs.map((r) => r.bulkBytes)),
        maxBodyBytes: Math.max(...runs.map((r) => r.maxBodyBytes)),
      };
    }
    // Ratios per round (the three ran back to back), then their spread.
    const ratio = (other: ContestantName) =>
      spread(
        [...new Set(list.map((s) => s.round))].flatMap((round) => {
          const a = list.find((s) => s.round === round && s.contestant === 'sluice');
          const b = list.find((s) => s.round === round && s.contestant === other);
          return a && b ? [b.wallMs / a.wallMs] : [];
        }),
      );
    return {
      corpus: first.corpus,
      size: first.size,
      records: first.records,
      valueMB,
      payloadMB: first.payloadBytes / MiB,
      contestants,
      ratios: { sluiceNaive: ratio('naive'), sluiceFloor: ratio('floor') },
    };
  });
}

const f0 = (n: number) => Math.round(n).toLocaleString('en-US');
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const range = (s: Spread, f: (n: number) => string) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`;

function throughputTable(cases: CaseFigures[]): string {
  const rows = [
    '| corpus | records | MB | contestant | docs/s median (min–max) | MB/s | CPU ms/MB | bulk req | bulk MB |',
    '|---|---:|---:|---|---:|---:|---:|---:|---:|',
  ];
  for (const c of cases) {
    for (const name of CONTESTANTS) {
      const x = c.contestants[name];
      if (!x) continue;
      rows.push(
        `| ${c.corpus} | ${c.records} | ${f1(c.valueMB)} | ${name} | ${range(x.docsPerSec, f0)} | ${f1(x.mbPerSec.median)} | ${f1(x.cpuMsPerMB.median)} | ${name === 'floor' ? '–' : x.bulkRequests} | ${name === 'floor' ? '–' : f1(x.bulkBytes / MiB)} |`,
      );
    }
  }
  return rows.join('\n');
}

function ratioTable(cases: CaseFigures[]): string {
  const rows = [
    '| corpus | records | sluice/naive median (min–max) | sluice/floor median (min–max) |',
    '|---|---:|---:|---:|',
  ];
  for (const c of cases) {
    rows.push(
      `| ${c.corpus} | ${c.records} | ${range(c.ratios.sluiceNaive, f2)} | ${range(c.ratios.sluiceFloor, f2)} |`,
    );
  }
  return rows.join('\n');
}

function memoryTable(samples: Array<MemorySample & { lineBytes: number }>): string {
  const rows = [
    '| batch | records | payload MB | contestant | RSS before MiB | peak RSS MiB | fits 256 MB |',
    '|---|---:|---:|---|---:|---:|---|',
  ];
  for (const s of samples) {
    rows.push(
      `| ~${s.lineBytes} B records | ${s.records} | ${f2(s.payloadBytes / MiB)} | ${s.contestant} | ${f1(s.rssBeforeMiB)} | ${f1(s.peakRssMiB)} | ${s.peakRssMiB < LAMBDA_MEMORY_MB ? 'yes' : 'NO'} |`,
    );
  }
  return rows.join('\n');
}

function coldTable(cold: ColdStart): string {
  return [
    '| module | size | require() median ms |',
    '|---|---:|---:|',
    `| empty module | 0 B | ${f1(cold.importMs.empty)} |`,
    `| ingest bundle (esbuild, cjs, node22) | ${f2(cold.bundleBytes / MiB)} MiB (${f2(cold.bundleGzipBytes / MiB)} MiB gzip) | ${f1(cold.importMs.bundle)} |`,
    `| ingest bundle, minified | ${f2(cold.minifiedBytes / MiB)} MiB | ${f1(cold.importMs.minified)} |`,
  ].join('\n');
}

/**
 * JSON with two-space indents and arrays of scalars on one line when they fit, as the repository's
 * formatter (Biome) writes it, so that a committed results file passes `npm run lint`.
 */
function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(
    /^( *)("[^"]*": )?\[\n([^[\]{}]*?)\n *\]/gm,
    (whole, indent: string, key = '', body: string) => {
      const items = body.split(',\n').map((item) => item.trim());
      const line = `${indent}${key}[${items.join(', ')}]`;
      return line.length <= 110 ? line : whole;
    },
  );
}

/**
 * Peak RSS of one 6 MB batch per contestant and record size, each in a fresh process running an
 * esbuild bundle of memory-run.ts (TypeScript type stripping would add its own memory).
 */
async function measureMemory(
  sinkUrl: string,
): Promise<{ samples: Array<MemorySample & { lineBytes: number }>; errors: string[] } | string> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return 'memory skipped: esbuild is not installed (needed to bundle test/bench/memory-run.ts)';
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-memory-'));
  try {
    const script = path.join(dir, 'memory-run.cjs');
    await esbuild.build({
      entryPoints: [path.join(here, 'memory-run.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22',
      outfile: script,
      logLevel: 'silent',
    });
    const samples: Array<MemorySample & { lineBytes: number }> = [];
    const errors: string[] = [];
    for (const lineBytes of [420, 32_768]) {
      const count = Math.ceil(MAX_PAYLOAD_BYTES / lineBytes);
      const packed = packEvent(sizedJsonLines(Math.min(count, 10_000), lineBytes), 10_000);
      const payloadFile = path.join(dir, `payload-${lineBytes}.json`);
      writeFileSync(payloadFile, JSON.stringify(packed.event));
      for (const contestant of CONTESTANTS) {
        const task: MemoryTask = {
          contestant,
          sinkUrl,
          payloadFile,
          pipelinesFile: path.resolve(here, '../../infra/pipelines.yaml'),
        };
        const out = await runWorker(script, task, []);
        errors.push(...out.errors);
        for (const s of out.samples) {
          if (s.type !== 'memory') continue;
          if (s.docs !== s.records) errors.push(`memory ${contestant}: ${s.docs}/${s.records} docs`);
          samples.push({ ...s, lineBytes });
        }
        process.stderr.write('.');
      }
    }
    return { samples, errors };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const sink = await startSink();
const startedAt = new Date().toISOString();
const notes: string[] = [];
const errors: string[] = [];
let output = '';
const print = (text: string) => {
  output += `${text}\n`;
  process.stdout.write(`${text}\n`);
};
try {
  const sizes = args.sizes.split(',').map(Number);
  const task: ThroughputTask = {
    mode: 'throughput',
    sinkUrl: sink.url,
    sizes,
    reps: Number(args.reps),
    warmup: Number(args.warmup),
    ...(args.corpora ? { corpora: args.corpora.split(',') } : {}),
  };
  process.stderr.write('throughput ');
  const tp = await runWorker(path.join(here, 'worker.ts'), task, [...process.execArgv, '--expose-gc']);
  process.stderr.write('\n');
  notes.push(...tp.notes);
  errors.push(...tp.errors);
  const cases = figures(tp.samples.filter((s): s is RunSample => s.type === 'run'));

  let memory: Array<MemorySample & { lineBytes: number }> = [];
  if (!args['skip-memory']) {
    process.stderr.write('memory ');
    const result = await measureMemory(sink.url);
    if (typeof result === 'string') notes.push(result);
    else {
      errors.push(...result.errors);
      memory = result.samples;
    }
    process.stderr.write('\n');
  }

  let cold: ColdStart | undefined;
  if (!args['skip-cold-start']) {
    const result = await coldStart();
    if (typeof result === 'string') notes.push(result);
    else cold = result;
  }

  const cpus = os.cpus();
  print(
    `\n### Throughput (${task.reps} alternating rounds; node ${process.version}, ${cpus.length} × ${cpus[0]?.model ?? 'cpu'})\n`,
  );
  print(throughputTable(cases));
  print('\nRatios per round (wall time of the other ÷ wall time of sluice; > 1 means sluice is faster):\n');
  print(ratioTable(cases));
  print(
    `\nMB = Kafka value bytes (MiB). CPU ms/MB: process.cpuUsage of the bench process (the sink runs in its own process). Powertools log/EMF output captured: ${tp.stdoutBytes} bytes.`,
  );
  const maxBody = Math.max(
    0,
    ...cases.flatMap((c) => Object.values(c.contestants).map((x) => x.maxBodyBytes)),
  );
  print(`Largest bulk body: ${f0(maxBody)} bytes (cap ${f0(5 * MiB)}).`);
  if (memory.length > 0) {
    print('\n### Memory: one 6 MB batch, two invocations, fresh process each\n');
    print(memoryTable(memory));
  }
  if (cold) {
    print(`\n### Cold start (require() in a fresh process, median of ${cold.runs})\n`);
    print(coldTable(cold));
  }
  for (const note of notes) print(`\nNote: ${note}`);
  for (const error of errors) print(`\nERROR: ${error}`);

  mkdirSync(path.dirname(args.out), { recursive: true });
  writeFileSync(
    args.out,
    `${toJson({
      startedAt,
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model,
      options: { reps: task.reps, warmup: task.warmup, sizes, corpora: task.corpora ?? 'all' },
      throughput: cases,
      memory,
      coldStart: cold ?? null,
      largestBulkBodyBytes: maxBody,
      logBytesCaptured: tp.stdoutBytes,
      notes,
      errors,
      table: output,
    })}\n`,
  );
  process.stderr.write(`wrote ${path.relative(process.cwd(), args.out)}\n`);
  if (errors.length > 0) process.exitCode = 1;
} finally {
  sink.child.disconnect();
}
