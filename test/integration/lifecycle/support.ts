// Set-up for the lifecycle integration tests: the local stack (OpenSearch-compatible server on a
// manual clock, s3rver with the snapshot bucket), the official clients, and the lifecycle handler
// built from inline YAML with the function's clock following the server's.
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { Client } from '@opensearch-project/opensearch';
import type { Context } from 'aws-lambda';
import { createS3Client } from '../../../functions/adapters/s3.ts';
import { createLifecycleApp } from '../../../functions/lifecycle/app.ts';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.ts';

export const DAY = 86_400_000;
export const SNAPSHOT_BUCKET = 'sluice-snapshots';

export const context = {
  getRemainingTimeInMillis: () => 300_000,
  functionName: 'sluice-lifecycle',
} as unknown as Context;

export const scheduledEvent = { source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} };

export const silentLogger = { info: () => {}, warn: () => {}, error: () => {} };

export interface LifecycleEnv {
  stack: LocalStack;
  client: Client;
  s3: S3Client;
  close(): Promise<void>;
}

export async function startLifecycleEnv(): Promise<LifecycleEnv> {
  const stack = await startLocalStack();
  const client = new Client({ node: stack.opensearchUrl });
  const s3 = createS3Client({ region: 'us-east-1', endpoint: stack.s3Endpoint });
  return {
    stack,
    client,
    s3,
    async close() {
      s3.destroy();
      await client.close();
      await stack.close();
    },
  };
}

/** The server clock, through the test control route (the function reads the same instant). */
export async function setClock(
  env: LifecycleEnv,
  body: { now?: string | number; advance?: string },
): Promise<number> {
  const res = await env.client.transport.request({ method: 'PUT', path: '/_sluice/clock', body });
  return Number((res.body as { epoch_ms: number }).epoch_ms);
}

export async function clearRequests(env: LifecycleEnv): Promise<void> {
  await env.client.transport.request({ method: 'DELETE', path: '/_sluice/requests' });
}

export async function requestsSeen(env: LifecycleEnv): Promise<Array<{ method: string; path: string }>> {
  const res = await env.client.transport.request({ method: 'GET', path: '/_sluice/requests' });
  const list = (res.body as { requests: Array<{ method: string; path: string }> }).requests;
  // The log lists its own reads too; only what the function sent matters.
  return list.filter((r) => !r.path.startsWith('/_sluice/'));
}

/**
 * The handler as Lambda runs it. Powertools reads its settings when the handler module loads, so
 * the module is imported here, after switching its log lines and EMF output off for the test run.
 */
export async function lifecycleHandler(
  env: LifecycleEnv,
  yaml: string,
  now: () => number,
  extraEnv: Record<string, string> = {},
) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
  const { createLifecycleHandler } = await import('../../../functions/lifecycle/handler.ts');
  const fnEnv = { ...env.stack.env, LIFECYCLE_YAML: yaml, SNAPSHOT_WAIT: 'true', ...extraEnv };
  return createLifecycleHandler(() => createLifecycleApp(fnEnv, silentLogger, { now }));
}

export async function listKeys(env: LifecycleEnv, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const out = await env.s3.send(
      new ListObjectsV2Command({
        Bucket: SNAPSHOT_BUCKET,
        Prefix: prefix,
        ...(token ? { ContinuationToken: token } : {}),
      }),
    );
    for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
    token = out.IsTruncated ? out.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

/** One document per `count`, spread over the UTC day of `day`, through the official client. */
export async function seedDay(
  env: LifecycleEnv,
  target: string,
  day: number,
  count: number,
  hour = 13,
): Promise<void> {
  const body: unknown[] = [];
  for (let i = 0; i < count; i++) {
    const ts = new Date(day + hour * 3_600_000 + i * 60_000).toISOString();
    body.push({ create: { _index: target } });
    body.push({
      '@timestamp': ts,
      message: `request ${i}`,
      service: { name: 'api' },
      log: { level: 'info' },
    });
  }
  const res = await env.client.bulk({ body: body as never, refresh: 'true' });
  if ((res.body as { errors: boolean }).errors)
    throw new Error(`seeding failed: ${JSON.stringify(res.body).slice(0, 500)}`);
}

export async function explainState(env: LifecycleEnv, index: string): Promise<string | null> {
  const res = await env.client.transport.request({ method: 'GET', path: `/_plugins/_ism/explain/${index}` });
  const entry = (res.body as Record<string, { state?: { name?: string } }>)[index];
  return entry?.state?.name ?? null;
}
