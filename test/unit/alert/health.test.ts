import { describe, expect, it } from 'vitest';
import {
  evaluateClusterHealth,
  evaluateIsmFailures,
  evaluateMetricCheck,
  evaluateNodePressure,
  evaluateSnapshots,
} from '../../../functions/core/alert/health.ts';
import { compileAlertConfig } from '../../../functions/core/alert/rules.ts';
import type { HealthCheck } from '../../../functions/core/alert/types.ts';

const NOW = Date.parse('2026-03-01T12:00:00.000Z');
const HOUR = 3_600_000;

function check<T extends HealthCheck['type']>(
  type: T,
  spec: Record<string, unknown> = {},
): Extract<HealthCheck, { type: T }> {
  const found = compileAlertConfig({ health: { [type]: spec } }).health[0];
  if (found?.type !== type) throw new Error(`no ${type}`);
  return found as Extract<HealthCheck, { type: T }>;
}

describe('metric checks', () => {
  const lag = check('consumer_lag', { function_name: 'sluice-ingest', threshold: 1000, window: '5m' });
  it.each([
    [undefined, 0],
    [1000, 0],
    [1001, 1],
  ])('OffsetLag %s → %d matches', (value, count) => {
    expect(evaluateMetricCheck(lag, value, NOW)).toHaveLength(count);
  });
  it('names the metric, the window and the dimension key', () => {
    expect(evaluateMetricCheck(lag, 5000, NOW)[0]).toEqual({
      key: 'sluice-ingest',
      value: 5000,
      threshold: 'Maximum > 1000 in 5m',
      window: { from: NOW - 5 * 60_000, to: NOW },
      samples: [
        {
          metric: 'AWS/Lambda/OffsetLag',
          statistic: 'Maximum',
          dimensions: { FunctionName: 'sluice-ingest' },
        },
      ],
    });
  });
  it('dead letters: any one fires at the default threshold 0', () => {
    expect(evaluateMetricCheck(check('dead_letters'), 1, NOW)).toHaveLength(1);
    expect(evaluateMetricCheck(check('dead_letters'), 0, NOW)).toHaveLength(0);
  });
});

describe('cluster health', () => {
  it.each([
    ['yellow', 'green', 0],
    ['yellow', 'yellow', 1],
    ['yellow', 'red', 1],
    ['red', 'yellow', 0],
    ['red', 'red', 1],
  ] as const)('threshold %s, status %s → %d', (threshold, status, count) => {
    expect(
      evaluateClusterHealth(check('cluster_health', { status: threshold }), { cluster_name: 'c', status }),
    ).toHaveLength(count);
  });
  it('tolerates an absent or odd body', () => {
    expect(evaluateClusterHealth(check('cluster_health'), undefined)).toEqual([]);
    expect(evaluateClusterHealth(check('cluster_health'), { status: 'purple' })).toEqual([]);
  });
});

describe('node pressure', () => {
  const stats = {
    _nodes: { total: 2, successful: 2, failed: 0 },
    cluster_name: 'c',
    nodes: {
      n1: {
        name: 'node-1',
        fs: { total: { total_in_bytes: 1000, free_in_bytes: 100, available_in_bytes: 90 } },
        jvm: { mem: { heap_used_percent: 50 } },
      },
      n2: {
        name: 'node-2',
        fs: { total: { total_in_bytes: 1000, available_in_bytes: 500 } },
        jvm: { mem: { heap_used_percent: 92 } },
      },
    },
  };
  it('flags the full disk of one node and the heap of the other', () => {
    const matches = evaluateNodePressure(
      check('node_pressure', { disk_used_percent: 85, jvm_heap_percent: 85 }),
      stats,
    );
    expect(matches.map((m) => [m.key, m.value])).toEqual([
      ['node-1/disk', 91],
      ['node-2/jvm', 92],
    ]);
  });
  it('tolerates missing stats (serverless collections have no _nodes/stats)', () => {
    expect(evaluateNodePressure(check('node_pressure'), undefined)).toEqual([]);
    expect(evaluateNodePressure(check('node_pressure'), { nodes: { n: { name: 'x' } } })).toEqual([]);
  });
});

describe('ISM failures', () => {
  it('flags failed actions and failed steps, ignores the rest', () => {
    const explain = {
      'logs-app-000001': {
        'index.plugins.index_state_management.policy_id': 'logs',
        policy_id: 'logs',
        state: { name: 'hot' },
        action: { name: 'rollover', failed: false },
        step: { step_status: 'completed' },
        info: { message: 'ok' },
      },
      'logs-app-000002': {
        policy_id: 'logs',
        state: { name: 'warm' },
        action: { name: 'force_merge', failed: true },
        info: { message: 'Failed to force merge', cause: 'timeout' },
      },
      'logs-app-000003': {
        policy_id: 'logs',
        state: { name: 'hot' },
        action: { name: 'rollover' },
        step: { name: 'attempt_rollover', step_status: 'failed' },
        info: { message: 'Missing rollover_alias' },
      },
      total_managed_indices: 3,
    };
    const matches = evaluateIsmFailures(check('ism_failures'), explain);
    expect(matches.map((m) => m.key)).toEqual(['logs-app-000002', 'logs-app-000003']);
    expect(matches[0]?.samples[0]).toMatchObject({
      policy_id: 'logs',
      action: 'force_merge',
      message: 'Failed to force merge',
      cause: 'timeout',
    });
  });
  it('tolerates absence (404)', () => {
    expect(evaluateIsmFailures(check('ism_failures'), undefined)).toEqual([]);
  });
});

describe('snapshots', () => {
  const c = check('snapshots', { repository: 'repo', max_age: '26h' });
  const snap = (name: string, state: string, ageHours: number) => ({
    snapshot: name,
    state,
    start_time_in_millis: NOW - ageHours * HOUR - 60_000,
    end_time_in_millis: NOW - ageHours * HOUR,
  });
  it.each([
    ['newest SUCCESS and recent', [snap('a', 'SUCCESS', 30), snap('b', 'SUCCESS', 2)], []],
    ['newest FAILED', [snap('a', 'SUCCESS', 30), snap('b', 'FAILED', 2)], ['FAILED']],
    ['newest PARTIAL', [snap('b', 'PARTIAL', 2), snap('a', 'SUCCESS', 30)], ['PARTIAL']],
    ['in progress is skipped', [snap('a', 'SUCCESS', 3), snap('b', 'IN_PROGRESS', 0)], []],
    ['too old', [snap('a', 'SUCCESS', 27)], ['27h old']],
    ['none at all', [], ['none']],
  ])('%s', (_, snapshots, values) => {
    expect(evaluateSnapshots(c, { snapshots }, NOW).map((m) => m.value)).toEqual(values);
  });
  it('reads _cat/snapshots JSON too', () => {
    const cat = [
      {
        id: 'a',
        status: 'SUCCESS',
        start_epoch: String((NOW - 2 * HOUR) / 1000),
        end_epoch: String((NOW - 2 * HOUR + 60_000) / 1000),
      },
    ];
    expect(evaluateSnapshots(c, cat, NOW)).toEqual([]);
    expect(evaluateSnapshots(c, cat, NOW + 30 * HOUR)).toHaveLength(1);
  });
  it('tolerates a missing repository (404)', () => {
    expect(evaluateSnapshots(c, undefined, NOW)).toEqual([]);
  });
});
