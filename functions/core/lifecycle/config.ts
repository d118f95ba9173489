// The lifecycle parameters (infra/opensearch/lifecycle.yaml) turned into a typed, defaulted config.
// Shape problems are collected, not thrown one by one, so a bad file is fixed in one go.

import type { ConfigIssue } from './errors.ts';
import { LifecycleConfigError } from './errors.ts';

export const TargetKinds = { alias: 'alias', dataStream: 'data_stream' } as const;
export type TargetKind = (typeof TargetKinds)[keyof typeof TargetKinds];

export const SnapshotModes = {
  /** The lifecycle function takes one snapshot per index, with a deterministic name. */
  function: 'function',
  /** Snapshot Management takes scheduled snapshots; the function only verifies and catalogs. */
  sm: 'sm',
} as const;
export type SnapshotMode = (typeof SnapshotModes)[keyof typeof SnapshotModes];

export interface RolloverConfig {
  min_size?: string;
  min_primary_shard_size?: string;
  min_index_age?: string;
  min_doc_count?: number;
}

/** Per-service settings; each may be overridden under `services[]`, the rest come from `defaults`. */
export interface TierConfig {
  retention_days: number;
  rollover: RolloverConfig;
  warm_after: string;
  cold_after: string;
  delete_after: string;
  shards: number;
  replicas: { hot: number; warm: number; cold: number };
  force_merge_segments: number;
  refresh_interval: string;
  translog_durability: 'request' | 'async';
  index_priority: { hot: number; warm: number; cold: number };
  /** Node attribute values for `allocation.require.box_type`; `null` leaves allocation alone. */
  allocation: { warm: string | null; cold: string | null };
}

export interface ServiceConfig extends TierConfig {
  /** `service.name` of the documents. */
  name: string;
  kind: TargetKind;
  /** The write alias (alias kind, also the index prefix) or the data stream name. */
  target: string;
}

export interface RepositoryConfig {
  name: string;
  type: string;
  /** S3 repository settings as OpenSearch takes them (`bucket`, `base_path`, `region`, …). */
  settings: Record<string, unknown>;
}

export interface SmConfig {
  policy_name: string;
  indices: string;
  creation: { schedule: unknown; time_limit?: string };
  deletion: { schedule?: unknown; condition: Record<string, unknown>; time_limit?: string };
}

export interface LifecycleConfig {
  /** Prefix of every template and policy name this project owns. */
  prefix: string;
  services: ServiceConfig[];
  repository: RepositoryConfig;
  snapshot: {
    mode: SnapshotMode;
    /** Snapshot names are `<name_prefix>-<index>-<yyyy.MM.dd>`. */
    name_prefix: string;
    retention: { max_age: string; min_count: number };
    sm: SmConfig | null;
  };
  ism: { change_policy_for_managed_indices: boolean; template_priority: number };
  catalog: { prefix: string };
}

const DEFAULT_TIER: TierConfig = {
  retention_days: 90,
  rollover: { min_size: '30gb', min_index_age: '1d' },
  warm_after: '2d',
  cold_after: '7d',
  delete_after: '30d',
  shards: 1,
  replicas: { hot: 1, warm: 1, cold: 0 },
  force_merge_segments: 1,
  refresh_interval: '5s',
  translog_durability: 'request',
  index_priority: { hot: 100, warm: 50, cold: 0 },
  allocation: { warm: 'warm', cold: 'cold' },
};

type Raw = Record<string, unknown>;

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class Reader {
  readonly issues: ConfigIssue[] = [];

  issue(path: string, message: string, fix: string): void {
    this.issues.push({ path, message, fix });
  }

  object(raw: unknown, path: string): Raw {
    if (raw === undefined || raw === null) return {};
    if (isObject(raw)) return raw;
    this.issue(path, `must be a mapping, got ${JSON.stringify(raw)}`, 'write it as `key: value` lines');
    return {};
  }

  string(raw: Raw, key: string, path: string, fallback?: string): string {
    const value = raw[key];
    if (value === undefined && fallback !== undefined) return fallback;
    if (typeof value === 'string' && value.length > 0) return value;
    this.issue(
      `${path}${key}`,
      value === undefined ? 'is required' : 'must be a non-empty string',
      `set ${key}`,
    );
    return fallback ?? '';
  }

  int(raw: Raw, key: string, path: string, fallback: number, min = 0): number {
    const value = raw[key];
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= min) return value;
    this.issue(
      `${path}${key}`,
      `must be an integer >= ${min}, got ${JSON.stringify(value)}`,
      `set ${key}: ${fallback}`,
    );
    return fallback;
  }

  bool(raw: Raw, key: string, path: string, fallback: boolean): boolean {
    const value = raw[key];
    if (value === undefined) return fallback;
    if (typeof value === 'boolean') return value;
    this.issue(`${path}${key}`, 'must be true or false', `set ${key}: ${fallback}`);
    return fallback;
  }

  oneOf<T extends string>(raw: Raw, key: string, path: string, allowed: readonly T[], fallback: T): T {
    const value = raw[key];
    if (value === undefined) return fallback;
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.issue(`${path}${key}`, `must be one of ${allowed.join(', ')}`, `set ${key}: ${fallback}`);
    return fallback;
  }
}

