// Snapshot repository definitions: type and settings checked as OpenSearch (and its repository-s3
// plugin, and Amazon OpenSearch Service) check them. Pure.
import { OpenSearchError } from '../errors.ts';
import { parseByteSize } from '../units.ts';
import type { RepositoryType } from './types.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function repositoryError(name: string, reason: string): OpenSearchError {
  return new OpenSearchError(500, 'repository_exception', `[${name}] ${reason}`);
}

export const S3_STORAGE_CLASSES = [
  'standard',
  'reduced_redundancy',
  'standard_ia',
  'onezone_ia',
  'intelligent_tiering',
];
export const S3_CANNED_ACLS = [
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'log-delivery-write',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'aws-exec-read',
];
export const S3_SSE_TYPES = ['AES256', 'aws:kms', 'bucket_default'];

/** Flattens `{"settings": {"a": {"b": 1}}}` to `{"a.b": "1"}` (repository settings are flat strings). */
export function flattenRepositorySettings(input: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (value: unknown, prefix: string) => {
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
      return;
    }
    if (value === null || value === undefined) return;
    Object.defineProperty(out, prefix, {
      value: Array.isArray(value) ? value.map(String).join(',') : String(value),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  };
  walk(input, '');
  return out;
}

const bool = (value: string | undefined) => value === 'true';

function checkBoolean(name: string, settings: Record<string, string>, key: string): void {
  const v = settings[key];
  if (v !== undefined && v !== 'true' && v !== 'false')
    throw repositoryError(
      name,
      `Failed to parse value [${v}] as only [true] or [false] are allowed for [${key}]`,
    );
}

/** Validates a `PUT _snapshot/{name}` body; returns the type and flat settings. */
export function parseRepository(
  name: string,
  body: unknown,
): { type: RepositoryType; settings: Record<string, string> } {
  if (name === '' || name.startsWith('_') || /[\\/*?"<>| ,#A-Z]/.test(name)) {
    throw new OpenSearchError(400, 'illegal_argument_exception', `Invalid repository name [${name}]`);
  }
  if (!isObject(body)) {
    throw new OpenSearchError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: type is missing;',
    );
  }
  if (typeof body.type !== 'string' || body.type === '')
    throw new OpenSearchError(
      400,
      'action_request_validation_exception',
      'Validation Failed: 1: type is missing;',
    );
  const settings = flattenRepositorySettings(body.settings ?? {});
  for (const key of ['compress', 'readonly', 'read_only']) checkBoolean(name, settings, key);
  if (settings.chunk_size !== undefined) {
    const bytes = parseByteSize(settings.chunk_size, 'chunk_size');
    if (bytes <= 0)
      throw repositoryError(name, `chunk_size must be greater than 0 but was [${settings.chunk_size}]`);
  }
  if (body.type === 'fs') {
    if (settings.location === undefined || settings.location === '')
      throw repositoryError(name, 'missing location');
    return { type: 'fs', settings };
  }
  if (body.type === 's3') {
    validateS3Settings(name, settings);
    return { type: 's3', settings };
  }
  throw repositoryError(name, `repository type [${body.type}] does not exist`);
}

export function validateS3Settings(name: string, s: Record<string, string>): void {
  if (s.bucket === undefined || s.bucket === '')
    throw repositoryError(name, 'No bucket defined for s3 repository');
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(s.bucket))
    throw repositoryError(name, `Invalid bucket name [${s.bucket}]`);
  if (s.base_path?.startsWith('/'))
    throw repositoryError(name, `base_path [${s.base_path}] must not start with '/'`);
  if (s.storage_class !== undefined) {
    const sc = s.storage_class.toLowerCase();
    if (sc === 'glacier' || sc === 'deep_archive')
      throw repositoryError(
        name,
        `[${s.storage_class}] storage class is not supported: snapshots cannot be read back from it`,
      );
    if (!S3_STORAGE_CLASSES.includes(sc))
      throw repositoryError(name, `'${s.storage_class}' is not a valid S3 Storage Class.`);
  }
  if (s.canned_acl !== undefined && !S3_CANNED_ACLS.includes(s.canned_acl))
    throw repositoryError(name, `could not find matching cannedACL for [${s.canned_acl}]`);
  if (s.chunk_size !== undefined) {
    const bytes = parseByteSize(s.chunk_size, 'chunk_size');
    if (bytes < 5 * 1024 ** 2 || bytes > 5 * 1024 ** 4)
      throw repositoryError(name, `chunk_size [${s.chunk_size}] must be between 5mb and 5tb`);
  }
  if (s.buffer_size !== undefined) {
    const bytes = parseByteSize(s.buffer_size, 'buffer_size');
    if (bytes < 5 * 1024 ** 2)
      throw repositoryError(name, `buffer_size [${s.buffer_size}] must be at least 5mb`);
  }
  const sse = s.server_side_encryption_type;
  if (sse !== undefined && !S3_SSE_TYPES.includes(sse))
    throw repositoryError(
      name,
      `server_side_encryption_type [${sse}] must be one of [${S3_SSE_TYPES.join(', ')}]`,
    );
  if (s.server_side_encryption_kms_key_id !== undefined && sse !== 'aws:kms')
    throw repositoryError(
      name,
      'server_side_encryption_kms_key_id requires server_side_encryption_type [aws:kms]',
    );
  checkBoolean(name, s, 'server_side_encryption');
  checkBoolean(name, s, 'server_side_encryption_bucket_key_enabled');
  checkBoolean(name, s, 'path_style_access');
  if (s.expected_bucket_owner !== undefined && !/^\d{12}$/.test(s.expected_bucket_owner))
    throw repositoryError(
      name,
      `expected_bucket_owner [${s.expected_bucket_owner}] must be a 12-digit AWS account id`,
    );
  if (s.role_arn !== undefined && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(s.role_arn))
    throw repositoryError(name, `role_arn [${s.role_arn}] is not a valid IAM role ARN`);
  if (s.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d$/.test(s.region))
    throw repositoryError(name, `region [${s.region}] is not a valid AWS region`);
  if (s.endpoint !== undefined) {
    const url = /^https?:\/\//.test(s.endpoint) ? s.endpoint : `${s.protocol ?? 'https'}://${s.endpoint}`;
    try {
      new URL(url);
    } catch {
      throw repositoryError(name, `endpoint [${s.endpoint}] is not a valid URL`);
    }
  }
  if (s.protocol !== undefined && s.protocol !== 'http' && s.protocol !== 'https')
    throw repositoryError(name, `protocol [${s.protocol}] must be http or https`);
}

export function isReadOnly(settings: Record<string, string>): boolean {
  return bool(settings.readonly) || bool(settings.read_only);
}
