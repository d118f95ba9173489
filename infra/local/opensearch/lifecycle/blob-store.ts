// Where a repository's files go: a folder (type fs) or an S3 bucket (type s3, through the AWS SDK,
// so snapshots really land in object storage and a fresh cluster can read them back).
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type PutObjectCommandInput,
  S3Client,
} from '@aws-sdk/client-s3';

export interface BlobStore {
  /** A human-readable place, for errors. */
  readonly where: string;
  put(key: string, data: Buffer | string): Promise<void>;
  /** undefined when missing. */
  get(key: string): Promise<Buffer | undefined>;
  /** Keys (relative to the store) under a prefix, with their sizes. */
  list(prefix: string): Promise<Array<{ key: string; size: number }>>;
  delete(keys: string[]): Promise<void>;
}

/** Files under `root`; keys are `/`-separated relative paths. */
export class FsBlobStore implements BlobStore {
  readonly where: string;
  private readonly root: string;

  constructor(root: string) {
    this.root = root;
    this.where = root;
  }

  private file(key: string): string {
    const full = path.resolve(this.root, ...key.split('/'));
    if (full !== this.root && !full.startsWith(this.root + path.sep))
      throw new Error(`key [${key}] escapes the repository`);
    return full;
  }

  async put(key: string, data: Buffer | string): Promise<void> {
    const file = this.file(key);
    await fs.mkdir(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp-${process.pid}`;
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, file);
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.file(key));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<Array<{ key: string; size: number }>> {
    const out: Array<{ key: string; size: number }> = [];
    const walk = async (dir: string, rel: string) => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      for (const entry of entries) {
        const key = rel ? `${rel}/${entry.name}` : entry.name;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) await walk(full, key);
        else if (key.startsWith(prefix)) out.push({ key, size: (await fs.stat(full)).size });
      }
    };
    await walk(this.root, '');
    return out.sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async delete(keys: string[]): Promise<void> {
    for (const key of keys) {
      const file = this.file(key);
      await fs.rm(file, { force: true });
      // Drop folders left empty, as an object store has none.
      for (let dir = path.dirname(file); dir.startsWith(this.root + path.sep); dir = path.dirname(dir)) {
        try {
          await fs.rmdir(dir);
        } catch {
          break;
        }
      }
    }
  }
}

export interface S3Options {
  bucket: string;
  basePath: string;
  region?: string;
  endpoint?: string;
  pathStyle: boolean;
  storageClass?: string;
  cannedAcl?: string;
  sseType?: string;
  kmsKeyId?: string;
  expectedBucketOwner?: string;
}

/** Objects in `bucket` under `basePath/`. */
export class S3BlobStore implements BlobStore {
  readonly where: string;
  private readonly client: S3Client;
  private readonly options: S3Options;

  constructor(options: S3Options) {
    this.options = options;
    this.where = `s3://${options.bucket}/${options.basePath}`;
    this.client = new S3Client({
      region: options.region ?? 'us-east-1',
      ...(options.endpoint
        ? {
            endpoint: options.endpoint,
            // A local endpoint (s3rver) takes any keys; real AWS uses the default chain.
            credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
          }
        : {}),
      forcePathStyle: options.pathStyle || options.endpoint !== undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  private key(key: string): string {
    return this.options.basePath ? `${this.options.basePath.replace(/\/+$/, '')}/${key}` : key;
  }

  async put(key: string, data: Buffer | string): Promise<void> {
    const o = this.options;
    const input: PutObjectCommandInput = { Bucket: o.bucket, Key: this.key(key), Body: data };
    if (o.storageClass)
      input.StorageClass = o.storageClass.toUpperCase() as PutObjectCommandInput['StorageClass'];
    if (o.cannedAcl) input.ACL = o.cannedAcl as PutObjectCommandInput['ACL'];
    if (o.sseType === 'AES256' || o.sseType === 'aws:kms') input.ServerSideEncryption = o.sseType;
    if (o.kmsKeyId) input.SSEKMSKeyId = o.kmsKeyId;
    if (o.expectedBucketOwner) input.ExpectedBucketOwner = o.expectedBucketOwner;
    await this.client.send(new PutObjectCommand(input));
  }

  async get(key: string): Promise<Buffer | undefined> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: this.options.bucket,
          Key: this.key(key),
          ...(this.options.expectedBucketOwner
            ? { ExpectedBucketOwner: this.options.expectedBucketOwner }
            : {}),
        }),
      );
      const bytes = await out.Body?.transformToByteArray();
      return bytes ? Buffer.from(bytes) : Buffer.alloc(0);
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'NoSuchKey' || name === 'NotFound') return undefined;
      throw error;
    }
  }

  async list(prefix: string): Promise<Array<{ key: string; size: number }>> {
    const base = this.key('');
    const out: Array<{ key: string; size: number }> = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.options.bucket,
          Prefix: this.key(prefix),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of page.Contents ?? []) {
        if (o.Key !== undefined) out.push({ key: o.Key.slice(base.length), size: o.Size ?? 0 });
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  async delete(keys: string[]): Promise<void> {
    // One by one: DeleteObjects needs a Content-MD5 that not every S3 implementation checks alike.
    for (const key of keys) {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.options.bucket, Key: this.key(key) }));
    }
  }

  close(): void {
    this.client.destroy();
  }
}