function readTier(r: Reader, raw: Raw, path: string, base: TierConfig): TierConfig {
  const rollover =
    raw.rollover === undefined
      ? base.rollover
      : readRollover(r, r.object(raw.rollover, `${path}rollover`), `${path}rollover.`);
  const replicas = r.object(raw.replicas, `${path}replicas`);
  const priority = r.object(raw.index_priority, `${path}index_priority`);
  const allocation = r.object(raw.allocation, `${path}allocation`);
  return {
    retention_days: r.int(raw, 'retention_days', path, base.retention_days, 1),
    rollover,
    warm_after: r.string(raw, 'warm_after', path, base.warm_after),
    cold_after: r.string(raw, 'cold_after', path, base.cold_after),
    delete_after: r.string(raw, 'delete_after', path, base.delete_after),
    shards: r.int(raw, 'shards', path, base.shards, 1),
    replicas: {
      hot: r.int(replicas, 'hot', `${path}replicas.`, base.replicas.hot),
      warm: r.int(replicas, 'warm', `${path}replicas.`, base.replicas.warm),
      cold: r.int(replicas, 'cold', `${path}replicas.`, base.replicas.cold),
    },
    force_merge_segments: r.int(raw, 'force_merge_segments', path, base.force_merge_segments, 1),
    refresh_interval: r.string(raw, 'refresh_interval', path, base.refresh_interval),
    translog_durability: r.oneOf(
      raw,
      'translog_durability',
      path,
      ['request', 'async'],
      base.translog_durability,
    ),
    index_priority: {
      hot: r.int(priority, 'hot', `${path}index_priority.`, base.index_priority.hot),
      warm: r.int(priority, 'warm', `${path}index_priority.`, base.index_priority.warm),
      cold: r.int(priority, 'cold', `${path}index_priority.`, base.index_priority.cold),
    },
    allocation: {
      warm: readNullableString(r, allocation, 'warm', `${path}allocation.`, base.allocation.warm),
      cold: readNullableString(r, allocation, 'cold', `${path}allocation.`, base.allocation.cold),
    },
  };
}

function readNullableString(
  r: Reader,
  raw: Raw,
  key: string,
  path: string,
  fallback: string | null,
): string | null {
  if (!(key in raw)) return fallback;
  if (raw[key] === null) return null;
  return r.string(raw, key, path);
}

function readRollover(r: Reader, raw: Raw, path: string): RolloverConfig {
  const out: RolloverConfig = {};
  for (const key of ['min_size', 'min_primary_shard_size', 'min_index_age'] as const) {
    if (raw[key] !== undefined) out[key] = r.string(raw, key, path);
  }
  if (raw.min_doc_count !== undefined) out.min_doc_count = r.int(raw, 'min_doc_count', path, 0, 1);
  for (const key of Object.keys(raw)) {
    if (!['min_size', 'min_primary_shard_size', 'min_index_age', 'min_doc_count'].includes(key)) {
      r.issue(
        `${path}${key}`,
        'is not a rollover condition',
        'use min_size, min_primary_shard_size, min_index_age or min_doc_count',
      );
    }
  }
  if (Object.keys(out).length === 0) {
    r.issue(
      path.slice(0, -1),
      'has no condition: indices would never roll over',
      'set at least min_size or min_index_age',
    );
  }
  return out;
}

function readService(r: Reader, raw: unknown, index: number, defaults: TierConfig): ServiceConfig {
  const path = `services.${index}.`;
  const obj = r.object(raw, path.slice(0, -1));
  const name = r.string(obj, 'name', path);
  const hasAlias = obj.alias !== undefined;
  const hasStream = obj.data_stream !== undefined;
  if (hasAlias === hasStream) {
    r.issue(
      path.slice(0, -1),
      'needs exactly one of alias or data_stream',
      'set alias: logs-<service> or data_stream: logs-<service>',
    );
  }
  const kind = hasStream ? TargetKinds.dataStream : TargetKinds.alias;
  const target = r.string(
    obj,
    hasStream ? 'data_stream' : 'alias',
    path,
    hasAlias || hasStream ? undefined : `logs-${name}`,
  );
  return { name, kind, target, ...readTier(r, obj, path, defaults) };
}

