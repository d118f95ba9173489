import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { promisify } from 'node:util';
import { createGunzip, gzip as gzipCallback } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { DEFAULT_ARCHIVE_PREFIX } from '../core/archive/keys.ts';
import { archiveObjects } from '../core/archive/objects.ts';
import type { ListedObject } from '../core/archive/plan.ts';
import { type ArchiveFailure, type ArchiveFailureMode, ArchiveFailureModes } from '../core/archive/settle.ts';
import type { KafkaRecord } from '../core/kafka/types.ts';
import { type Env, readChoice, readInt, readOptional, readString } from '../runtime/env.ts';
import { AdapterError } from './errors.ts';

const gzip = promisify(gzipCallback);
const MiB = 1024 * 1024;
/** S3's smallest part (all but the last). */
const MIN_PART_BYTES = 5 * MiB;

export interface ArchiveSettings {
  bucket: string;
  prefix: string;
  /** Cap on one object's uncompressed NDJSON; a batch is split into several objects above it. */
  maxObjectBytes: number;
  /** Compressed size above which an object is sent as a multipart upload, in parts of this size. */
  partBytes: number;
  /** Objects written at the same time. */
  concurrency: number;
  onFailure: ArchiveFailureMode;
  /** Topic names or globs (`*`, `?`) to archive. */
  topics: readonly string[];
  sse: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
}

/**
 * Archive settings from the environment, or undefined when ARCHIVE_BUCKET is unset (archive off).
 * ARCHIVE_TOPICS is a comma-separated list of topic names or globs; `*` (all) by default.
 */
export function readArchiveSettings(env: Env): ArchiveSettings | undefined {
  const bucket = readOptional(env, 'ARCHIVE_BUCKET');
  if (bucket === undefined) return undefined;
  const kmsKeyId = readOptional(env, 'ARCHIVE_KMS_KEY_ID');
  return {
    bucket,
    prefix: readString(env, 'ARCHIVE_PREFIX', DEFAULT_ARCHIVE_PREFIX),
    maxObjectBytes: readInt(env, 'ARCHIVE_MAX_OBJECT_BYTES', 64 * MiB, { min: 1024, max: 4096 * MiB }),
    partBytes: readInt(env, 'ARCHIVE_PART_BYTES', 8 * MiB, { min: MIN_PART_BYTES, max: 512 * MiB }),
    concurrency: readInt(env, 'ARCHIVE_CONCURRENCY', 4, { min: 1, max: 32 }),
    onFailure: readChoice(
      env,
      'ARCHIVE_ON_FAILURE',
      [ArchiveFailureModes.report, ArchiveFailureModes.continue],
      'report',
    ),
    topics: readString(env, 'ARCHIVE_TOPICS', '*')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    sse: readChoice(env, 'ARCHIVE_SSE', ['AES256', 'aws:kms'] as const, 'AES256'),
    ...(kmsKeyId ? { kmsKeyId } : {}),
  };
}

/** A topic matcher for ARCHIVE_TOPICS: exact names and `*`/`?` globs. */
export function topicFilter(patterns: readonly string[]): (topic: string) => boolean {
  const regexes = patterns.map(
    (p) =>
      new RegExp(
        `^${p
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')
          .replace(/\?/g, '.')}$`,
      ),
  );
  return (topic) => regexes.some((r) => r.test(topic));
}

export interface ArchiveWriteResult {
  /** Keys written. */
  keys: string[];
  failures: ArchiveFailure[];
  records: number;
  /** Compressed bytes written. */
  bytes: number;
}

export interface ArchiveWriter {
  /** Writes the batch's records; never rejects: failed objects are listed in the result. */
  write(records: readonly KafkaRecord[]): Promise<ArchiveWriteResult>;
}

export interface PutOptions {
  bucket: string;
  partBytes: number;
  sse?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  contentType?: string;
}

/**
 * One object, as a single PUT or, above `partBytes`, a multipart upload (aborted on failure so no
 * parts are left behind to be billed).
 */
