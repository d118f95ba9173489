import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClock } from '../../../../infra/local/opensearch/clock.ts';
import { openJournal } from '../../../../infra/local/opensearch/journal.ts';
import { parsePolicy } from '../../../../infra/local/opensearch/lifecycle/ism-policy.ts';
import { Lifecycle } from '../../../../infra/local/opensearch/lifecycle/lifecycle.ts';
import type { SnapshotRecord } from '../../../../infra/local/opensearch/lifecycle/types.ts';
import { LocalNode } from '../../../../infra/local/opensearch/node.ts';
import { type ClusterEvent, ClusterState } from '../../../../infra/local/opensearch/state.ts';

const snapshot = (name: string): SnapshotRecord => ({
  repository: 'r',
  name,
  uuid: `u-${name}`,
  state: 'SUCCESS',
  indices: ['a'],
  dataStreams: [],
  includeGlobalState: false,
  startTime: 1,
  endTime: 2,
  failures: [],
  sizeBytes: 10,
  fileCount: 2,
});

const EVENTS: ClusterEvent[] = [
  { t: 'cluster.init', uuid: 'c' },
  {
    t: 'index.create',
    name: 'a',
    uuid: 'ua',
    creationDate: 0,
    settings: {},
    mappings: {},
    aliases: {},
  },
  {
    t: 'ism.policy.put',
    record: {
      id: 'p',
      seqNo: 0,
      primaryTerm: 1,
      version: 1,
      policy: parsePolicy('p', { policy: { default_state: 's', states: [{ name: 's' }] } }, 5),
    },
  },
  {
    t: 'sm.policy.put',
    record: { name: 'daily', seqNo: 1, primaryTerm: 1, version: 1, policy: { enabled: true } },
  },
  {
    t: 'sm.meta.put',
    meta: { name: 'daily', creation: { current_state: 'CREATION_START', trigger: { time: 9 } } },
  },
  { t: 'repo.put', repo: { name: 'r', type: 'fs', uuid: 'ur', settings: { location: 'x' } } },
  { t: 'snapshot.put', snapshot: snapshot('s1') },
  { t: 'snapshot.put', snapshot: snapshot('s2') },
  { t: 'snapshot.delete', repository: 'r', name: 's1' },
];

function summary(state: ClusterState) {
  return {
    seq: state.configSeqNo,
    policies: [...state.ismPolicies.keys()],
    managed: [...state.managed.keys()],
    sm: [...state.smPolicies.keys()],
    smMeta: [...state.smMeta.values()],
    repos: [...state.repositories.keys()],
    snapshots: [...(state.snapshots.get('r')?.keys() ?? [])],
  };
}

describe('lifecycle part of the cluster state', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('applies events: deleting an index forgets its ISM metadata, deleting a repository its snapshots', () => {
    const state = new ClusterState();
    for (const e of EVENTS) state.apply(e);
    const policy = state.ismPolicies.get('p');
    if (!policy) throw new Error('policy missing');
    state.apply({
      t: 'ism.managed.put',
      managed: {
        index: 'a',
        indexUuid: 'ua',
        policyId: 'p',
        policySeqNo: 0,
        policyPrimaryTerm: 1,
        policy: policy.policy,
        enabled: true,
        initialized: false,
      },
    });
    expect(summary(state)).toMatchObject({ seq: 1, managed: ['a'], snapshots: ['s2'] });
    state.apply({ t: 'index.delete', name: 'a' });
    expect(state.managed.size).toBe(0);
    state.apply({ t: 'repo.delete', name: 'r' });
    expect(state.snapshots.has('r')).toBe(false);
  });

  it('survives a compaction of the journal into snapshot.json', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-lifecycle-state-'));
    const first = new ClusterState();
    // A tiny compaction threshold: every append compacts, so reopening reads snapshot.json.
    const journal = openJournal(dir, first, { compactBytes: 1 });
    for (const e of EVENTS) first.apply(e);
    journal.append(EVENTS);
    journal.close();
    const second = new ClusterState();
    openJournal(dir, second).close();
    expect(summary(second)).toEqual(summary(first));
  });

  it('marks a snapshot that was running when the server stopped as failed', async () => {
    const node = new LocalNode(createClock(100));
    node.init();
    node.commit({ t: 'repo.put', repo: { name: 'r', type: 'fs', uuid: 'ur', settings: { location: 'x' } } });
    node.commit({ t: 'snapshot.put', snapshot: { ...snapshot('half'), state: 'IN_PROGRESS', endTime: 0 } });
    node.commit({ t: 'snapshot.put', snapshot: snapshot('done') });
    const lifecycle = new Lifecycle(node, createClock(100));
    try {
      expect(node.state.snapshots.get('r')?.get('half')).toMatchObject({ state: 'FAILED', endTime: 100 });
      expect(node.state.snapshots.get('r')?.get('half')?.failures[0]?.reason).toContain('stopped');
      expect(node.state.snapshots.get('r')?.get('done')?.state).toBe('SUCCESS');
    } finally {
      await lifecycle.close();
    }
  });
});
