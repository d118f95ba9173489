import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DeadLetterStore } from '../core/bulk/index-batch.ts';
import type { DeadLetterEntry } from '../core/bulk/types.ts';

export interface DeadLetterStoreConfig {
  bucket: string;
  /** `AES256` (S3-managed keys) or `aws:kms` with a key id. */
  sse: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
}

const coordinates = (e: DeadLetterEntry) => `${e.topic}\u0000${e.partition}\u0000${e.offset}`;

/** Entries of both, one per Kafka record: a later delivery's entry replaces an earlier one. */
export function mergeEntries(existing: readonly DeadLetterEntry[], incoming: readonly DeadLetterEntry[]) {
  const byRecord = new Map<string, DeadLetterEntry>();
  for (const entry of existing) byRecord.set(coordinates(entry), entry);
  for (const entry of incoming) byRecord.set(coordinates(entry), entry);
  return [...byRecord.values()].sort((a, b) => a.offset - b.offset);
}

/**
 * Gzip NDJSON objects in S3 under keys the bulk service chooses per partition and offset window.
 * A write merges with what the object already holds, by coordinates, so a redelivery with other
 * batch boundaries never stores a record twice. The ESM runs one batch per partition at a time,
 * so nothing else writes the same key meanwhile.
 */
export function createDeadLetterStore(s3: S3Client, config: DeadLetterStoreConfig): DeadLetterStore {
  return {
    async put(key: string, entries: DeadLetterEntry[], { timeoutMs }: { timeoutMs: number }) {
      const abortSignal = AbortSignal.timeout(timeoutMs);
      let existing: DeadLetterEntry[] = [];
      try {
        const got = await s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: key }), { abortSignal });
        const text = gunzipSync(await got.Body!.transformToByteArray()).toString('utf8');
        existing = text
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as DeadLetterEntry);
      } catch (error) {
        // A first write finds nothing; any other failure fails the write (the records are reported).
        if (!(error instanceof NoSuchKey) && (error as { name?: string }).name !== 'NoSuchKey') throw error;
      }
      let ndjson = '';
      for (const entry of mergeEntries(existing, entries)) ndjson += `${JSON.stringify(entry)}\n`;
      await s3.send(
        new PutObjectCommand({
          Bucket: config.bucket,
          Key: key,
          Body: gzipSync(ndjson),
          ContentType: 'application/gzip',
          ServerSideEncryption: config.sse,
          ...(config.sse === 'aws:kms' && config.kmsKeyId ? { SSEKMSKeyId: config.kmsKeyId } : {}),
        }),
        { abortSignal },
      );
    },
  };
}
