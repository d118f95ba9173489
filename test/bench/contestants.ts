// The three things the benchmark compares, each as `run(event)`:
// - sluice: the real ingest handler (production config path, Powertools logging and metrics on);
// - naive: what a first Lambda would do: decode, JSON.parse (or one regex), `client.helpers.bulk`;
// - floor: decode, JSON.parse (or the same regex), JSON.stringify into NDJSON bodies, no I/O.

import path from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import type { Context } from 'aws-lambda';
import type { KafkaEvent } from '../../functions/core/kafka/types.ts';
import { createIngestHandler } from '../../functions/ingest/handler.ts';
import type { ProcessedBatch } from '../../functions/ingest/process.ts';

export const CONTESTANTS = ['sluice', 'naive', 'floor'] as const;
export type ContestantName = (typeof CONTESTANTS)[number];

export interface RunOutcome {
  /** Records the contestant handled (written, or serialised for the floor). */
  docs: number;
  /** Records that did not end indexed (should be 0). */
  failed: number;
}

export interface Contestant {
  name: ContestantName;
  run(event: KafkaEvent): Promise<RunOutcome>;
  close(): Promise<void>;
}

const MiB = 1024 * 1024;
export const BULK_MAX_BYTES = 5 * MiB;

function lambdaContext(): Context {
  const deadline = Date.now() + 900_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'sluice-bench-ingest',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:sluice-bench-ingest',
    memoryLimitInMB: '1024',
    awsRequestId: 'bench',
    logGroupName: '/aws/lambda/sluice-bench-ingest',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** `pipelinesFile`: infra/pipelines.yaml of this repository unless given (a bundle has no import.meta). */
export function sluice(sinkUrl: string, pipelinesFile?: string): Contestant {
  let last: ProcessedBatch | undefined;
  const handler = createIngestHandler({
    env: {
      AWS_REGION: 'us-east-1',
      OPENSEARCH_ENDPOINT: sinkUrl,
      OPENSEARCH_AUTH: 'none',
      DEAD_LETTER_BUCKET: 'sluice-bench-dead-letters',
      S3_ENDPOINT: 'http://127.0.0.1:9',
      PIPELINES_FILE: pipelinesFile ?? path.resolve(import.meta.dirname, '../../infra/pipelines.yaml'),
      BULK_MAX_BYTES: String(BULK_MAX_BYTES),
      // Ingest settings given to the bench (e.g. BULK_STREAM_BYTES) reach the handler as they would in Lambda.
      ...Object.fromEntries(Object.entries(process.env).filter(([name]) => name.startsWith('BULK_'))),
    },
    onBatch: (batch) => {
      last = batch;
    },
  });
  return {
    name: 'sluice',
    async run(event) {
      const response = await handler(event, lambdaContext());
      const counters = last?.result.counters;
      if (!counters) throw new Error('sluice: no batch seen');
      return {
        docs: counters.indexed,
        failed: counters.recordsIn - counters.indexed + (response?.batchItemFailures.length ?? 0),
      };
    },
    async close() {},
  };
}

// One regex per line for the text corpora, as a hand-written consumer would have.
const NGINX = /^(\S+) \S+ (\S+) \[([^\]]+)\] "(\S+) (\S+) (\S+)" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"/;
const SYSLOG = /^<(\d+)>(\w{3} [ \d]\d \d\d:\d\d:\d\d) (\S+) ([^[:\s]+)(?:\[(\d+)\])?: (.*)$/;
const GENERIC = /^(\S+\s+\S+)\s+(.*)$/;

function regexFields(topic: string, line: string): Record<string, unknown> {
  if (topic.startsWith('nginx')) {
    const m = NGINX.exec(line);
    if (m) {
      return {
        source: { ip: m[1] },
        user: { name: m[2] },
        '@timestamp': m[3],
        http: {
          request: { method: m[4] },
          version: m[6],
          response: { status_code: Number(m[7]), bytes: m[8] === '-' ? 0 : Number(m[8]) },
        },
        url: { original: m[5] },
        referrer: m[9],
        user_agent: { original: m[10] },
      };
    }
  } else if (topic.startsWith('syslog')) {
    const m = SYSLOG.exec(line);
    if (m) {
      return {
        priority: Number(m[1]),
        '@timestamp': m[2],
        host: { hostname: m[3] },
        process: { name: m[4], pid: m[5] ? Number(m[5]) : undefined },
        message: m[6],
      };
    }
  } else {
    const m = GENERIC.exec(line);
    if (m) return { '@timestamp': m[1], message: m[2] };
  }
  return { message: line };
}

function parseValue(topic: string, text: string, codec: 'json' | 'text'): Record<string, unknown> {
  return codec === 'json' ? (JSON.parse(text) as Record<string, unknown>) : regexFields(topic, text);
}

interface NaiveDoc {
  id: string;
  topic: string;
  doc: Record<string, unknown>;
}

export function naive(sinkUrl: string, codec: () => 'json' | 'text'): Contestant {
  const client = new Client({ node: sinkUrl, maxRetries: 0, requestTimeout: 60_000 });
  return {
    name: 'naive',
    async run(event) {
      const docs: NaiveDoc[] = [];
      const c = codec();
      for (const list of Object.values(event.records)) {
        for (const record of list) {
          if (!record.value) continue;
          const text = Buffer.from(record.value, 'base64').toString('utf8');
          docs.push({
            id: `${record.topic}:${record.partition}:${record.offset}`,
            topic: record.topic,
            doc: parseValue(record.topic, text, c),
          });
        }
      }
      let failed = 0;
      const stats = await client.helpers.bulk({
        datasource: docs,
        onDocument: (d: NaiveDoc) => ({ create: { _index: `logs-${d.topic}`, _id: d.id } }),
        onDrop: () => {
          failed++;
        },
        flushBytes: BULK_MAX_BYTES,
        concurrency: 2,
        retries: 0,
        // biome-ignore lint/suspicious/noExplicitAny: the helper's document type is the datasource item
      } as any);
      return { docs: stats.successful, failed: failed + stats.failed };
    },
    async close() {
      await client.close();
    },
  };
}

export function floor(codec: () => 'json' | 'text'): Contestant {
  return {
    name: 'floor',
    async run(event) {
      const c = codec();
      let body = '';
      let docs = 0;
      let bodies = 0;
      for (const list of Object.values(event.records)) {
        for (const record of list) {
          if (!record.value) continue;
          const text = Buffer.from(record.value, 'base64').toString('utf8');
          const doc = parseValue(record.topic, text, c);
          body += `{"create":{"_index":"logs-${record.topic}","_id":"${record.topic}:${record.partition}:${record.offset}"}}\n${JSON.stringify(doc)}\n`;
          docs++;
          if (body.length >= BULK_MAX_BYTES) {
            bodies += Buffer.from(body, 'utf8').length;
            body = '';
          }
        }
      }
      if (body !== '') bodies += Buffer.from(body, 'utf8').length;
      if (bodies === 0 && docs > 0) throw new Error('floor: nothing serialised');
      return { docs, failed: 0 };
    },
    async close() {},
  };
}
