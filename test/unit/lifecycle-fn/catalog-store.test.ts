// The S3 catalog store's contract with the S3 API (SDK calls mocked at the client): missing keys
// read as undefined, JSON in and out, encryption on writes, listing across pages.

import {
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AdapterError } from '../../../functions/adapters/errors.ts';
import { createS3CatalogStore } from '../../../functions/adapters/lifecycle-catalog.ts';

const s3 = mockClient(S3Client);
const store = () =>
  createS3CatalogStore(new S3Client({ region: 'us-east-1' }), { bucket: 'snaps', sse: 'AES256' });

/** The part of the SDK's stream body the store uses. */
const body = (text: string) => ({ transformToString: async () => text }) as never;

beforeEach(() => {
  s3.reset();
});

describe('S3 catalog store', () => {
  it('reads JSON, and a missing key as undefined', async () => {
    s3.on(GetObjectCommand, { Key: 'catalog/snapshots/a.json' }).resolves({
      Body: body('{"snapshot":"a"}'),
    });
    s3.on(GetObjectCommand, { Key: 'catalog/snapshots/b.json' }).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );
    expect(await store().read('catalog/snapshots/a.json')).toEqual({ snapshot: 'a' });
    expect(await store().read('catalog/snapshots/b.json')).toBeUndefined();
  });

  it('names the object when it is not JSON or cannot be read', async () => {
    s3.on(GetObjectCommand, { Key: 'x' }).resolves({
      Body: body('{nope'),
    });
    s3.on(GetObjectCommand, { Key: 'y' }).rejects(new Error('Access Denied'));
    await expect(store().read('x')).rejects.toThrow(/s3:\/\/snaps\/x is not JSON/);
    await expect(store().read('y')).rejects.toThrow(AdapterError);
    await expect(store().read('y')).rejects.toThrow(/cannot read s3:\/\/snaps\/y: Access Denied/);
  });

  it('writes JSON with server-side encryption', async () => {
    s3.on(PutObjectCommand).resolves({});
    await store().write('catalog/by-service/api/2026-11-01.json', { snapshots: ['a'] });
    const input = s3.commandCalls(PutObjectCommand)[0]?.args[0].input;
    expect(input).toMatchObject({
      Bucket: 'snaps',
      Key: 'catalog/by-service/api/2026-11-01.json',
      ContentType: 'application/json',
      ServerSideEncryption: 'AES256',
    });
    expect(JSON.parse(String(input?.Body))).toEqual({ snapshots: ['a'] });
  });

  it('lists every page', async () => {
    s3.on(ListObjectsV2Command, { Prefix: 'catalog/snapshots/' })
      .resolvesOnce({
        Contents: [{ Key: 'catalog/snapshots/b.json' }],
        IsTruncated: true,
        NextContinuationToken: 't',
      })
      .resolvesOnce({ Contents: [{ Key: 'catalog/snapshots/a.json' }], IsTruncated: false });
    expect(await store().list('catalog/snapshots/')).toEqual([
      'catalog/snapshots/a.json',
      'catalog/snapshots/b.json',
    ]);
    expect(s3.commandCalls(ListObjectsV2Command)[1]?.args[0].input.ContinuationToken).toBe('t');
  });

  it('deleting a missing key is not an error', async () => {
    s3.on(DeleteObjectCommand).rejects(Object.assign(new Error('Not Found'), { name: 'NotFound' }));
    await expect(store().delete('gone')).resolves.toBeUndefined();
  });
});
