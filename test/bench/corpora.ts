// Deterministic benchmark corpora, generated in code, packed into ESM-shaped Kafka events.
// Loghub lines come from ../shared/loghub/ when it is there; otherwise that corpus is skipped.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { KafkaEvent, KafkaEventRecord } from '../../functions/core/kafka/types.ts';
import { jsonLine, mulberry32, nginxLine, syslogLine } from '../../infra/local/samples.ts';

export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
export const BASE_TIME_MS = Date.UTC(2026, 10, 20, 12);
const LOGHUB_DIR = path.resolve(import.meta.dirname, '../../../shared/loghub');
const LOGHUB_SYSTEMS = [
  'Android',
  'Apache',
  'HDFS',
  'Hadoop',
  'HealthApp',
  'Linux',
  'OpenSSH',
  'Zookeeper',
] as const;

export interface Line {
  topic: string;
  text: string;
}

export interface Corpus {
  name: string;
  /** How the naive and floor contestants read a line: JSON.parse, or one regex. */
  codec: 'json' | 'text';
  lines(count: number): Line[];
}

const SERVICES = ['checkout', 'auth', 'payments', 'catalog', 'search'] as const;
const LEVELS = ['debug', 'info', 'info', 'info', 'warn', 'error'] as const;
const WORDS = ['request', 'completed', 'order', 'cache', 'miss', 'user', 'payment', 'slow', 'query', 'retry'];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

/** A small winston/pino-style line (~100–200 B): top-level `level` and a plain `service` string. */
function smallJsonLine(random: () => number, timeMs: number): string {
  const words = Array.from({ length: 1 + Math.floor(random() * 6) }, () => pick(random, WORDS)).join(' ');
  return JSON.stringify({
    time: new Date(timeMs).toISOString(),
    level: pick(random, LEVELS),
    service: pick(random, SERVICES),
    msg: words,
    reqId: Math.floor(random() * 2 ** 40).toString(36),
    latency_ms: Math.floor(random() * 900),
  });
}

/** Line sizes like a real app topic: mostly small, some mid-size, a few with stack traces to ~4 KB. */
function mixedJsonLine(random: () => number, timeMs: number): string {
  const r = random();
  if (r < 0.5) return smallJsonLine(random, timeMs);
  if (r < 0.85) return jsonLine(random, timeMs);
  if (r < 0.97) return jsonLine(random, timeMs, 400 + Math.floor(random() * 800));
  return jsonLine(random, timeMs, 1500 + Math.floor(random() * 2300));
}

function generated(
  name: string,
  topic: string,
  codec: Corpus['codec'],
  make: (random: () => number, t: number) => string,
): Corpus {
  return {
    name,
    codec,
    lines(count) {
      const random = mulberry32(7);
      return Array.from({ length: count }, (_, i) => ({
        topic,
        text: make(random, BASE_TIME_MS - (count - i) * 10),
      }));
    },
  };
}

function loghubCorpus(): Corpus | undefined {
  const files = LOGHUB_SYSTEMS.map((system) => ({
    topic: `loghub.${system.toLowerCase()}`,
    file: path.join(LOGHUB_DIR, system, `${system}_2k.log`),
  })).filter((f) => existsSync(f.file));
  if (files.length === 0) return undefined;
  const perSystem = files.map((f) => ({
    topic: f.topic,
    lines: readFileSync(f.file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== ''),
  }));
  return {
    name: 'loghub',
    codec: 'text',
    lines(count) {
      // Round-robin over systems, each cycling through its own lines in file order.
      return Array.from({ length: count }, (_, i) => {
        const system = perSystem[i % perSystem.length]!;
        return {
          topic: system.topic,
          text: system.lines[Math.floor(i / perSystem.length) % system.lines.length]!,
        };
      });
    },
  };
}

export interface CorpusSet {
  corpora: Corpus[];
  notes: string[];
}

export function benchCorpora(): CorpusSet {
  const corpora: Corpus[] = [
    generated('json-small', 'app-logs', 'json', smallJsonLine),
    generated('json-mixed', 'app-logs', 'json', mixedJsonLine),
    generated('nginx', 'nginx.access', 'text', nginxLine),
    generated('syslog', 'syslog.hosts', 'text', syslogLine),
  ];
  const notes: string[] = [];
  const loghub = loghubCorpus();
  if (loghub) corpora.push(loghub);
  else
    notes.push(`loghub corpus skipped: no *_2k.log files under ${path.relative(process.cwd(), LOGHUB_DIR)}`);
  return { corpora, notes };
}

/** Lines of about `bytes` each for the memory runs: JSON app logs padded with a stack trace. */
export function sizedJsonLines(count: number, bytes: number): Line[] {
  const random = mulberry32(11);
  return Array.from({ length: count }, (_, i) => {
    // About `bytes`: the padding grows by whole stack frames.
    return {
      topic: 'app-logs',
      text: jsonLine(random, BASE_TIME_MS - (count - i) * 10, Math.max(0, bytes - 330)),
    };
  });
}

export interface PackedEvent {
  event: KafkaEvent;
  records: number;
  /** Sum of the Kafka values (decoded), the bytes a consumer is paid to move. */
  valueBytes: number;
  /** The invocation payload as Lambda would send it (JSON). */
  payloadBytes: number;
}

const PARTITIONS = 4;
const ENVELOPE = 512;

/**
 * Packs lines into one ESM event, round-robin over partitions, stopping at `maxRecords` or when
 * the next record would take the JSON payload over `maxPayloadBytes` (Lambda's 6 MB).
 */
export function packEvent(
  lines: readonly Line[],
  maxRecords: number,
  maxPayloadBytes = MAX_PAYLOAD_BYTES,
): PackedEvent {
  const records: Record<string, KafkaEventRecord[]> = {};
  const offsets = new Map<string, number>();
  let payload = ENVELOPE;
  let valueBytes = 0;
  let count = 0;
  for (const line of lines) {
    if (count >= maxRecords) break;
    const partition = count % PARTITIONS;
    const key = `${line.topic}-${partition}`;
    const offset = offsets.get(key) ?? 1_000_000;
    const value = Buffer.from(line.text, 'utf8');
    const record: KafkaEventRecord = {
      topic: line.topic,
      partition,
      offset,
      timestamp: BASE_TIME_MS + count,
      timestampType: 'CREATE_TIME',
      key: null,
      value: value.toString('base64'),
      headers: [],
    };
    const size = JSON.stringify(record).length + 1 + (records[key] ? 0 : key.length + 6);
    if (payload + size > maxPayloadBytes) break;
    payload += size;
    offsets.set(key, offset + 1);
    const list = records[key] ?? [];
    list.push(record);
    records[key] = list;
    valueBytes += value.length;
    count++;
  }
  const event: KafkaEvent = {
    eventSource: 'aws:kafka',
    eventSourceArn:
      'arn:aws:kafka:us-east-1:123456789012:cluster/bench/00000000-0000-0000-0000-000000000000-1',
    records,
  };
  return { event, records: count, valueBytes, payloadBytes: Buffer.byteLength(JSON.stringify(event)) };
}
