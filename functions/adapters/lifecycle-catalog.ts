// The snapshot catalog's storage: small JSON objects in S3 (keys from core/lifecycle/catalog.ts).

import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { AdapterError } from './errors.ts';

export interface CatalogStore {
  /** The parsed object, or undefined when the key does not exist. */
  read(key: string): Promise<unknown>;
  write(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  /** Every key under a prefix. */
  list(prefix: string): Promise<string[]>;
}

export interface CatalogStoreConfig {
  bucket: string;
  sse?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
}

function isMissing(error: unknown): boolean {
  if (error instanceof NoSuchKey) return true;
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

export function createS3CatalogStore(s3: S3Client, config: CatalogStoreConfig): CatalogStore {
  const where = (key: string) => `s3://${config.bucket}/${key}`;
  return {
    async read(key) {
      let text: string;
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: config.bucket, Key: key }));
        text = (await out.Body?.transformToString('utf8')) ?? '';
      } catch (error) {
        if (isMissing(error)) return undefined;
        throw new AdapterError(`cannot read ${where(key)}: ${(error as Error).message}`, { cause: error });
      }
      try {
        return JSON.parse(text) as unknown;
      } catch (error) {
        throw new AdapterError(`${where(key)} is not JSON: ${(error as Error).message}`, { cause: error });
      }
    },
    async write(key, value) {
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: config.bucket,
            Key: key,
            Body: `${JSON.stringify(value, null, 2)}\n`,
            ContentType: 'application/json',
            ...(config.sse ? { ServerSideEncryption: config.sse } : {}),
            ...(config.sse === 'aws:kms' && config.kmsKeyId ? { SSEKMSKeyId: config.kmsKeyId } : {}),
          }),
        );
      } catch (error) {
        throw new AdapterError(`cannot write ${where(key)}: ${(error as Error).message}`, { cause: error });
      }
    },
    async delete(key) {
      try {
        await s3.send(new DeleteObjectCommand({ Bucket: config.bucket, Key: key }));
      } catch (error) {
        if (isMissing(error)) return;
        throw new AdapterError(`cannot delete ${where(key)}: ${(error as Error).message}`, { cause: error });
      }
    },
    async list(prefix) {
      const keys: string[] = [];
      let token: string | undefined;
      try {
        do {
          const out = await s3.send(
            new ListObjectsV2Command({
              Bucket: config.bucket,
              Prefix: prefix,
              ...(token ? { ContinuationToken: token } : {}),
            }),
          );
          for (const o of out.Contents ?? []) if (o.Key) keys.push(o.Key);
          token = out.IsTruncated ? out.NextContinuationToken : undefined;
        } while (token);
      } catch (error) {
        throw new AdapterError(`cannot list ${where(prefix)}: ${(error as Error).message}`, { cause: error });
      }
      return keys.sort();
    },
  };
}

/** An in-memory store with the same contract, for tests and dry runs. */
export function createMemoryCatalogStore(initial: Record<string, unknown> = {}): CatalogStore & {
  readonly objects: Map<string, string>;
} {
  const objects = new Map(Object.entries(initial).map(([k, v]) => [k, JSON.stringify(v)]));
  return {
    objects,
    async read(key) {
      const text = objects.get(key);
      return text === undefined ? undefined : (JSON.parse(text) as unknown);
    },
    async write(key, value) {
      objects.set(key, JSON.stringify(value));
    },
    async delete(key) {
      objects.delete(key);
    },
    async list(prefix) {
      return [...objects.keys()].filter((k) => k.startsWith(prefix)).sort();
    },
  };
}
