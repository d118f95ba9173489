// Validation of the desired state before any call: the spec's schemas (compiled outside the core
// and passed in) plus the rules where the spec is looser than a real cluster
// (../shared/opensearch-api-spec/README.md). Every issue names its path and the fix.

import type { LifecycleConfig } from './config.ts';
import type { DesiredState, Json } from './desired.ts';
import { DAY_MS, parseByteSize, parseDuration } from './duration.ts';
import type { ConfigIssue } from './errors.ts';
import { LifecycleConfigError } from './errors.ts';

/** One schema violation as a validator reports it; `path` is a JSON pointer into the body. */
export interface SchemaViolation {
  path: string;
  message: string;
}

export type SchemaValidator = (body: unknown) => SchemaViolation[];

export interface SpecValidators {
  /** The spec's `ism._common.yaml#/components/schemas/PutPolicyRequest`. */
  ismPolicy: SchemaValidator;
  /** The spec's `sm._common.yaml#/components/schemas/CreateUpdatePolicyRequest`. */
  smPolicy: SchemaValidator;
}

export const S3StorageClasses = [
  'standard',
  'reduced_redundancy',
  'standard_ia',
  'onezone_ia',
  'intelligent_tiering',
] as const;
/** Archive classes need a restore request before reading: snapshots there cannot be restored. */
const ARCHIVE_STORAGE_CLASSES = ['glacier', 'deep_archive'];
export const SseTypes = ['AES256', 'aws:kms', 'bucket_default'] as const;
const S3_SETTINGS = [
  'bucket',
  'base_path',
  'region',
  'endpoint',
  'protocol',
  'storage_class',
  'canned_acl',
  'chunk_size',
  'compress',
  'server_side_encryption_type',
  'server_side_encryption_kms_key_id',
  'server_side_encryption_bucket_key_enabled',
  'server_side_encryption_encryption_context',
  'expected_bucket_owner',
  'role_arn',
  'role_session_name',
  'max_restore_bytes_per_sec',
  'max_snapshot_bytes_per_sec',
  'readonly',
  'path_style_access',
  'client',
];
const INDEX_NAME_RE = /^[a-z0-9][a-z0-9._-]*$/;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** S3 repository settings: what the spec does not model and a cluster refuses (or silently mis-stores). */
export function validateRepository(repo: {
  name: string;
  body: { type: string; settings: Json };
}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const path = 'repository';
  if (!INDEX_NAME_RE.test(repo.name)) {
    issues.push({
      path: `${path}.name`,
      message: `"${repo.name}" is not a valid repository name`,
      fix: 'use lowercase letters, digits, - and _',
    });
  }
  if (repo.body.type !== 's3') {
    // `fs` repositories exist for local tests; the S3 rules below do not apply to them.
    if (repo.body.type !== 'fs') {
      issues.push({
        path: `${path}.type`,
        message: `unsupported repository type "${repo.body.type}"`,
        fix: 'use type: s3',
      });
    }
    return issues;
  }
  const s = repo.body.settings;
  const sp = `${path}.settings`;
  if (typeof s.bucket !== 'string' || s.bucket.length === 0) {
    issues.push({
      path: `${sp}.bucket`,
      message: 'is required for an S3 repository',
      fix: 'set bucket: <the S3 bucket name>',
    });
  }
  for (const key of Object.keys(s)) {
    if (!S3_SETTINGS.includes(key)) {
      issues.push({
        path: `${sp}.${key}`,
        message: 'is not an S3 repository setting',
        fix: `remove it or use one of ${S3_SETTINGS.join(', ')}`,
      });
    }
  }
  if (s.storage_class !== undefined) {
    const sc = String(s.storage_class).toLowerCase();
    if (ARCHIVE_STORAGE_CLASSES.includes(sc)) {
      issues.push({
        path: `${sp}.storage_class`,
        message: `storage class ${sc} is an archive class: OpenSearch cannot read snapshots stored there`,
        fix: `use one of ${S3StorageClasses.join(', ')} (move old objects to Glacier with an S3 lifecycle rule instead)`,
      });
    } else if (!(S3StorageClasses as readonly string[]).includes(sc)) {
      issues.push({
        path: `${sp}.storage_class`,
        message: `unknown storage class "${String(s.storage_class)}"`,
        fix: `use one of ${S3StorageClasses.join(', ')}`,
      });
    }
  }
  const sse = s.server_side_encryption_type;
  if (sse !== undefined && !(SseTypes as readonly unknown[]).includes(sse)) {
    issues.push({
      path: `${sp}.server_side_encryption_type`,
      message: `unknown type ${JSON.stringify(sse)}`,
      fix: `use one of ${SseTypes.join(', ')}`,
    });
  }
  const kmsKey = s.server_side_encryption_kms_key_id;
  if (sse === 'aws:kms' && (typeof kmsKey !== 'string' || kmsKey.length === 0)) {
    issues.push({
      path: `${sp}.server_side_encryption_kms_key_id`,
      message: 'is required when server_side_encryption_type is aws:kms',
      fix: 'set the KMS key ARN or alias',
    });
  }
  if (kmsKey !== undefined && sse !== 'aws:kms') {
    issues.push({
      path: `${sp}.server_side_encryption_kms_key_id`,
      message: 'is only used with server_side_encryption_type aws:kms',
      fix: 'set server_side_encryption_type: aws:kms or remove the key id',
    });
  }
  if (s.role_arn !== undefined && (typeof s.role_arn !== 'string' || !s.role_arn.startsWith('arn:'))) {
    issues.push({
      path: `${sp}.role_arn`,
      message: 'must be an IAM role ARN',
      fix: 'set role_arn: arn:aws:iam::<account>:role/<name>',
    });
  }
  return issues;
}

