// Built-in pipeline-health checks over inputs the adapters fetched (CloudWatch values, OpenSearch
// API bodies). Pure. An input that is absent (`undefined`: API missing, 404) yields no match:
// the check cannot tell, and a guess would page someone for nothing.
import { formatDuration } from './duration.ts';
import type { HealthCheck, Match, Window } from './types.ts';

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: unknown): Obj => (isObj(value) ? value : {});
const num = (value: unknown): number | undefined => {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof n === 'number' && Number.isFinite(n) ? n : undefined;
};

type Check<T extends HealthCheck['type']> = Extract<HealthCheck, { type: T }>;
type MetricCheck = Check<
  'consumer_lag' | 'dead_letters' | 'reported_records' | 'lambda_errors' | 'lambda_throttles'
>;

export function metricWindow(check: MetricCheck, now: number): Window {
  return { from: now - check.windowMs, to: now };
}

/** A CloudWatch statistic over the window; `undefined` means no datapoints (nothing happened). */
export function evaluateMetricCheck(check: MetricCheck, value: number | undefined, now: number): Match[] {
  if (value === undefined || value <= check.threshold) return [];
  const { namespace, metricName, statistic, dimensions } = check.metric;
  return [
    {
      key: Object.values(dimensions).join('/') || '*',
      value,
      threshold: `${statistic} > ${check.threshold} in ${formatDuration(check.windowMs)}`,
      window: metricWindow(check, now),
      samples: [{ metric: `${namespace}/${metricName}`, statistic, dimensions }],
    },
  ];
}

const SEVERITY = { green: 0, yellow: 1, red: 2 } as const;

/** `_cluster/health`: fires at or above the configured colour. */
export function evaluateClusterHealth(check: Check<'cluster_health'>, body: unknown): Match[] {
  const b = obj(body);
  const status = b.status;
  if (status !== 'green' && status !== 'yellow' && status !== 'red') return [];
  if (SEVERITY[status] < SEVERITY[check.status]) return [];
  return [
    {
      key: typeof b.cluster_name === 'string' ? b.cluster_name : '*',
      value: status,
      threshold: `status ${check.status} or worse`,
      samples: [
        {
          unassigned_shards: b.unassigned_shards,
          initializing_shards: b.initializing_shards,
          relocating_shards: b.relocating_shards,
          number_of_nodes: b.number_of_nodes,
        },
      ],
    },
  ];
}

/** `_nodes/stats`: disk used (from `fs.total`) and JVM heap per node. */
export function evaluateNodePressure(check: Check<'node_pressure'>, body: unknown): Match[] {
  const matches: Match[] = [];
  for (const [id, node] of Object.entries(obj(obj(body).nodes))) {
    const n = obj(node);
    const name = typeof n.name === 'string' ? n.name : id;
    const fs = obj(obj(n.fs).total);
    const total = num(fs.total_in_bytes);
    const available = num(fs.available_in_bytes) ?? num(fs.free_in_bytes);
    if (total !== undefined && total > 0 && available !== undefined) {
      const used = Math.round(((total - available) / total) * 1000) / 10;
      if (used > check.diskUsedPercent) {
        matches.push({
          key: `${name}/disk`,
          value: used,
          threshold: `disk used % > ${check.diskUsedPercent}`,
          samples: [{ node: name, total_in_bytes: total, available_in_bytes: available }],
        });
      }
    }
    const heap = num(obj(obj(n.jvm).mem).heap_used_percent);
    if (heap !== undefined && heap > check.jvmHeapPercent) {
      matches.push({
        key: `${name}/jvm`,
        value: heap,
        threshold: `JVM heap % > ${check.jvmHeapPercent}`,
        samples: [{ node: name, heap_used_percent: heap }],
      });
    }
  }
  return matches;
}

/** `_plugins/_ism/explain`: managed indices whose current action or step failed. */
export function evaluateIsmFailures(_check: Check<'ism_failures'>, body: unknown): Match[] {
  const matches: Match[] = [];
  for (const [index, raw] of Object.entries(obj(body))) {
    if (!isObj(raw)) continue; // `total_managed_indices` and other scalars
    const failed = obj(raw.action).failed === true || obj(raw.step).step_status === 'failed';
    if (!failed) continue;
    const info = obj(raw.info);
    matches.push({
      key: index,
      value: 'failed',
      threshold: 'ISM action failed',
      samples: [
        {
          policy_id: raw.policy_id ?? raw['index.plugins.index_state_management.policy_id'],
          state: obj(raw.state).name,
          action: obj(raw.action).name,
          message: info.message,
          cause: info.cause,
        },
      ],
    });
  }
  return matches;
}

/**
 * `_snapshot/<repo>/_all` (`{ snapshots: [...] }`) or `_cat/snapshots?format=json` (a list):
 * the newest snapshot FAILED/PARTIAL, or none completed within `max_age`.
 */
export function evaluateSnapshots(check: Check<'snapshots'>, body: unknown, now: number): Match[] {
  const list = Array.isArray(body) ? body : obj(body).snapshots;
  if (!Array.isArray(list)) return [];
  const snapshots = list.filter(isObj).map((s) => ({
    name: String(s.snapshot ?? s.id ?? ''),
    state: String(s.state ?? s.status ?? ''),
    start: num(s.start_time_in_millis) ?? (num(s.start_epoch) ?? Number.NaN) * 1000,
    end: num(s.end_time_in_millis) ?? (num(s.end_epoch) ?? Number.NaN) * 1000,
  }));
  const finished = snapshots.filter((s) => s.state !== 'IN_PROGRESS' && Number.isFinite(s.start));
  finished.sort((a, b) => b.start - a.start);
  const newest = finished[0];
  const key = check.repository;
  if (newest !== undefined && (newest.state === 'FAILED' || newest.state === 'PARTIAL')) {
    return [
      {
        key,
        value: newest.state,
        threshold: 'newest snapshot SUCCESS',
        samples: [{ snapshot: newest.name }],
      },
    ];
  }
  const lastSuccess = finished.find((s) => s.state === 'SUCCESS');
  const at =
    lastSuccess === undefined
      ? undefined
      : Number.isFinite(lastSuccess.end)
        ? lastSuccess.end
        : lastSuccess.start;
  if (at === undefined || now - at > check.maxAgeMs) {
    return [
      {
        key,
        value:
          at === undefined
            ? 'none'
            : `${formatDuration(Math.floor((now - at) / 60_000) * 60_000 || 60_000)} old`,
        threshold: `a successful snapshot within ${formatDuration(check.maxAgeMs)}`,
        samples:
          lastSuccess === undefined
            ? []
            : [{ snapshot: lastSuccess.name, at: new Date(at as number).toISOString() }],
      },
    ];
  }
  return [];
}
