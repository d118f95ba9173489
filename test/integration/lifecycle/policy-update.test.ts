// Drift in a policy: a changed lifecycle.yaml updates the stored policy with its concurrency tokens,
// and with change_policy_for_managed_indices the indices it manages are moved onto the new version.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../../functions/lifecycle/report.ts';
import {
  clearRequests,
  context,
  type LifecycleEnv,
  lifecycleHandler,
  scheduledEvent,
  setClock,
  startLifecycleEnv,
} from './support.ts';

const NOW = Date.UTC(2026, 10, 1, 12);

function yaml(s3: string, warmAfter: string, changePolicy: boolean): string {
  return `
defaults:
  rollover: { min_index_age: 1d }
  warm_after: ${warmAfter}
  cold_after: 7d
  replicas: { hot: 0, warm: 0, cold: 0 }
services:
  - name: api
    alias: logs-api
repository:
  name: sluice-snapshots
  type: s3
  settings: { bucket: sluice-snapshots, region: us-east-1, endpoint: ${s3}, path_style_access: true }
ism:
  change_policy_for_managed_indices: ${changePolicy}
`;
}

async function explain(env: LifecycleEnv, index: string): Promise<Record<string, unknown>> {
  const res = await env.client.transport.request({ method: 'GET', path: `/_plugins/_ism/explain/${index}` });
  return (res.body as Record<string, Record<string, unknown>>)[index] ?? {};
}

describe('lifecycle: policy drift', () => {
  let env: LifecycleEnv;
  const reports: RunReport[] = [];
  let updateRequest: { method: string; path: string; query?: Record<string, string> } | undefined;

  beforeAll(async () => {
    env = await startLifecycleEnv();
    let now = await setClock(env, { now: NOW });
    const first = await lifecycleHandler(env, yaml(env.stack.s3Endpoint, '2d', false), () => now);
    reports.push((await first(scheduledEvent, context)) as RunReport);
    now = await setClock(env, { advance: '10m' }); // ISM initialises the new index
    const changed = await lifecycleHandler(env, yaml(env.stack.s3Endpoint, '3d', true), () => now);
    await clearRequests(env);
    reports.push((await changed(scheduledEvent, context)) as RunReport);
    const res = await env.client.transport.request({ method: 'GET', path: '/_sluice/requests' });
    updateRequest = (
      res.body as { requests: Array<{ method: string; path: string; query?: Record<string, string> }> }
    ).requests.find((r) => r.method === 'PUT' && r.path === '/_plugins/_ism/policies/sluice-api');
    // ISM keeps running the old version until the current state is done; the function asks again
    // until explain shows the new version (the request is idempotent).
    now = await setClock(env, { advance: '10m' });
    reports.push((await changed(scheduledEvent, context)) as RunReport);
    // Past warm_after, the index leaves hot: ISM switches it to the new version on the way.
    now = await setClock(env, { advance: '4d' });
    reports.push((await changed(scheduledEvent, context)) as RunReport);
  }, 60_000);

  afterAll(async () => {
    await env?.close();
  });

  it('reports the difference and updates the policy with if_seq_no and if_primary_term', () => {
    expect(reports[1]?.drift).toEqual([
      expect.objectContaining({
        kind: 'policy',
        name: 'sluice-api',
        status: 'differs',
        differences: ['states[0].transitions[0].conditions.min_index_age: desired "3d", actual "2d"'],
      }),
    ]);
    expect(reports[1]?.driftFixed).toBe(1);
    expect(updateRequest?.query).toMatchObject({
      if_seq_no: expect.any(String),
      if_primary_term: expect.any(String),
    });
  });

  it('moves the managed index onto the new version (opt-in change_policy)', async () => {
    expect(reports[1]?.actions.map((a) => [a.action, a.status])).toEqual([
      ['update ISM policy sluice-api', 'done'],
      ['change policy of logs-api-000001 to sluice-api', 'done'],
    ]);
    const policy = await env.client.transport.request({
      method: 'GET',
      path: '/_plugins/_ism/policies/sluice-api',
    });
    const seqNo = (policy.body as { _seq_no: number })._seq_no;
    expect((await explain(env, 'logs-api-000001')).policy_seq_no).toBe(seqNo);
  });

  it('asks again while ISM still runs the old version, and stops once it runs the new one', async () => {
    expect(reports[2]?.actions.map((a) => a.action)).toEqual([
      'change policy of logs-api-000001 to sluice-api',
    ]);
    expect(reports[3]?.drift).toEqual([]);
    expect(reports[3]?.actions).toEqual([]);
    const policy = await env.client.transport.request({
      method: 'GET',
      path: '/_plugins/_ism/policies/sluice-api',
    });
    const seqNo = (policy.body as { _seq_no: number })._seq_no;
    const explained = await explain(env, 'logs-api-000001');
    expect(explained.policy_seq_no).toBe(seqNo);
    expect((explained.state as { name: string }).name).toBe('warm');
  });
});
