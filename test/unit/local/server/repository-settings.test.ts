import { describe, expect, it } from 'vitest';
import { OpenSearchError } from '../../../../infra/local/opensearch/errors.ts';
import { runsFor } from '../../../../infra/local/opensearch/lifecycle/lifecycle.ts';
import {
  flattenRepositorySettings,
  parseRepository,
} from '../../../../infra/local/opensearch/lifecycle/repository-settings.ts';
import { snapshotNameProblem } from '../../../../infra/local/opensearch/lifecycle/snapshots.ts';

describe('parseRepository', () => {
  it('keeps settings flat and as strings', () => {
    expect(
      parseRepository('r', {
        type: 's3',
        settings: {
          bucket: 'my-bucket',
          base_path: 'a/b',
          region: 'eu-west-1',
          storage_class: 'standard_ia',
          canned_acl: 'bucket-owner-full-control',
          chunk_size: '1gb',
          server_side_encryption_type: 'aws:kms',
          server_side_encryption_kms_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/k',
          expected_bucket_owner: '123456789012',
          role_arn: 'arn:aws:iam::123456789012:role/Snapshots',
          path_style_access: true,
          endpoint: 'http://127.0.0.1:4569',
        },
      }),
    ).toEqual({
      type: 's3',
      settings: {
        bucket: 'my-bucket',
        base_path: 'a/b',
        region: 'eu-west-1',
        storage_class: 'standard_ia',
        canned_acl: 'bucket-owner-full-control',
        chunk_size: '1gb',
        server_side_encryption_type: 'aws:kms',
        server_side_encryption_kms_key_id: 'arn:aws:kms:eu-west-1:123456789012:key/k',
        expected_bucket_owner: '123456789012',
        role_arn: 'arn:aws:iam::123456789012:role/Snapshots',
        path_style_access: 'true',
        endpoint: 'http://127.0.0.1:4569',
      },
    });
    expect(parseRepository('f', { type: 'fs', settings: { location: '/x', compress: true } })).toEqual({
      type: 'fs',
      settings: { location: '/x', compress: 'true' },
    });
  });

  const s3 = (settings: Record<string, unknown>) => ({
    type: 's3',
    settings: { bucket: 'my-bucket', ...settings },
  });
  it.each([
    ['no type', {}, 'type is missing'],
    ['an unknown type', { type: 'hdfs' }, 'repository type [hdfs] does not exist'],
    ['fs without location', { type: 'fs', settings: {} }, 'missing location'],
    ['s3 without bucket', { type: 's3', settings: {} }, 'No bucket defined'],
    ['a bad bucket name', s3({ bucket: 'Bad_Bucket' }), 'Invalid bucket name'],
    ['glacier', s3({ storage_class: 'glacier' }), 'storage class is not supported'],
    ['deep_archive', s3({ storage_class: 'DEEP_ARCHIVE' }), 'storage class is not supported'],
    ['an unknown storage class', s3({ storage_class: 'cheap' }), 'not a valid S3 Storage Class'],
    ['an unknown canned ACL', s3({ canned_acl: 'everyone' }), 'cannedACL'],
    ['a chunk_size below 5mb', s3({ chunk_size: '1mb' }), 'between 5mb and 5tb'],
    ['an unknown SSE type', s3({ server_side_encryption_type: 'rot13' }), 'must be one of'],
    [
      'a KMS key without aws:kms',
      s3({ server_side_encryption_kms_key_id: 'k' }),
      'requires server_side_encryption_type',
    ],
    ['a bad bucket owner', s3({ expected_bucket_owner: '12' }), '12-digit'],
    ['a bad role ARN', s3({ role_arn: 'role/x' }), 'not a valid IAM role ARN'],
    ['a bad region', s3({ region: 'moon' }), 'not a valid AWS region'],
    [
      'a non-boolean compress',
      { type: 'fs', settings: { location: 'x', compress: 'yes' } },
      '[true] or [false]',
    ],
  ])('rejects %s', (_name, body, message) => {
    let error: unknown;
    try {
      parseRepository('r', body);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(OpenSearchError);
    expect((error as OpenSearchError).message).toContain(message);
  });

  it('rejects bad repository names', () => {
    expect(() => parseRepository('_r', { type: 'fs', settings: { location: 'x' } })).toThrow(
      'Invalid repository name',
    );
  });

  it('flattens nested settings without touching the prototype', () => {
    expect(flattenRepositorySettings({ a: { b: 1 }, __proto__: { polluted: 1 }, c: [1, 2] })).toEqual({
      'a.b': '1',
      c: '1,2',
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('snapshotNameProblem', () => {
  it.each([
    ['good-name_1', undefined],
    ['', 'cannot be empty'],
    ['Upper', 'must be lowercase'],
    ['_hidden', "must not start with '_'"],
    ['a#b', "must not contain '#'"],
    ['a b', 'must not contain the following characters'],
    ['a/b', 'must not contain the following characters'],
  ])('%j → %s', (name, problem) => {
    if (problem === undefined) expect(snapshotNameProblem(name)).toBeUndefined();
    else expect(snapshotNameProblem(name)).toContain(problem);
  });
});

describe('runsFor (job runs per clock move)', () => {
  const I = 300_000;
  it.each([
    [0, 60_000, false, 0],
    [0, 60_000, true, 1],
    [0, I, false, 1],
    [0, 3 * I + 1, true, 3],
    [0, 1000 * I, true, 50],
    [10 * I, 0, true, 1],
    [10 * I, 0, false, 0],
  ])('last %i, now %i, explicit %s → %i', (last, now, explicit, expected) => {
    expect(runsFor(last, now, I, explicit)).toBe(expected);
  });
});
