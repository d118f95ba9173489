// Environment settings and what the deployment overrides in lifecycle.yaml.
import { describe, expect, it } from 'vitest';
import { applyEnvironment, catalogBucketOf } from '../../../functions/lifecycle/app.ts';
import { readLifecycleSettings } from '../../../functions/lifecycle/config.ts';
import { ConfigError } from '../../../functions/runtime/errors.ts';
import { config } from '../lifecycle/helpers.ts';

const base = { OPENSEARCH_ENDPOINT: 'https://search.example.com', OPENSEARCH_AUTH: 'none' };

describe('readLifecycleSettings', () => {
  it('defaults', () => {
    const s = readLifecycleSettings(base);
    expect(s.lifecycle).toEqual({ file: 'infra/opensearch/lifecycle.yaml' });
    expect(s.waitForSnapshots).toBe(false);
    expect(s.snapshotBucket).toBeUndefined();
    expect(s.safetyMarginMs).toBe(20_000);
  });

  it('reads every variable', () => {
    const s = readLifecycleSettings({
      ...base,
      LIFECYCLE_YAML: 'prefix: x',
      SNAPSHOT_BUCKET: 'snaps',
      SNAPSHOT_ROLE_ARN: 'arn:aws:iam::1:role/r',
      CATALOG_BUCKET: 'cat',
      SNAPSHOT_WAIT: 'true',
      S3_ENDPOINT: 'http://127.0.0.1:4569',
      SAFETY_MARGIN_MS: '0',
    });
    expect(s).toMatchObject({
      lifecycle: { inline: 'prefix: x' },
      snapshotBucket: 'snaps',
      snapshotRoleArn: 'arn:aws:iam::1:role/r',
      catalogBucket: 'cat',
      waitForSnapshots: true,
      s3: { endpoint: 'http://127.0.0.1:4569' },
      safetyMarginMs: 0,
    });
  });

  it('names a bad variable', () => {
    expect(() => readLifecycleSettings({ ...base, SNAPSHOT_WAIT: 'maybe' })).toThrow(/SNAPSHOT_WAIT="maybe"/);
    expect(() => readLifecycleSettings({})).toThrow(/OPENSEARCH_ENDPOINT is required/);
  });
});

describe('applyEnvironment', () => {
  it('replaces the bucket and adds the role for Amazon OpenSearch Service', () => {
    const settings = readLifecycleSettings({
      ...base,
      SNAPSHOT_BUCKET: 'snaps',
      SNAPSHOT_ROLE_ARN: 'arn:aws:iam::1:role/r',
    });
    const applied = applyEnvironment(config(), settings);
    expect(applied.repository.settings).toEqual({
      bucket: 'snaps',
      region: 'eu-west-1',
      role_arn: 'arn:aws:iam::1:role/r',
    });
    expect(config().repository.settings).toEqual({ bucket: 'b', region: 'eu-west-1' });
  });

  it('the catalog lives in the repository bucket unless CATALOG_BUCKET says otherwise', () => {
    const settings = readLifecycleSettings(base);
    expect(catalogBucketOf(config(), settings)).toBe('b');
    expect(catalogBucketOf(config(), { ...settings, catalogBucket: 'c' })).toBe('c');
    const fs = config({ repository: { name: 'r', type: 'fs', settings: { location: '/x' } } });
    expect(() => catalogBucketOf(fs, settings)).toThrow(ConfigError);
    expect(() => catalogBucketOf(fs, settings)).toThrow(/CATALOG_BUCKET is required/);
  });
});
