// Same-process A/B of the ingest handler: an older checkout (for instance a `git worktree` of the
// previous commit) and this tree loaded side by side, run batch by batch against the bench sink,
// alternating which goes first. Runs of the same code vary by about ±30% from batch to batch on a
// noisy machine; the per-pair ratio, alternated and taken over many rounds, is what shows a change.
//
//   git worktree add ../sluice-old HEAD~1 && ln -s "$PWD/node_modules" ../sluice-old/node_modules
//   npx node --expose-gc test/bench/ab.ts syslog ../sluice-old [rounds]
//
// Prints the medians of both (wall ns per record, or CPU with AB_CPU=1) and of the new/old ratios.
import { fork } from 'node:child_process';
import path from 'node:path';
import type { Contestant } from './contestants.ts';
import { sluice } from './contestants.ts';
import { benchCorpora, packEvent } from './corpora.ts';

const [corpusName = 'json-small', oldRoot, roundsText = '40'] = process.argv.slice(2);
if (oldRoot === undefined) {
  console.error('usage: npx node --expose-gc test/bench/ab.ts <corpus> <old checkout> [rounds]');
  process.exit(2);
}
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc (a GC before each batch, as the bench does)');
const corpus = benchCorpora().corpora.find((c) => c.name === corpusName);
if (corpus === undefined) throw new Error(`unknown corpus ${corpusName}`);

const here = import.meta.dirname;
const old = (await import(path.resolve(oldRoot, 'test/bench/contestants.ts'))) as { sluice: typeof sluice };
const sink = fork(path.join(here, 'sink.ts'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
const port = await new Promise<number>((resolve) =>
  sink.once('message', (m: { port: number }) => resolve(m.port)),
);
const url = `http://127.0.0.1:${port}`;
const size = 10_000;
const { event } = packEvent(corpus.lines(size), size);
const a = old.sluice(url);
const b = sluice(url);

// Powertools writes its log and EMF lines to stdout, as on Lambda: not measured here.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (() => true) as typeof process.stdout.write;

const cpu = process.env.AB_CPU === '1';
async function one(contestant: Contestant): Promise<number> {
  gc?.();
  const usage = process.cpuUsage();
  const started = performance.now();
  const outcome = await contestant.run(event);
  const wall = performance.now() - started;
  const used = process.cpuUsage(usage);
  if (outcome.failed > 0) throw new Error(`${outcome.failed} records not indexed`);
  return ((cpu ? (used.user + used.system) / 1000 : wall) * 1e6) / size;
}

const rounds = Number(roundsText);
const olds: number[] = [];
const news: number[] = [];
const ratios: number[] = [];
for (let round = 0; round < rounds + 6; round++) {
  let x: number;
  let y: number;
  if (round % 2 === 0) {
    x = await one(a);
    y = await one(b);
  } else {
    y = await one(b);
    x = await one(a);
  }
  // The first rounds warm both up.
  if (round >= 6) {
    olds.push(x);
    news.push(y);
    ratios.push(y / x);
  }
}
process.stdout.write = write;
const quantile = (values: number[], q: number) =>
  [...values].sort((p, r) => p - r)[Math.floor((values.length - 1) * q)] ?? Number.NaN;
console.log(
  `${corpus.name}: old ${quantile(olds, 0.5).toFixed(0)}, new ${quantile(news, 0.5).toFixed(0)} ns/record (${cpu ? 'CPU' : 'wall'}); ` +
    `new/old median ${quantile(ratios, 0.5).toFixed(3)} (IQR ${quantile(ratios, 0.25).toFixed(3)}–${quantile(ratios, 0.75).toFixed(3)}, ${rounds} rounds)`,
);
sink.disconnect();