function checkDuration(issues: ConfigIssue[], path: string, value: unknown): number | undefined {
  const ms = parseDuration(value);
  if (ms === undefined) {
    issues.push({
      path,
      message: `${JSON.stringify(value)} is not a time value`,
      fix: 'write it as <number><unit>, unit one of d, h, m, s (e.g. 7d)',
    });
  }
  return ms;
}

/** Rules across the config: names, durations in order, repository settings, SM retention. */
export function validateConfig(config: LifecycleConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = new Set<string>();
  const targets = new Set<string>();
  config.services.forEach((service, i) => {
    const p = `services.${i}`;
    if (names.has(service.name))
      issues.push({
        path: `${p}.name`,
        message: `duplicate service ${service.name}`,
        fix: 'give each service one entry',
      });
    names.add(service.name);
    if (!INDEX_NAME_RE.test(service.name)) {
      issues.push({
        path: `${p}.name`,
        message: `"${service.name}" cannot be part of template and policy names`,
        fix: 'use lowercase letters, digits, - and _',
      });
    }
    if (!INDEX_NAME_RE.test(service.target)) {
      issues.push({
        path: `${p}.${service.kind}`,
        message: `"${service.target}" is not a valid index name`,
        fix: 'use lowercase letters, digits, -, _ and .',
      });
    }
    if (targets.has(service.target))
      issues.push({
        path: `${p}.${service.kind}`,
        message: `${service.target} is used twice`,
        fix: 'give each service its own alias or data stream',
      });
    targets.add(service.target);
    for (const other of targets) {
      // `logs-api-*` would also catch `logs-api-admin-000001`: two policies would claim one index.
      if (
        other !== service.target &&
        (other.startsWith(`${service.target}-`) || service.target.startsWith(`${other}-`))
      ) {
        issues.push({
          path: `${p}.${service.kind}`,
          message: `${service.target} and ${other} overlap as index patterns`,
          fix: 'choose names where neither is a dash-prefix of the other',
        });
      }
    }
    const warm = checkDuration(issues, `${p}.warm_after`, service.warm_after);
    const cold = checkDuration(issues, `${p}.cold_after`, service.cold_after);
    const del = checkDuration(issues, `${p}.delete_after`, service.delete_after);
    if (warm !== undefined && cold !== undefined && warm > cold) {
      issues.push({
        path: `${p}.cold_after`,
        message: `cold_after ${service.cold_after} comes before warm_after ${service.warm_after}`,
        fix: 'make cold_after >= warm_after',
      });
    }
    if (cold !== undefined && del !== undefined && cold > del) {
      issues.push({
        path: `${p}.delete_after`,
        message: `delete_after ${service.delete_after} comes before cold_after ${service.cold_after}`,
        fix: 'make delete_after >= cold_after',
      });
    }
    const r = service.rollover;
    if (r.min_index_age !== undefined) checkDuration(issues, `${p}.rollover.min_index_age`, r.min_index_age);
    for (const key of ['min_size', 'min_primary_shard_size'] as const) {
      if (r[key] !== undefined && parseByteSize(r[key]) === undefined) {
        issues.push({
          path: `${p}.rollover.${key}`,
          message: `${JSON.stringify(r[key])} is not a byte size`,
          fix: 'write it as <number><unit>, unit one of b, kb, mb, gb, tb (e.g. 30gb)',
        });
      }
    }
    if (parseDuration(service.refresh_interval) === undefined && service.refresh_interval !== '-1') {
      issues.push({
        path: `${p}.refresh_interval`,
        message: `${service.refresh_interval} is not a time value`,
        fix: 'e.g. 5s, or -1 to disable',
      });
    }
  });
  checkDuration(issues, 'snapshot.retention.max_age', config.snapshot.retention.max_age);
  if (!INDEX_NAME_RE.test(config.snapshot.name_prefix)) {
    issues.push({
      path: 'snapshot.name_prefix',
      message: 'cannot start a snapshot name',
      fix: 'use lowercase letters, digits, - and _',
    });
  }
  issues.push(
    ...validateRepository({
      name: config.repository.name,
      body: { type: config.repository.type, settings: config.repository.settings },
    }),
  );
  const smMaxAge = config.snapshot.mode === 'sm' ? config.snapshot.sm?.deletion.condition.max_age : undefined;
  const smMaxAgeMs = parseDuration(smMaxAge);
  const longest = Math.max(0, ...config.services.map((s) => s.retention_days));
  // SM deletes by age alone: below the longest retention it would delete the only copy of logs
  // the function already removed from the cluster.
  if (smMaxAgeMs !== undefined && smMaxAgeMs < longest * DAY_MS) {
    issues.push({
      path: 'snapshot.sm.deletion.condition.max_age',
      message: `${String(smMaxAge)} is shorter than the longest retention_days (${longest}): SM would delete data still to be kept`,
      fix: `set max_age to at least ${longest}d`,
    });
  }
  return issues;
}

