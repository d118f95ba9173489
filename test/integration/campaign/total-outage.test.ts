import path from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createS3Client } from '../../../functions/adapters/s3.ts';
import type { BatchResponse, KafkaEvent } from '../../../functions/core/kafka/types.ts';
import { createIngestHandler } from '../../../functions/ingest/handler.ts';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.ts';

// OpenSearch down for a whole invocation: the batch comes back (reported, or thrown with
// ON_UNFINISHED=throw) without a dead-letter flood, and RecordsReported in the EMF output —
// the metric the `reported_records` alert rule reads (namespace Sluice) — says so.

const repo = path.resolve(import.meta.dirname, '../../..');
const T0 = Date.UTC(2026, 10, 20, 12);
let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(async () => {
  await stack?.close();
});

function event(topic: string, partitions: number, perPartition: number): KafkaEvent {
  const records: KafkaEvent['records'] = {};
  for (let p = 0; p < partitions; p++)
    records[`${topic}-${p}`] = Array.from({ length: perPartition }, (_, offset) => ({
      topic,
      partition: p,
      offset,
      timestamp: T0 + offset,
      timestampType: 'CREATE_TIME',
      key: null,
      // Every fifth record is unparseable: it would be a dead letter if the batch got that far.
      value: Buffer.from(
        offset % 5 === 4
          ? `garbage ${offset}`
          : JSON.stringify({
              '@timestamp': '2026-11-20T12:00:00Z',
              message: `m${offset}`,
              service: { name: topic },
            }),
      ).toString('base64'),
      headers: [],
    }));
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/o/1',
    records,
  };
}

/** stdout/stderr while `work` runs. */
async function capture<T>(
  work: () => Promise<T>,
): Promise<{ output: string; result: T | undefined; error: unknown }> {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  let output = '';
  for (const stream of streams)
    stream.write = ((chunk: unknown) => {
      output += String(chunk);
      return true;
    }) as typeof stream.write;
  let result: T | undefined;
  let error: unknown;
  try {
    result = await work();
  } catch (e) {
    error = e;
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originals[i]!;
    });
  }
  return { output, result, error };
}

/** The EMF documents printed, as metric name → value, with their namespaces. */
function emf(output: string): Array<{ namespace: string; values: Record<string, unknown> }> {
  const out: Array<{ namespace: string; values: Record<string, unknown> }> = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    const doc = JSON.parse(line) as Record<string, unknown> & {
      _aws?: { CloudWatchMetrics: Array<{ Namespace: string; Metrics: Array<{ Name: string }> }> };
    };
    for (const directive of doc._aws?.CloudWatchMetrics ?? [])
      out.push({
        namespace: directive.Namespace,
        values: Object.fromEntries(directive.Metrics.map((m) => [m.Name, doc[m.Name]])),
      });
  }
  return out;
}

async function deadLetterObjects(topic: string): Promise<number> {
  const s3 = createS3Client({ region: 'us-east-1', endpoint: stack.s3Endpoint });
  const listed = await s3.send(
    new ListObjectsV2Command({
      Bucket: stack.env.DEAD_LETTER_BUCKET,
      Prefix: `dead-letters/topic=${topic}/`,
    }),
  );
  s3.destroy();
  return listed.KeyCount ?? 0;
}

const env = (extra: Record<string, string> = {}) => ({
  ...stack.env,
  PIPELINES_FILE: path.join(repo, 'infra/pipelines.yaml'),
  BULK_BASE_DELAY_MS: '5',
  BULK_MAX_DELAY_MS: '50',
  SAFETY_MARGIN_MS: '300',
  ...extra,
});

async function outage<T>(mode: 'refused' | 'unavailable', work: (endpoint: string) => Promise<T>) {
  if (mode === 'unavailable')
    await fetch(new URL('/_sluice/faults', stack.opensearchUrl), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        request: { rate: 1, statuses: [502, 503, 504] },
        reset_rate: 0.2,
        paths: ['/_bulk'],
      }),
    });
  try {
    return await work(mode === 'refused' ? 'http://127.0.0.1:1' : stack.opensearchUrl);
  } finally {
    await fetch(new URL('/_sluice/faults', stack.opensearchUrl), { method: 'DELETE' });
  }
}

describe('total outage of OpenSearch for a whole invocation', () => {
  it.each(['unavailable', 'refused'] as const)(
    '%s: every partition is reported from its first offset, nothing is dead-lettered, RecordsReported is emitted',
    async (mode) => {
      process.env.POWERTOOLS_METRICS_DISABLED = 'false';
      process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
      const topic = `outage-${mode}`;
      const { output, result, error } = await outage(mode, (endpoint) =>
        capture(async () => {
          const handler = createIngestHandler({ env: env({ OPENSEARCH_ENDPOINT: endpoint }) });
          const deadline = Date.now() + 1_500;
          return (await handler(event(topic, 3, 20), {
            awsRequestId: 'o',
            functionName: 'ingest',
            getRemainingTimeInMillis: () => deadline - Date.now(),
          } as unknown as Context)) as BatchResponse;
        }),
      );
      expect(error).toBeUndefined();
      expect(result?.batchItemFailures).toEqual(
        [0, 1, 2].map((p) => ({ itemIdentifier: { partition: `${topic}-${p}`, offset: 0 } })),
      );
      // The unparseable records come again with their partition: not one dead-letter object now.
      expect(await deadLetterObjects(topic)).toBe(0);
      const metrics = emf(output).filter((m) => m.namespace === 'Sluice');
      expect(metrics.map((m) => m.values.RecordsReported)).toEqual([60]);
      expect(metrics[0]?.values.RecordsDeadLettered).toBe(0);
      expect(output).toContain('batch partly unfinished');
    },
  );

  it('ON_UNFINISHED=throw: the invocation fails (the ESM retries the batch) and the metric is still emitted', async () => {
    process.env.POWERTOOLS_METRICS_DISABLED = 'false';
    process.env.POWERTOOLS_LOG_LEVEL = 'WARN';
    const topic = 'outage-throw';
    const { output, error } = await outage('unavailable', (endpoint) =>
      capture(async () => {
        const handler = createIngestHandler({
          env: env({ OPENSEARCH_ENDPOINT: endpoint, ON_UNFINISHED: 'throw' }),
        });
        const deadline = Date.now() + 1_500;
        return handler(event(topic, 2, 10), {
          awsRequestId: 'o',
          functionName: 'ingest',
          getRemainingTimeInMillis: () => deadline - Date.now(),
        } as unknown as Context);
      }),
    );
    expect((error as Error | undefined)?.name).toBe('UnfinishedBatchError');
    expect(await deadLetterObjects(topic)).toBe(0);
    expect(
      emf(output)
        .filter((m) => m.namespace === 'Sluice')
        .map((m) => m.values.RecordsReported),
    ).toEqual([20]);
  });
});
