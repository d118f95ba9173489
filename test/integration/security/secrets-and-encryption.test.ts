import path from 'node:path';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaEvent } from '../../../functions/core/kafka/types.ts';
import { createIngestHandler } from '../../../functions/ingest/handler.ts';
import { type FaultyS3, startFaultyS3 } from '../../../infra/local/faulty-s3.ts';
import { LocalBuckets } from '../../../infra/local/s3.ts';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.ts';

// Secrets stay out of logs, metrics, batch responses and dead letters; every object the ingest
// writes to S3 asks for server-side encryption. The handler runs with everything on: debug logs,
// EMF metrics, the raw archive, basic credentials in the endpoint URL, an AWS secret key.

const repo = path.resolve(import.meta.dirname, '../../..');
const OPENSEARCH_PASSWORD = 'pw-Zq7!x9#Secret';
const AWS_SECRET = 'awsSECRETkey/Do+Not+Log/0123456789abcdef';
const T0 = Date.UTC(2026, 10, 20, 12);

let stack: LocalStack;
let s3: FaultyS3;
beforeAll(async () => {
  stack = await startLocalStack();
  s3 = await startFaultyS3(stack.s3Endpoint);
});
afterAll(async () => {
  await s3?.close();
  await stack?.close();
});

/** Everything written to stdout and stderr while `work` runs. */
async function capture(work: () => Promise<void>): Promise<string> {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write);
  let text = '';
  streams.forEach((stream) => {
    stream.write = ((chunk: unknown) => {
      text += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      return true;
    }) as typeof stream.write;
  });
  try {
    await work();
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originals[i]!;
    });
  }
  return text;
}

function event(topic: string, values: Array<string | null>): KafkaEvent {
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/sec/1',
    records: {
      [`${topic}-0`]: values.map((v, offset) => ({
        topic,
        partition: 0,
        offset,
        timestamp: T0 + offset,
        timestampType: 'CREATE_TIME',
        key: null,
        value: v === null ? null : Buffer.from(v).toString('base64'),
        headers: [{ authorization: [...Buffer.from(`Bearer header-${OPENSEARCH_PASSWORD}`)] }],
      })),
    },
  };
}

const context = (ms: number) => {
  const deadline = Date.now() + ms;
  return {
    awsRequestId: 'sec',
    functionName: 'ingest',
    getRemainingTimeInMillis: () => deadline - Date.now(),
  } as unknown as Context;
};

