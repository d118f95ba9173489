// The measured process, forked by run.ts with its stdout piped away (Powertools writes its logs
// and EMF metrics there, as on Lambda). Sends one IPC message per measured run; never prints.

import type { KafkaEvent } from '../../functions/core/kafka/types.ts';
import { type Contestant, type ContestantName, floor, naive, sluice } from './contestants.ts';
import { benchCorpora, packEvent } from './corpora.ts';

export interface ThroughputTask {
  mode: 'throughput';
  sinkUrl: string;
  sizes: number[];
  reps: number;
  warmup: number;
  corpora?: string[];
}

export interface RunSample {
  type: 'run';
  corpus: string;
  size: number;
  records: number;
  valueBytes: number;
  payloadBytes: number;
  contestant: ContestantName;
  round: number;
  wallMs: number;
  cpuMs: number;
  docs: number;
  failed: number;
  bulkRequests: number;
  bulkBytes: number;
  maxBodyBytes: number;
}

type Message =
  | RunSample
  | { type: 'note'; text: string }
  | { type: 'error'; text: string }
  | { type: 'done' };

const send = (message: Message): Promise<void> =>
  new Promise((resolve, reject) =>
    process.send?.(message, (error: Error | null) => (error ? reject(error) : resolve())),
  );

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

interface SinkStats {
  requests: number;
  bytes: number;
  maxBodyBytes: number;
  items: number;
  invalid: number;
}

async function sinkStats(sinkUrl: string): Promise<SinkStats> {
  const res = await fetch(`${sinkUrl}/_sink/stats`);
  return (await res.json()) as SinkStats;
}

async function setValidate(sinkUrl: string, on: boolean): Promise<void> {
  await (await fetch(`${sinkUrl}/_sink/validate?on=${on ? 1 : 0}`, { method: 'PUT' })).text();
}

async function measure(contestant: Contestant, event: KafkaEvent, sinkUrl: string) {
  gc();
  await sinkStats(sinkUrl);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const outcome = await contestant.run(event);
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  const sink = await sinkStats(sinkUrl);
  return { outcome, wallMs, cpuMs: (used.user + used.system) / 1000, sink };
}

async function throughput(task: ThroughputTask): Promise<void> {
  const { corpora, notes } = benchCorpora();
  for (const text of notes) await send({ type: 'note', text });
  let codec: 'json' | 'text' = 'json';
  const contestants: Contestant[] = [
    sluice(task.sinkUrl),
    naive(task.sinkUrl, () => codec),
    floor(() => codec),
  ];
  for (const corpus of corpora) {
    if (task.corpora && !task.corpora.includes(corpus.name)) continue;
    codec = corpus.codec;
    const all = corpus.lines(Math.max(...task.sizes));
    for (const size of task.sizes) {
      const packed = packEvent(all, size);
      // Warm-up, the first pass with the sink checking every document line.
      for (let w = 0; w < task.warmup; w++) {
        await setValidate(task.sinkUrl, w === 0);
        for (const c of contestants) {
          const { outcome, sink } = await measure(c, packed.event, task.sinkUrl);
          if (outcome.failed > 0 || outcome.docs !== packed.records || sink.invalid > 0) {
            await send({
              type: 'error',
              text: `${c.name} on ${corpus.name}/${size}: ${outcome.docs}/${packed.records} docs, ${outcome.failed} failed, ${sink.invalid} invalid at the sink`,
            });
          }
        }
      }
      await setValidate(task.sinkUrl, false);
      for (let round = 0; round < task.reps; round++) {
        // Rotate the order each round so no contestant always runs right after another's garbage.
        for (let k = 0; k < contestants.length; k++) {
          const c = contestants[(round + k) % contestants.length]!;
          const { outcome, wallMs, cpuMs, sink } = await measure(c, packed.event, task.sinkUrl);
          await send({
            type: 'run',
            corpus: corpus.name,
            size,
            records: packed.records,
            valueBytes: packed.valueBytes,
            payloadBytes: packed.payloadBytes,
            contestant: c.name,
            round,
            wallMs,
            cpuMs,
            docs: outcome.docs,
            failed: outcome.failed,
            bulkRequests: sink.requests,
            bulkBytes: sink.bytes,
            maxBodyBytes: sink.maxBodyBytes,
          });
        }
      }
    }
  }
  for (const c of contestants) await c.close();
}

const task = JSON.parse(process.argv[2] ?? '{}') as ThroughputTask;
try {
  await throughput(task);
  await send({ type: 'done' });
} catch (error) {
  await send({
    type: 'error',
    text: error instanceof Error ? (error.stack ?? error.message) : String(error),
  });
}
process.disconnect();