function pointerToPath(prefix: string, pointer: string): string {
  const rest = pointer
    .split('/')
    .filter((p) => p.length > 0)
    .join('.');
  return rest.length > 0 ? `${prefix}.${rest}` : prefix;
}

/** An ISM policy body: the spec schema, then what a cluster refuses although the spec allows it. */
export function validateIsmPolicy(
  id: string,
  body: unknown,
  repositories: readonly string[],
  schema: SchemaValidator,
): ConfigIssue[] {
  const base = `policies.${id}`;
  const issues: ConfigIssue[] = schema(body).map((v) => ({
    path: pointerToPath(base, v.path),
    message: `invalid policy: ${v.message}`,
    fix: 'follow the ISM policy schema of the OpenSearch API spec',
  }));
  const policy = isObject(body) && isObject(body.policy) ? body.policy : undefined;
  if (policy === undefined) {
    issues.push({
      path: `${base}.policy`,
      message: 'invalid policy: missing',
      fix: 'wrap the policy as {policy: {...}}',
    });
    return issues;
  }
  const states = Array.isArray(policy.states) ? policy.states.filter(isObject) : [];
  const stateNames = new Set(states.map((s) => s.name));
  if (states.length === 0)
    issues.push({
      path: `${base}.policy.states`,
      message: 'invalid policy: no states',
      fix: 'add at least one state',
    });
  if (!stateNames.has(policy.default_state)) {
    issues.push({
      path: `${base}.policy.default_state`,
      message: `invalid policy: default_state ${JSON.stringify(policy.default_state)} is not a state`,
      fix: `use one of ${[...stateNames].join(', ')}`,
    });
  }
  states.forEach((state, si) => {
    const sp = `${base}.policy.states.${si}`;
    const actions = Array.isArray(state.actions) ? state.actions : [];
    actions.forEach((action, ai) => {
      const ap = `${sp}.actions.${ai}`;
      const kinds = isObject(action)
        ? Object.keys(action).filter((k) => k !== 'timeout' && k !== 'retry')
        : [];
      if (kinds.length !== 1) {
        issues.push({
          path: ap,
          message: `invalid policy: an action must have exactly one type, found ${kinds.length}`,
          fix: 'split it into one action per type',
        });
      }
      const snapshot = isObject(action) ? action.snapshot : undefined;
      if (isObject(snapshot)) {
        if ('include_global_state' in snapshot) {
          issues.push({
            path: `${ap}.snapshot.include_global_state`,
            message: 'invalid policy: the ISM snapshot action has no include_global_state field',
            fix: 'remove include_global_state',
          });
        }
        if (typeof snapshot.repository !== 'string' || !repositories.includes(snapshot.repository)) {
          issues.push({
            path: `${ap}.snapshot.repository`,
            message: `unknown repository ${JSON.stringify(snapshot.repository)}`,
            fix: `use one of ${repositories.join(', ') || '(none configured)'}`,
          });
        }
      }
    });
    const transitions = Array.isArray(state.transitions) ? state.transitions : [];
    transitions.forEach((t, ti) => {
      const tp = `${sp}.transitions.${ti}`;
      if (!isObject(t)) return;
      if (!stateNames.has(t.state_name)) {
        issues.push({
          path: `${tp}.state_name`,
          message: `invalid policy: transition to unknown state ${JSON.stringify(t.state_name)}`,
          fix: `use one of ${[...stateNames].join(', ')}`,
        });
      }
      if (isObject(t.conditions)) {
        const keys = Object.keys(t.conditions);
        if (keys.length > 1) {
          issues.push({
            path: `${tp}.conditions`,
            message: `invalid policy: a transition takes one condition, found ${keys.join(', ')}`,
            fix: 'keep one condition, or chain states with one condition each',
          });
        }
        if (keys.includes('min_index_age') || keys.includes('min_rollover_age')) {
          for (const k of ['min_index_age', 'min_rollover_age']) {
            if (t.conditions[k] !== undefined)
              checkDuration(issues, `${tp}.conditions.${k}`, t.conditions[k]);
          }
        }
      }
    });
  });
  return issues;
}