describe('secrets and encryption', () => {
  it('no secret reaches logs, metrics or dead letters, even when everything fails', async () => {
    const url = new URL(stack.opensearchUrl);
    const saved = { ...process.env };
    Object.assign(process.env, {
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      POWERTOOLS_METRICS_DISABLED: 'false',
      POWERTOOLS_METRICS_NAMESPACE: 'SluiceSecurityTest',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
    });
    const env = {
      ...stack.env,
      OPENSEARCH_ENDPOINT: `http://sluice-writer:${encodeURIComponent(OPENSEARCH_PASSWORD)}@${url.host}`,
      AWS_SECRET_ACCESS_KEY: AWS_SECRET,
      S3_ENDPOINT: s3.endpoint,
      ARCHIVE_BUCKET: LocalBuckets.archive,
      PIPELINES_FILE: path.join(repo, 'infra/pipelines.yaml'),
      BULK_BASE_DELAY_MS: '5',
      BULK_MAX_DELAY_MS: '20',
      SAFETY_MARGIN_MS: '200',
    };
    const good = JSON.stringify({
      '@timestamp': '2026-11-20T12:00:00Z',
      message: 'ok',
      service: { name: 'sec' },
    });
    let output = '';
    const responses: unknown[] = [];
    try {
      output = await capture(async () => {
        const handler = createIngestHandler({ env });
        // 1. Normal batch with a parse failure (dead letter + archive).
        responses.push(await handler(event('sec-a', [good, 'garbage line', null]), context(10_000)));
        // 2. OpenSearch failing every bulk request until the deadline: warnings with the summary.
        await fetch(new URL('/_sluice/faults', stack.opensearchUrl), {
          method: 'PUT',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ request: { rate: 1, statuses: [503] }, paths: ['/_bulk'] }),
        });
        responses.push(await handler(event('sec-b', [good, good]), context(600)));
        await fetch(new URL('/_sluice/faults', stack.opensearchUrl), { method: 'DELETE' });
        // 3. An endpoint that refuses connections (errors carry the URL in some clients).
        const down = createIngestHandler({
          env: {
            ...env,
            OPENSEARCH_ENDPOINT: `http://sluice-writer:${encodeURIComponent(OPENSEARCH_PASSWORD)}@127.0.0.1:1`,
          },
        });
        responses.push(await down(event('sec-c', [good]), context(600)));
        // 4. A broken configuration: the error names the setting, not the secret.
        const broken = createIngestHandler({ env: { ...env, BULK_MAX_ATTEMPTS: 'lots' } });
        await broken(event('sec-d', [good]), context(600)).catch((error: unknown) => {
          process.stderr.write(`${String(error)}\n${(error as Error).stack ?? ''}\n`);
        });
      });
    } finally {
      process.env = saved;
    }
    // The run really logged and measured what happened.
    expect(output).toContain('"level":"WARN"');
    expect(output).toContain('RecordsReported');
    expect(output).toContain('BULK_MAX_ATTEMPTS');
    expect(responses[1]).toMatchObject({
      batchItemFailures: [{ itemIdentifier: { partition: 'sec-b-0', offset: 0 } }],
    });
    const forms = [
      OPENSEARCH_PASSWORD,
      encodeURIComponent(OPENSEARCH_PASSWORD),
      Buffer.from(`sluice-writer:${OPENSEARCH_PASSWORD}`).toString('base64'),
      AWS_SECRET,
    ];
    for (const secret of forms) {
      expect(output.includes(secret), `output contains ${secret}`).toBe(false);
      expect(JSON.stringify(responses).includes(secret)).toBe(false);
    }
  });

  it('dead-letter and archive objects are written with server-side encryption (AES256 by default, KMS when set)', async () => {
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    s3.requests.length = 0;
    const base = {
      ...stack.env,
      S3_ENDPOINT: s3.endpoint,
      ARCHIVE_BUCKET: LocalBuckets.archive,
      PIPELINES_FILE: path.join(repo, 'infra/pipelines.yaml'),
    };
    const good = JSON.stringify({
      '@timestamp': '2026-11-20T12:00:00Z',
      message: 'ok',
      service: { name: 'sse' },
    });
    await createIngestHandler({ env: base })(event('sse-a', [good, 'garbage']), context(10_000));
    const aes = [...s3.requests];
    s3.requests.length = 0;
    await createIngestHandler({
      env: {
        ...base,
        DEAD_LETTER_SSE: 'aws:kms',
        DEAD_LETTER_KMS_KEY_ID: 'alias/sluice-dlq',
        ARCHIVE_SSE: 'aws:kms',
        ARCHIVE_KMS_KEY_ID: 'alias/sluice-archive',
      },
    })(event('sse-b', [good, 'garbage']), context(10_000));
    const kms = [...s3.requests];

    // Requests that create an object: a plain PUT (not a part upload or a copy) or a multipart start.
    const creates = (rs: typeof aes) =>
      rs.filter(
        (r) =>
          (r.method === 'PUT' && !/[?&](partNumber|uploadId)=/.test(r.path)) ||
          (r.method === 'POST' && /[?&]uploads(=|&|$)/.test(r.path)),
      );
    const deadLetterPuts = (rs: typeof aes) =>
      creates(rs).filter((r) => r.path.includes(`/${LocalBuckets.deadLetters}/`));
    const archivePuts = (rs: typeof aes) =>
      creates(rs).filter((r) => r.path.includes(`/${LocalBuckets.archive}/`));

    expect(deadLetterPuts(aes).length).toBeGreaterThan(0);
    expect(archivePuts(aes).length).toBeGreaterThan(0);
    for (const r of creates(aes)) expect(r.headers['x-amz-server-side-encryption'], r.path).toBe('AES256');

    expect(deadLetterPuts(kms).length).toBeGreaterThan(0);
    for (const r of deadLetterPuts(kms)) {
      expect(r.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      expect(r.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('alias/sluice-dlq');
    }
    expect(archivePuts(kms).length).toBeGreaterThan(0);
    for (const r of archivePuts(kms)) {
      expect(r.headers['x-amz-server-side-encryption']).toBe('aws:kms');
      expect(r.headers['x-amz-server-side-encryption-aws-kms-key-id']).toBe('alias/sluice-archive');
    }
  });
});
