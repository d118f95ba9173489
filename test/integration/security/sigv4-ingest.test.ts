import path from 'node:path';
import { Client } from '@opensearch-project/opensearch';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaEvent } from '../../../functions/core/kafka/types.ts';
import { createIngestHandler } from '../../../functions/ingest/handler.ts';
import { startSigV4Gate } from '../../../infra/local/opensearch/sigv4.ts';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.ts';

// The ingest function with OPENSEARCH_AUTH=sigv4 through a gate that verifies every request's
// signature: signed bulk requests go through; under a wrong secret every request is refused (403)
// and the records are reported for redelivery, not dead-lettered.

const repo = path.resolve(import.meta.dirname, '../../..');
let stack: LocalStack;
const saved = { ...process.env };
beforeAll(async () => {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  // The default provider reads these; s3rver accepts the same pair.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
  stack = await startLocalStack();
});
afterAll(async () => {
  process.env = saved;
  await stack?.close();
});

function event(topic: string): KafkaEvent {
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/s/1',
    records: {
      [`${topic}-0`]: [0, 1, 2].map((offset) => ({
        topic,
        partition: 0,
        offset,
        timestamp: Date.UTC(2026, 10, 20),
        key: null,
        value: Buffer.from(
          JSON.stringify({
            '@timestamp': '2026-11-20T12:00:00Z',
            message: `m${offset}`,
            service: { name: topic },
          }),
        ).toString('base64'),
        headers: [],
      })),
    },
  };
}

async function ingestThroughGate(topic: string, secret: string) {
  const gate = await startSigV4Gate(stack.opensearchUrl, {
    secretFor: (id) => (id === 'S3RVER' ? secret : undefined),
    region: 'eu-west-1',
    service: 'es',
  });
  try {
    const handler = createIngestHandler({
      env: {
        ...stack.env,
        OPENSEARCH_ENDPOINT: gate.url,
        OPENSEARCH_AUTH: 'sigv4',
        OPENSEARCH_SERVICE: 'es',
        AWS_REGION: 'eu-west-1',
        PIPELINES_FILE: path.join(repo, 'infra/pipelines.yaml'),
        BULK_BASE_DELAY_MS: '5',
        BULK_MAX_DELAY_MS: '20',
        SAFETY_MARGIN_MS: '300',
      },
    });
    const deadline = Date.now() + 1_500;
    const response = await handler(event(topic), {
      awsRequestId: topic,
      functionName: 'ingest',
      getRemainingTimeInMillis: () => deadline - Date.now(),
    } as unknown as Context);
    return { response, denied: [...gate.denied] };
  } finally {
    await gate.close();
  }
}

describe('ingest with SigV4 against a verifying endpoint', () => {
  it('signed bulk requests are accepted and the records indexed', async () => {
    const { response, denied } = await ingestThroughGate('sigv4-ok', 'S3RVER');
    expect(denied).toEqual([]);
    expect(response.batchItemFailures).toEqual([]);
    const client = new Client({ node: stack.opensearchUrl });
    await client.indices.refresh({ index: 'logs-sigv4-ok-*' });
    const count = await client.count({ index: 'logs-sigv4-ok-*' });
    await client.close();
    expect(count.body.count).toBe(3);
  });

  it('a wrong secret is refused with 403 on every request; the batch is reported, nothing dead-lettered', async () => {
    const { response, denied } = await ingestThroughGate('sigv4-bad', 'not-the-secret');
    expect(denied.length).toBeGreaterThan(0);
    expect(new Set(denied)).toEqual(new Set(['signature_does_not_match']));
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: { partition: 'sigv4-bad-0', offset: 0 } }]);
  });
});

describe('the local server checking SigV4 itself', () => {
  it('refuses unsigned requests with 403 and indexes what the ingest signs', async () => {
    const { startOpenSearchServer } = await import('../../../infra/local/opensearch/server.ts');
    const server = await startOpenSearchServer({
      sigv4: {
        secretFor: (id) => (id === 'S3RVER' ? 'S3RVER' : undefined),
        region: 'eu-west-1',
        service: 'es',
      },
    });
    try {
      const unsigned = await fetch(`${server.url}/_cat/indices?format=json`);
      expect(unsigned.status).toBe(403);
      // Test controls stay open, as on the unsigned server.
      expect((await fetch(`${server.url}/_sluice/clock`)).status).toBe(200);

      const handler = createIngestHandler({
        env: {
          ...stack.env,
          OPENSEARCH_ENDPOINT: server.url,
          OPENSEARCH_AUTH: 'sigv4',
          OPENSEARCH_SERVICE: 'es',
          AWS_REGION: 'eu-west-1',
          PIPELINES_FILE: path.join(repo, 'infra/pipelines.yaml'),
        },
      });
      const response = await handler(event('sigv4-server'), {
        awsRequestId: 'sigv4-server',
        functionName: 'ingest',
        getRemainingTimeInMillis: () => 30_000,
      } as unknown as Context);
      expect(response.batchItemFailures).toEqual([]);
      const requests = (await (await fetch(`${server.url}/_sluice/requests`)).json()) as {
        requests: Array<{ path: string; status: number }>;
      };
      expect(requests.requests.filter((r) => r.path === '/_bulk').map((r) => r.status)).toEqual([200]);
    } finally {
      await server.close();
    }
  });
});
