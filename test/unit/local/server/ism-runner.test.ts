import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClock } from '../../../../infra/local/opensearch/clock.ts';
import { Lifecycle } from '../../../../infra/local/opensearch/lifecycle/lifecycle.ts';
import { LocalNode } from '../../../../infra/local/opensearch/node.ts';

const START = Date.parse('2026-05-01T00:00:00Z');
const HOUR = 3_600_000;

describe('ISM job runs', () => {
  let clock: ReturnType<typeof createClock>;
  let node: LocalNode;
  let lifecycle: Lifecycle;

  beforeEach(() => {
    clock = createClock(START);
    node = new LocalNode(clock);
    node.init();
    lifecycle = new Lifecycle(node, clock);
  });
  afterEach(async () => {
    await lifecycle.close();
  });

  const put = (id: string, policy: unknown) => lifecycle.ism.putPolicy(id, { policy }, {});
  const managed = (index: string) => node.state.managed.get(index);
  const runs = (n: number) => {
    for (let i = 0; i < n; i++) lifecycle.runOnce();
  };

  it('initialises on the first run, then runs one action per run, then evaluates transitions', () => {
    put('p', {
      default_state: 'a',
      states: [
        {
          name: 'a',
          actions: [{ read_only: {} }, { index_priority: { priority: 5 } }],
          transitions: [{ state_name: 'b', conditions: { min_doc_count: 1 } }],
        },
        { name: 'b' },
      ],
    });
    node.createIndex('idx', {});
    lifecycle.ism.add('idx', { policy_id: 'p' });
    runs(1);
    expect(managed('idx')?.state?.name).toBe('a');
    expect(managed('idx')?.action).toBeUndefined();
    runs(1);
    expect(managed('idx')?.action).toMatchObject({ name: 'read_only', index: 0 });
    expect(node.state.indices.get('idx')?.settings['index.blocks.write']).toBe('true');
    runs(1);
    expect(managed('idx')?.action).toMatchObject({ name: 'index_priority', index: 1 });
    runs(1);
    expect(managed('idx')?.step).toMatchObject({
      name: 'attempt_transition_step',
      step_status: 'condition_not_met',
    });
    node.state.indices
      .get('idx')
      ?.docs.set('1', { id: '1', source: {}, seqNo: 0, primaryTerm: 1, version: 1 });
    runs(1);
    expect(managed('idx')?.state?.name).toBe('b');
    runs(2);
    expect(managed('idx')?.policyCompleted).toBe(true);
  });

  it('retries a failing action retry.count times, then marks it failed until retried', () => {
    put('p', {
      default_state: 'a',
      states: [{ name: 'a', actions: [{ retry: { count: 2 }, rollover: {} }] }],
    });
    node.createIndex('plain', {});
    lifecycle.ism.add('plain', { policy_id: 'p' });
    runs(1); // init
    runs(2);
    expect(managed('plain')?.action).toMatchObject({ failed: false, consumed_retries: 2 });
    runs(1);
    expect(managed('plain')?.action).toMatchObject({ failed: true });
    expect(managed('plain')?.info?.message).toBe('Missing rollover_alias index setting [index=plain]');
    runs(3);
    expect(managed('plain')?.action?.failed).toBe(true); // stays failed
    expect(lifecycle.ism.retry('plain', {}).updated_indices).toBe(1);
    expect(managed('plain')?.action).toMatchObject({ failed: false, consumed_retries: 0 });
  });

  it('applies change_policy at a safe point (while evaluating transitions)', () => {
    put('one', {
      default_state: 'a',
      states: [{ name: 'a', transitions: [{ state_name: 'a', conditions: { min_doc_count: 99 } }] }],
    });
    put('two', { default_state: 'x', states: [{ name: 'x' }, { name: 'y' }] });
    node.createIndex('c', {});
    lifecycle.ism.add('c', { policy_id: 'one' });
    runs(2);
    expect(managed('c')?.action?.name).toBe('transition');
    lifecycle.ism.changePolicy('c', { policy_id: 'two', state: 'y' });
    runs(1);
    expect(managed('c')).toMatchObject({ policyId: 'two', state: { name: 'y' } });
    expect(managed('c')?.pendingChange).toBeUndefined();
  });

  it('rolls a data stream over, attaches the policy to the new backing index, and measures min_rollover_age', () => {
    node.state.apply({
      t: 'template.put',
      name: 'ds',
      template: { index_patterns: ['app-*'], data_stream: {}, priority: 0 } as never,
    });
    put('ds', {
      default_state: 'hot',
      states: [
        {
          name: 'hot',
          actions: [{ rollover: { min_index_age: '1h' } }],
          transitions: [{ state_name: 'old', conditions: { min_rollover_age: '2h' } }],
        },
        { name: 'old' },
      ],
      ism_template: { index_patterns: ['app-*'] },
    });
    node.createDataStream('app-x');
    expect(managed('.ds-app-x-000001')).toBeDefined();
    runs(2);
    expect(managed('.ds-app-x-000001')?.step?.step_status).toBe('condition_not_met');
    clock.set(START + HOUR);
    runs(1);
    expect(node.state.dataStreams.get('app-x')?.indices).toEqual(['.ds-app-x-000001', '.ds-app-x-000002']);
    expect(managed('.ds-app-x-000001')).toMatchObject({ rolledOver: true, rolledOverTime: START + HOUR });
    expect(managed('.ds-app-x-000002')?.policyId).toBe('ds');
    clock.set(START + 2 * HOUR);
    runs(3);
    expect(managed('.ds-app-x-000001')?.state?.name).toBe('hot');
    clock.set(START + 3 * HOUR);
    runs(1);
    expect(managed('.ds-app-x-000001')?.state?.name).toBe('old');
  });

  it('a delete action removes the index and its ISM metadata', () => {
    put('d', { default_state: 'a', states: [{ name: 'a', actions: [{ delete: {} }] }] });
    node.createIndex('doomed', {});
    lifecycle.ism.add('doomed', { policy_id: 'd' });
    runs(2);
    expect(node.state.indices.has('doomed')).toBe(false);
    expect(managed('doomed')).toBeUndefined();
  });

  it('a clock move queues job runs: one per job interval crossed', async () => {
    put('p', {
      default_state: 'a',
      states: [{ name: 'a', actions: [{ read_only: {} }, { read_write: {} }] }],
    });
    node.createIndex('t', {});
    lifecycle.ism.add('t', { policy_id: 'p' });
    clock.advance(10 * 60_000); // two 5-minute intervals: init + read_only
    await lifecycle.settle();
    expect(managed('t')?.action?.name).toBe('read_only');
    clock.advance(60_000); // less than an interval, but an explicit move runs once
    await lifecycle.settle();
    expect(managed('t')?.action?.name).toBe('read_write');
  });
});
