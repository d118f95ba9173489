import path from 'node:path';
import { startOpenSearchServer } from './opensearch/server.ts';
import { type LocalS3, startLocalS3 } from './s3.ts';

export interface LocalStack {
  opensearchUrl: string;
  s3Endpoint: string;
  s3: LocalS3;
  /** Environment a function needs to run against this stack. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export const DefaultPorts = { opensearch: 9200, s3: 4569 } as const;

/**
 * The local stack: the OpenSearch-compatible server and s3rver, on loopback. Port 0 picks free
 * ports (tests); the defaults match the endpoints that `serverless invoke local` is configured with.
 */
export async function startLocalStack(
  options: { opensearchPort?: number; s3Port?: number; dataDir?: string } = {},
): Promise<LocalStack> {
  const s3 = await startLocalS3({
    port: options.s3Port ?? 0,
    ...(options.dataDir ? { directory: path.join(options.dataDir, 's3') } : {}),
  });
  const opensearch = await startOpenSearchServer({
    port: options.opensearchPort ?? 0,
    ...(options.dataDir ? { dataDir: path.join(options.dataDir, 'opensearch') } : {}),
  });
  const env = {
    OPENSEARCH_ENDPOINT: opensearch.url,
    OPENSEARCH_AUTH: 'none',
    S3_ENDPOINT: s3.endpoint,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    DEAD_LETTER_BUCKET: 'sluice-dead-letters',
  };
  return {
    opensearchUrl: opensearch.url,
    s3Endpoint: s3.endpoint,
    s3,
    env,
    async close() {
      await Promise.allSettled([opensearch.close(), s3.close()]);
    },
  };
}

async function main(): Promise<void> {
  const dataDir = process.argv.includes('--data-dir')
    ? process.argv[process.argv.indexOf('--data-dir') + 1]
    : undefined;
  const stack = await startLocalStack({
    opensearchPort: Number(process.env.OPENSEARCH_PORT ?? DefaultPorts.opensearch),
    s3Port: Number(process.env.S3_PORT ?? DefaultPorts.s3),
    ...(dataDir ? { dataDir } : {}),
  });
  console.log(`OpenSearch-compatible server  ${stack.opensearchUrl}`);
  console.log(`S3 (s3rver)                   ${stack.s3Endpoint}   buckets in ${stack.s3.directory}`);
  console.log('Environment for functions:');
  for (const [key, value] of Object.entries(stack.env)) console.log(`  ${key}=${value}`);
  console.log('Ctrl-C stops.');
  const stop = async () => {
    await stack.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (import.meta.main) await main();