export async function putObject(s3: S3Client, key: string, body: Buffer, options: PutOptions): Promise<void> {
  const common = {
    Bucket: options.bucket,
    Key: key,
    ContentType: options.contentType ?? 'application/gzip',
    ...(options.sse ? { ServerSideEncryption: options.sse } : {}),
    ...(options.sse === 'aws:kms' && options.kmsKeyId ? { SSEKMSKeyId: options.kmsKeyId } : {}),
  };
  if (body.length <= options.partBytes) {
    await s3.send(new PutObjectCommand({ ...common, Body: body }));
    return;
  }
  const created = await s3.send(new CreateMultipartUploadCommand(common));
  const uploadId = created.UploadId;
  if (uploadId === undefined) throw new AdapterError(`S3 gave no upload id for ${key}`);
  try {
    const parts: Array<{ ETag: string; PartNumber: number }> = [];
    for (let start = 0, n = 1; start < body.length; start += options.partBytes, n++) {
      const part = await s3.send(
        new UploadPartCommand({
          Bucket: options.bucket,
          Key: key,
          UploadId: uploadId,
          PartNumber: n,
          Body: body.subarray(start, Math.min(body.length, start + options.partBytes)),
        }),
      );
      if (part.ETag === undefined) throw new AdapterError(`S3 gave no ETag for part ${n} of ${key}`);
      parts.push({ ETag: part.ETag, PartNumber: n });
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: options.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  } catch (error) {
    try {
      await s3.send(
        new AbortMultipartUploadCommand({ Bucket: options.bucket, Key: key, UploadId: uploadId }),
      );
    } catch {
      // The upload's own error is the one worth reporting; a lifecycle rule sweeps what is left.
    }
    throw error;
  }
}

async function runPool<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * The raw archive: each batch's records as gzip NDJSON objects under deterministic keys. `include`
 * replaces ARCHIVE_TOPICS, e.g. with a per-pipeline `archive: true` flag.
 */
export function createArchiveWriter(
  s3: S3Client,
  settings: ArchiveSettings,
  include: (topic: string) => boolean = topicFilter(settings.topics),
): ArchiveWriter {
  return {
    async write(records) {
      const objects = archiveObjects(records, {
        prefix: settings.prefix,
        maxObjectBytes: settings.maxObjectBytes,
        include,
      });
      const result: ArchiveWriteResult = { keys: [], failures: [], records: 0, bytes: 0 };
      await runPool(objects, settings.concurrency, async (object) => {
        try {
          const body = await gzip(object.body);
          await putObject(s3, object.key, body, {
            bucket: settings.bucket,
            partBytes: settings.partBytes,
            sse: settings.sse,
            ...(settings.kmsKeyId ? { kmsKeyId: settings.kmsKeyId } : {}),
          });
          result.keys.push(object.key);
          result.records += object.records;
          result.bytes += body.length;
        } catch (error) {
          result.failures.push({
            key: object.key,
            topic: object.topic,
            partition: object.partition,
            firstOffset: object.firstOffset,
            lastOffset: object.lastOffset,
            records: object.records,
            reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
          });
        }
      });
      result.keys.sort();
      return result;
    },
  };
}

/** Where a replay reads from: listing by prefix and a streaming line reader. */
export interface ObjectSource {
  list(prefix: string): AsyncIterable<ListedObject>;
  /** The object's lines, gunzipped as they arrive; `onBytes` sees compressed bytes as read. */
  lines(key: string, onBytes?: (bytes: number) => void): AsyncIterable<string>;
}

/**
 * Splits a byte stream into lines without holding more than one line (plus a chunk) in memory.
 * A trailing line without a newline is still yielded; `\r\n` endings lose the `\r`.
 */
export async function* splitLines(stream: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  for await (const chunk of stream) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      const line = text.slice(start, nl);
      start = nl + 1;
      yield line.endsWith('\r') ? line.slice(0, -1) : line;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest !== '') yield rest.endsWith('\r') ? rest.slice(0, -1) : rest;
}

export function createS3ObjectSource(s3: S3Client, bucket: string): ObjectSource {
  return {
    async *list(prefix) {
      let token: string | undefined;
      do {
        const page = await s3.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: prefix,
            ...(token ? { ContinuationToken: token } : {}),
          }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key !== undefined) yield { key: object.Key, size: object.Size ?? 0 };
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token !== undefined);
    },
    async *lines(key, onBytes) {
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = got.Body as Readable | undefined;
      if (body === undefined) throw new AdapterError(`s3://${bucket}/${key} has no body`);
      const gunzip = createGunzip();
      body.on('data', (chunk: Buffer) => onBytes?.(chunk.length));
      // pipe() does not forward errors: a dropped connection must end the iteration with that error.
      body.on('error', (error) => gunzip.destroy(error));
      body.pipe(gunzip);
      try {
        yield* splitLines(gunzip);
      } catch (error) {
        throw new AdapterError(`reading s3://${bucket}/${key} failed: ${(error as Error).message}`, {
          cause: error,
        });
      } finally {
        body.destroy();
        gunzip.destroy();
      }
    },
  };
}

/** The replay checkpoint, one small JSON object per replay. */
export interface CheckpointStore {
  load(key: string): Promise<string | undefined>;
  save(key: string, text: string): Promise<void>;
}

export function createS3CheckpointStore(s3: S3Client, bucket: string): CheckpointStore {
  return {
    async load(key) {
      try {
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return (await got.Body?.transformToString('utf8')) ?? undefined;
      } catch (error) {
        if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') return undefined;
        throw new AdapterError(`reading the checkpoint s3://${bucket}/${key} failed`, { cause: error });
      }
    },
    async save(key, text) {
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: key, Body: text, ContentType: 'application/json' }),
      );
    },
  };
}
