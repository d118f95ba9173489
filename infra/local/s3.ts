import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';

export interface LocalS3 {
  endpoint: string;
  port: number;
  directory: string;
  close(): Promise<void>;
}

/** The buckets Sluice uses; created at start so the functions never need to. */
export const LocalBuckets = {
  deadLetters: 'sluice-dead-letters',
  archive: 'sluice-archive',
  snapshots: 'sluice-snapshots',
  state: 'sluice-state',
} as const;

/**
 * s3rver on 127.0.0.1: a real S3-protocol server for the AWS SDK. Objects live in `directory`
 * (a fresh temporary folder by default) so that a run leaves nothing behind in the repository.
 */
export async function startLocalS3(
  options: { port?: number; directory?: string; buckets?: string[] } = {},
): Promise<LocalS3> {
  const directory = options.directory ?? (await mkdtemp(path.join(tmpdir(), 'sluice-s3-')));
  const buckets = options.buckets ?? Object.values(LocalBuckets);
  const server = new S3rver({
    port: options.port ?? 0,
    address: '127.0.0.1',
    silent: true,
    directory,
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const address = (await server.run()) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    directory,
    close: () => server.close(),
  };
}
