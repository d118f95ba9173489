import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DeadLetterStore } from '../core/bulk/index-batch.ts';
import type { DeadLetterEntry } from '../core/bulk/types.ts';

export interface DeadLetterStoreConfig {
  bucket: string;
  /** `AES256` (S3-managed keys) or `aws:kms` with a key id. */
  sse: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
}

/** Gzip NDJSON objects in S3; the key is chosen by the bulk service so that redeliveries overwrite. */
export function createDeadLetterStore(s3: S3Client, config: DeadLetterStoreConfig): DeadLetterStore {
  return {
    async put(key: string, entries: DeadLetterEntry[], { timeoutMs }: { timeoutMs: number }) {
      let ndjson = '';
      for (const entry of entries) ndjson += `${JSON.stringify(entry)}\n`;
      await s3.send(
        new PutObjectCommand({
          Bucket: config.bucket,
          Key: key,
          Body: gzipSync(ndjson),
          ContentType: 'application/gzip',
          ServerSideEncryption: config.sse,
          ...(config.sse === 'aws:kms' && config.kmsKeyId ? { SSEKMSKeyId: config.kmsKeyId } : {}),
        }),
        { abortSignal: AbortSignal.timeout(timeoutMs) },
      );
    },
  };
}
