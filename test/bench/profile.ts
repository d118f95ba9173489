// Runs one contestant on one corpus in a loop, in-process, for `node --cpu-prof`:
//   npx node --cpu-prof --cpu-prof-dir=<dir> test/bench/profile.ts [sluice|naive|floor] [corpus] [rounds]
// then `npx node test/bench/profile-summary.ts <dir>/<file>.cpuprofile` for self time by function.

import { fork } from 'node:child_process';
import path from 'node:path';
import { type Contestant, floor, naive, sluice } from './contestants.ts';
import { benchCorpora, packEvent } from './corpora.ts';

const [name = 'sluice', corpusName = 'json-small', roundsText = '30'] = process.argv.slice(2);
const corpus = benchCorpora().corpora.find((c) => c.name === corpusName);
if (!corpus) throw new Error(`no corpus ${corpusName}`);
const sink = fork(path.join(import.meta.dirname, 'sink.ts'), [], {
  stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
});
const port = await new Promise<number>((resolve) =>
  sink.once('message', (m: { port: number }) => resolve(m.port)),
);
const url = `http://127.0.0.1:${port}`;
const codec = () => corpus.codec;
const contestant: Contestant =
  name === 'sluice' ? sluice(url) : name === 'naive' ? naive(url, codec) : floor(codec);
const packed = packEvent(corpus.lines(10_000), 10_000);
const started = performance.now();
let docs = 0;
// Powertools writes a line per batch to stdout: keep it out of the terminal.
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (() => true) as typeof process.stdout.write;
for (let i = 0; i < Number(roundsText); i++) docs += (await contestant.run(packed.event)).docs;
process.stdout.write = write;
const seconds = (performance.now() - started) / 1000;
console.log(
  `${name} ${corpusName}: ${Math.round(docs / seconds)} docs/s over ${roundsText} rounds of ${packed.records}`,
);
await contestant.close();
sink.disconnect();
