// One memory measurement, run in a fresh process: run.ts bundles this file with esbuild (so no
// TypeScript tooling sits in the process's memory) and forks it with a task. It reads a Lambda
// payload from a file as the runtime would, invokes one contestant twice and reports peak RSS.

import { readFileSync } from 'node:fs';
import type { KafkaEvent } from '../../functions/core/kafka/types.ts';
import { type ContestantName, floor, naive, sluice } from './contestants.ts';

export interface MemoryTask {
  contestant: ContestantName;
  sinkUrl: string;
  payloadFile: string;
  pipelinesFile: string;
}

export interface MemorySample {
  type: 'memory';
  contestant: ContestantName;
  records: number;
  payloadBytes: number;
  /** After loading the code and reading the payload text, before parsing it. */
  rssBeforeMiB: number;
  peakRssMiB: number;
  docs: number;
  failed: number;
}

const MiB = 1024 * 1024;

// No top-level await: the bundle is CommonJS.
async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as MemoryTask;
  const codec = () => 'json' as const;
  const contestant =
    task.contestant === 'sluice'
      ? sluice(task.sinkUrl, task.pipelinesFile)
      : task.contestant === 'naive'
        ? naive(task.sinkUrl, codec)
        : floor(codec);
  const payload = readFileSync(task.payloadFile, 'utf8');
  const rssBefore = process.memoryUsage().rss;
  let outcome = { docs: 0, failed: 0 };
  let records = 0;
  // Two invocations: the second one meets the first one's garbage in a warm container.
  for (let i = 0; i < 2; i++) {
    const event = JSON.parse(payload) as KafkaEvent;
    records = Object.values(event.records).reduce((n, list) => n + list.length, 0);
    outcome = await contestant.run(event);
  }
  await contestant.close();
  const sample: MemorySample = {
    type: 'memory',
    contestant: task.contestant,
    records,
    payloadBytes: Buffer.byteLength(payload),
    rssBeforeMiB: rssBefore / MiB,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    docs: outcome.docs,
    failed: outcome.failed,
  };
  process.send?.(sample, () => process.disconnect());
}

void main();