/** An SM policy body: the spec schema, then a deletion condition that actually bounds the snapshots. */
export function validateSmPolicy(
  name: string,
  body: unknown,
  repositories: readonly string[],
  schema: SchemaValidator,
): ConfigIssue[] {
  const base = `sm_policies.${name}`;
  const issues: ConfigIssue[] = schema(body).map((v) => ({
    path: pointerToPath(base, v.path),
    message: `invalid SM policy: ${v.message}`,
    fix: 'follow the SM policy schema of the OpenSearch API spec',
  }));
  if (!isObject(body)) return issues;
  const deletion = body.deletion;
  if (deletion !== undefined) {
    const condition = isObject(deletion) && isObject(deletion.condition) ? deletion.condition : {};
    if (condition.max_age === undefined && condition.max_count === undefined) {
      issues.push({
        path: `${base}.deletion.condition`,
        message: 'invalid SM policy: deletion has neither max_age nor max_count',
        fix: 'set max_age (e.g. 365d) or max_count',
      });
    }
    if (condition.max_age !== undefined)
      checkDuration(issues, `${base}.deletion.condition.max_age`, condition.max_age);
  }
  const config = isObject(body.snapshot_config) ? body.snapshot_config : {};
  if (typeof config.repository === 'string' && !repositories.includes(config.repository)) {
    issues.push({
      path: `${base}.snapshot_config.repository`,
      message: `unknown repository ${config.repository}`,
      fix: `use one of ${repositories.join(', ') || '(none configured)'}`,
    });
  }
  return issues;
}

/** Every check on the built desired state; throws `LifecycleConfigError` with all issues. */
export function validateDesiredState(
  desired: DesiredState,
  validators: SpecValidators,
  config?: LifecycleConfig,
): void {
  const issues: ConfigIssue[] = config ? validateConfig(config) : [];
  const repositories = [desired.repository.name];
  if (!config) issues.push(...validateRepository(desired.repository));
  for (const [id, body] of Object.entries(desired.policies)) {
    issues.push(...validateIsmPolicy(id, body, repositories, validators.ismPolicy));
  }
  if (desired.smPolicy !== null) {
    issues.push(
      ...validateSmPolicy(desired.smPolicy.name, desired.smPolicy.body, repositories, validators.smPolicy),
    );
  }
  if (issues.length > 0) throw new LifecycleConfigError(issues);
}