function readRepository(r: Reader, raw: Raw): RepositoryConfig {
  const settings = { ...r.object(raw.settings, 'repository.settings') };
  // Amazon OpenSearch Service takes the IAM role among the repository settings.
  if (raw.role_arn !== undefined) settings.role_arn = raw.role_arn;
  return {
    name: r.string(raw, 'name', 'repository.'),
    type: r.string(raw, 'type', 'repository.', 's3'),
    settings,
  };
}

function readSm(r: Reader, raw: unknown, prefix: string): SmConfig | null {
  if (raw === undefined || raw === null) return null;
  const obj = r.object(raw, 'snapshot.sm');
  const creation = r.object(obj.creation, 'snapshot.sm.creation');
  const deletion = r.object(obj.deletion, 'snapshot.sm.deletion');
  if (creation.schedule === undefined) {
    r.issue(
      'snapshot.sm.creation.schedule',
      'is required',
      "set schedule: {cron: {expression: '0 2 * * *', timezone: UTC}}",
    );
  }
  const sm: SmConfig = {
    policy_name: r.string(obj, 'policy_name', 'snapshot.sm.', `${prefix}-daily`),
    indices: r.string(obj, 'indices', 'snapshot.sm.', 'logs-*'),
    creation: { schedule: creation.schedule },
    deletion: { condition: r.object(deletion.condition, 'snapshot.sm.deletion.condition') },
  };
  if (typeof creation.time_limit === 'string') sm.creation.time_limit = creation.time_limit;
  if (deletion.schedule !== undefined) sm.deletion.schedule = deletion.schedule;
  if (typeof deletion.time_limit === 'string') sm.deletion.time_limit = deletion.time_limit;
  return sm;
}

/**
 * Reads the parsed lifecycle.yaml. Throws `LifecycleConfigError` listing every shape problem;
 * the rules that span fields (durations in order, repository settings, names) are in validate.ts.
 */
export function parseLifecycleConfig(raw: unknown): LifecycleConfig {
  const r = new Reader();
  const root = r.object(raw, '(root)');
  const prefix = r.string(root, 'prefix', '', 'sluice');
  const defaults = readTier(r, r.object(root.defaults, 'defaults'), 'defaults.', DEFAULT_TIER);
  const rawServices = root.services;
  const services: ServiceConfig[] = [];
  if (!Array.isArray(rawServices) || rawServices.length === 0) {
    r.issue('services', 'must list at least one service', 'add `services: [{name: api, alias: logs-api}]`');
  } else {
    rawServices.forEach((s, i) => {
      services.push(readService(r, s, i, defaults));
    });
  }
  if (root.repository === undefined) {
    r.issue(
      'repository',
      'is required: snapshots need a repository',
      'add repository: {name, type: s3, settings: {bucket}}',
    );
  }
  const repository = readRepository(r, r.object(root.repository, 'repository'));
  const snapshot = r.object(root.snapshot, 'snapshot');
  const retention = r.object(snapshot.retention, 'snapshot.retention');
  const mode = r.oneOf(
    snapshot,
    'mode',
    'snapshot.',
    [SnapshotModes.function, SnapshotModes.sm],
    SnapshotModes.function,
  );
  const sm = readSm(r, snapshot.sm, prefix);
  if (mode === SnapshotModes.sm && sm === null) {
    r.issue(
      'snapshot.sm',
      'is required when snapshot.mode is sm',
      'add snapshot.sm with creation and deletion, or set mode: function',
    );
  }
  const ism = r.object(root.ism, 'ism');
  const catalog = r.object(root.catalog, 'catalog');
  const config: LifecycleConfig = {
    prefix,
    services,
    repository,
    snapshot: {
      mode,
      name_prefix: r.string(snapshot, 'name_prefix', 'snapshot.', prefix),
      retention: {
        max_age: r.string(retention, 'max_age', 'snapshot.retention.', '365d'),
        min_count: r.int(retention, 'min_count', 'snapshot.retention.', 7, 1),
      },
      sm,
    },
    ism: {
      change_policy_for_managed_indices: r.bool(ism, 'change_policy_for_managed_indices', 'ism.', false),
      template_priority: r.int(ism, 'template_priority', 'ism.', 100),
    },
    catalog: { prefix: r.string(catalog, 'prefix', 'catalog.', 'catalog') },
  };
  if (r.issues.length > 0) throw new LifecycleConfigError(r.issues);
  return config;
}
