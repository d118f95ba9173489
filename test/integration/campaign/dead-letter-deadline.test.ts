import path from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaEvent } from '../../../functions/core/kafka/types.ts';
import { createIngestHandler } from '../../../functions/ingest/handler.ts';
import { type FaultyS3, startFaultyS3 } from '../../../infra/local/faulty-s3.ts';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.ts';

// The function must answer before its deadline: past it Lambda kills the invocation and the ESM
// retries the whole batch, so a dead letter written late is written again (the known duplicate
// limitation) and every settled record is redelivered. The bulk service keeps a safety margin for
// its OpenSearch requests; this checks that a slow dead-letter store cannot push it past the end.

const repo = path.resolve(import.meta.dirname, '../../..');
let stack: LocalStack;
let s3: FaultyS3;
beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  stack = await startLocalStack();
  s3 = await startFaultyS3(stack.s3Endpoint);
});
afterAll(async () => {
  await s3?.close();
  await stack?.close();
});

describe('deadline with a slow dead-letter store', () => {
  it('answers before the deadline, reporting what it could not dead-letter in time', async () => {
    const handler = createIngestHandler({
      env: {
        ...stack.env,
        S3_ENDPOINT: s3.endpoint,
        PIPELINES_FILE: path.join(repo, 'infra/pipelines.yaml'),
        SAFETY_MARGIN_MS: '500',
      },
    });
    const topic = 'dl-deadline';
    const event: KafkaEvent = {
      eventSource: 'aws:kafka',
      eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/d/1',
      records: {
        [`${topic}-0`]: [
          'garbage that cannot be parsed',
          JSON.stringify({ message: 'ok', service: { name: topic } }),
        ].map((v, offset) => ({
          topic,
          partition: 0,
          offset,
          timestamp: Date.UTC(2026, 10, 20),
          key: null,
          value: Buffer.from(v).toString('base64'),
          headers: [],
        })),
      },
    };
    // Warm the container (cold start is not what this is about).
    await handler({ ...event, records: {} }, {
      awsRequestId: 'w',
      functionName: 'f',
      getRemainingTimeInMillis: () => 60_000,
    } as unknown as Context);

    s3.slow(4_000);
    const budgetMs = 2_000;
    const deadline = Date.now() + budgetMs;
    const started = Date.now();
    let response: Awaited<ReturnType<typeof handler>> | undefined;
    let thrown: unknown;
    try {
      response = await handler(event, {
        awsRequestId: 'd',
        functionName: 'f',
        getRemainingTimeInMillis: () => deadline - Date.now(),
      } as unknown as Context);
    } catch (error) {
      thrown = error;
    } finally {
      s3.up();
    }
    const tookMs = Date.now() - started;
    // Without a deadline on the write, middy's timeout guard would throw at the deadline and the
    // whole batch would be retried, like a Lambda timeout.
    expect(
      thrown === undefined ? undefined : `${(thrown as Error).name}: ${(thrown as Error).message}`,
    ).toBeUndefined();
    expect(tookMs, `answered after ${tookMs} ms with a ${budgetMs} ms budget`).toBeLessThan(budgetMs);
    // The garbage record could not be made durable in time: reported, so the ESM redelivers it.
    expect(response?.batchItemFailures).toEqual([{ itemIdentifier: { partition: `${topic}-0`, offset: 0 } }]);
  });
});
