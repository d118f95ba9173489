import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createArchiveWriter,
  putObject,
  readArchiveSettings,
  splitLines,
  topicFilter,
} from '../../../functions/adapters/archive.ts';
import { ConfigError } from '../../../functions/runtime/errors.ts';
import { record } from './arbitraries.ts';

async function collect(chunks: Array<Buffer | string>): Promise<string[]> {
  const out: string[] = [];
  for await (const line of splitLines(Readable.from(chunks))) out.push(line);
  return out;
}

describe('splitLines', () => {
  it.each([
    ['empty', [], []],
    ['one line with newline', ['a\n'], ['a']],
    ['trailing line without newline', ['a\nb'], ['a', 'b']],
    ['CRLF', ['a\r\nb\r\n'], ['a', 'b']],
    ['line split over chunks', ['ab', 'c\nd', 'e\n'], ['abc', 'de']],
    ['empty lines kept', ['\n\na\n'], ['', '', 'a']],
  ])('%s', async (_name, chunks, expected) => {
    expect(await collect(chunks.map((c) => Buffer.from(c)))).toEqual(expected);
  });

  it('any chunking of UTF-8 text gives the same lines (multi-byte characters split across chunks)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 8 }), { maxLength: 8 }),
        fc.array(fc.nat({ max: 40 }), { maxLength: 6 }),
        async (lines, cuts) => {
          const bytes = Buffer.from(lines.map((l) => `${l.replace(/[\r\n]/g, '')}\n`).join(''));
          const points = [...new Set(cuts.map((c) => Math.min(c, bytes.length)))].sort((a, b) => a - b);
          const chunks: Buffer[] = [];
          let start = 0;
          for (const p of [...points, bytes.length]) {
            chunks.push(bytes.subarray(start, p));
            start = p;
          }
          expect(await collect(chunks)).toEqual(lines.map((l) => l.replace(/[\r\n]/g, '')));
        },
      ),
    );
  });
});

describe('archive settings', () => {
  it('off without ARCHIVE_BUCKET; defaults otherwise', () => {
    expect(readArchiveSettings({})).toBeUndefined();
    expect(readArchiveSettings({ ARCHIVE_BUCKET: 'b' })).toEqual({
      bucket: 'b',
      prefix: 'raw/',
      maxObjectBytes: 64 * 1024 * 1024,
      partBytes: 8 * 1024 * 1024,
      concurrency: 4,
      onFailure: 'report',
      topics: ['*'],
      sse: 'AES256',
    });
  });

  it.each([
    ['ARCHIVE_ON_FAILURE', 'drop'],
    ['ARCHIVE_MAX_OBJECT_BYTES', '12'],
    ['ARCHIVE_PART_BYTES', '1000'],
  ])('rejects %s=%s', (name, value) => {
    expect(() => readArchiveSettings({ ARCHIVE_BUCKET: 'b', [name]: value })).toThrow(ConfigError);
  });

  it.each([
    [['*'], 'anything', true],
    [['app-logs'], 'app-logs', true],
    [['app-logs'], 'app-logs2', false],
    [['nginx.*', 'syslog'], 'nginx.access', true],
    [['nginx.*'], 'nginxXaccess', false],
    [['a?c'], 'abc', true],
  ])('topicFilter(%j)(%s) = %s', (patterns, topic, expected) => {
    expect(topicFilter(patterns)(topic)).toBe(expected);
  });
});

describe('S3 writes', () => {
  it('a body above the part size goes multipart, in order; a failed part aborts the upload', async () => {
    const s3 = new S3Client({ region: 'us-east-1' });
    const mock = mockClient(s3);
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    mock
      .on(UploadPartCommand)
      .callsFake((input: { PartNumber: number }) => ({ ETag: `"e${input.PartNumber}"` }));
    mock.on(CompleteMultipartUploadCommand).resolves({});
    await putObject(s3, 'k', Buffer.alloc(12), { bucket: 'b', partBytes: 5 });
    const parts = mock
      .commandCalls(UploadPartCommand)
      .map((c) => [c.args[0].input.PartNumber, (c.args[0].input.Body as Buffer).length]);
    expect(parts).toEqual([
      [1, 5],
      [2, 5],
      [3, 2],
    ]);
    expect(mock.commandCalls(CompleteMultipartUploadCommand)[0]!.args[0].input.MultipartUpload).toEqual({
      Parts: [
        { ETag: '"e1"', PartNumber: 1 },
        { ETag: '"e2"', PartNumber: 2 },
        { ETag: '"e3"', PartNumber: 3 },
      ],
    });

    mock.reset();
    mock.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u2' });
    mock.on(UploadPartCommand).rejects(new Error('connection reset'));
    await expect(putObject(s3, 'k', Buffer.alloc(12), { bucket: 'b', partBytes: 5 })).rejects.toThrow(
      'connection reset',
    );
    expect(mock.commandCalls(AbortMultipartUploadCommand).map((c) => c.args[0].input.UploadId)).toEqual([
      'u2',
    ]);
  });

  it('the writer reports a failed object with its coordinates and goes on with the others', async () => {
    const s3 = new S3Client({ region: 'us-east-1' });
    const mock = mockClient(s3);
    mock.on(PutObjectCommand).callsFake((input: { Key: string }) => {
      if (input.Key.includes('partition=1')) throw new Error('SlowDown');
      return {};
    });
    const writer = createArchiveWriter(s3, {
      ...readArchiveSettings({ ARCHIVE_BUCKET: 'b' })!,
      topics: ['app-*'],
    });
    const result = await writer.write([
      record(4),
      record(5),
      record(7, { partition: 1 }),
      record(1, { topic: 'other' }),
    ]);
    expect(result.keys).toEqual(['raw/topic=app-logs/dt=2026-11-20/hour=12/partition=0/4-5.ndjson.gz']);
    expect(result.records).toBe(2);
    expect(result.failures).toEqual([
      {
        key: 'raw/topic=app-logs/dt=2026-11-20/hour=12/partition=1/7-7.ndjson.gz',
        topic: 'app-logs',
        partition: 1,
        firstOffset: 7,
        lastOffset: 7,
        records: 1,
        reason: 'Error: SlowDown',
      },
    ]);
  });
});
