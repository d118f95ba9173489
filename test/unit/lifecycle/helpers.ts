// Shared inputs of the lifecycle tests: the real lifecycle.yaml and small configs built from YAML-like objects.

import type { LifecycleConfig } from '../../../functions/core/lifecycle/config.ts';
import { parseLifecycleConfig } from '../../../functions/core/lifecycle/config.ts';
import type { IndexInfo, SnapshotInfo } from '../../../functions/core/lifecycle/types.ts';
import { compileSpecValidators } from '../../../infra/opensearch/spec-schemas.ts';

export const validators = compileSpecValidators();

export const DAY = 86_400_000;
/** A fixed "now" for every test: 2026-06-15T12:00:00Z. */
export const NOW = Date.UTC(2026, 5, 15, 12);

export function rawConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    prefix: 'sluice',
    services: [
      { name: 'api', alias: 'logs-api', retention_days: 30 },
      { name: 'nginx', data_stream: 'logs-nginx' },
    ],
    repository: { name: 'sluice-snapshots', type: 's3', settings: { bucket: 'b', region: 'eu-west-1' } },
    snapshot: { mode: 'function', retention: { max_age: '100d', min_count: 2 } },
    ...overrides,
  };
}

export function config(overrides: Record<string, unknown> = {}): LifecycleConfig {
  return parseLifecycleConfig(rawConfig(overrides));
}

export function index(name: string, overrides: Partial<IndexInfo> = {}): IndexInfo {
  return {
    name,
    createdAt: NOW - 10 * DAY,
    aliases: [],
    dataStream: null,
    policyId: 'sluice-api',
    policySeqNo: null,
    ismState: 'cold',
    writesEndedAt: NOW - 9 * DAY,
    ...overrides,
  };
}

export function snapshot(
  name: string,
  indices: string[],
  overrides: Partial<SnapshotInfo> = {},
): SnapshotInfo {
  const shards = indices.length;
  return {
    snapshot: name,
    uuid: `uuid-${name}`,
    indices,
    state: 'SUCCESS',
    include_global_state: false,
    start_time_in_millis: NOW - DAY,
    end_time_in_millis: NOW - DAY + 60_000,
    duration_in_millis: 60_000,
    shards: { total: shards, failed: 0, successful: shards },
    failures: [],
    ...overrides,
  };
}
