import type { OpenSearchConfig } from '../adapters/opensearch.ts';
import { type Env, readBool, readInt, readOptional, readString } from '../runtime/env.ts';
import { readOpenSearchConfig } from '../runtime/opensearch-env.ts';

/** Everything the lifecycle function reads from its environment, validated once at cold start. */
export interface LifecycleSettings {
  opensearch: OpenSearchConfig;
  region: string;
  s3: { endpoint?: string };
  /** lifecycle.yaml (relative to the task root) or the YAML itself. */
  lifecycle: { file: string; inline?: string };
  /** Replaces `repository.settings.bucket` (the bucket is created by the deployment). */
  snapshotBucket?: string;
  /** Amazon OpenSearch Service: the IAM role the domain assumes to write snapshots. */
  snapshotRoleArn?: string;
  /** Bucket of the catalog; the repository's bucket when unset (required for an `fs` repository). */
  catalogBucket?: string;
  /** Wait for each snapshot inside the run; off on Lambda, where the next run picks it up. */
  waitForSnapshots: boolean;
  /** The OpenSearch API spec (ISM and SM schemas); without it only the built-in rules validate. */
  specDir?: string;
  /** Actions stop when less than this is left of the invocation. */
  safetyMarginMs: number;
}

export function readLifecycleSettings(env: Env): LifecycleSettings {
  const inline = readOptional(env, 'LIFECYCLE_YAML');
  const optional = (key: string, name: keyof LifecycleSettings) => {
    const value = readOptional(env, key);
    return value === undefined ? {} : { [name]: value };
  };
  const s3Endpoint = readOptional(env, 'S3_ENDPOINT');
  return {
    // Snapshots and restores of large indices take long: a generous per-request timeout.
    opensearch: readOpenSearchConfig(env, { requestTimeoutMs: 120_000 }),
    region: readString(env, 'AWS_REGION', 'us-east-1'),
    s3: s3Endpoint ? { endpoint: s3Endpoint } : {},
    lifecycle: {
      file: readString(env, 'LIFECYCLE_FILE', 'infra/opensearch/lifecycle.yaml'),
      ...(inline ? { inline } : {}),
    },
    ...optional('SNAPSHOT_BUCKET', 'snapshotBucket'),
    ...optional('SNAPSHOT_ROLE_ARN', 'snapshotRoleArn'),
    ...optional('CATALOG_BUCKET', 'catalogBucket'),
    ...optional('LIFECYCLE_SPEC_DIR', 'specDir'),
    waitForSnapshots: readBool(env, 'SNAPSHOT_WAIT', false),
    safetyMarginMs: readInt(env, 'SAFETY_MARGIN_MS', 20_000, { min: 0, max: 600_000 }),
  };
}
