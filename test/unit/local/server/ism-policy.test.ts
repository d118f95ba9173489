import { describe, expect, it } from 'vitest';
import { OpenSearchError } from '../../../../infra/local/opensearch/errors.ts';
import {
  type IndexFacts,
  matchTemplate,
  nextTransition,
  parsePolicy,
  rolloverConditions,
  transitionMet,
} from '../../../../infra/local/opensearch/lifecycle/ism-policy.ts';
import type { IsmPolicy } from '../../../../infra/local/opensearch/lifecycle/types.ts';

const NOW = Date.parse('2026-01-10T00:00:00Z');
const DAY = 86_400_000;

const valid = {
  policy: {
    description: 'd',
    default_state: 'hot',
    states: [
      { name: 'hot', actions: [{ rollover: { min_doc_count: 5 } }], transitions: [{ state_name: 'gone' }] },
      { name: 'gone', actions: [{ delete: {} }] },
    ],
    ism_template: { index_patterns: ['log*'], priority: 100 },
  },
};

function reason(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(OpenSearchError);
    expect((error as OpenSearchError).status).toBe(400);
    return (error as OpenSearchError).message;
  }
  throw new Error('expected an error');
}

describe('parsePolicy', () => {
  it('normalises a valid policy', () => {
    const p = parsePolicy('p', valid, NOW);
    expect(p).toMatchObject({
      policy_id: 'p',
      description: 'd',
      default_state: 'hot',
      last_updated_time: NOW,
      error_notification: null,
      ism_template: [{ index_patterns: ['log*'], priority: 100, last_updated_time: NOW }],
    });
    // ISM stores each action with the default retry, and the rollover with copy_alias.
    expect(p.states[1]).toEqual({
      name: 'gone',
      actions: [{ retry: { count: 3, backoff: 'exponential', delay: '1m' }, delete: {} }],
      transitions: [],
    });
    expect(p.states[0]?.actions[0]).toEqual({
      retry: { count: 3, backoff: 'exponential', delay: '1m' },
      rollover: { min_doc_count: 5, copy_alias: false },
    });
  });

  it('keeps a retry that was given, filling its missing parts', () => {
    const p = parsePolicy(
      'p',
      {
        policy: {
          default_state: 'a',
          states: [{ name: 'a', actions: [{ retry: { count: 1 }, read_only: {} }] }],
        },
      },
      NOW,
    );
    expect(p.states[0]?.actions[0]).toEqual({
      retry: { count: 1, backoff: 'exponential', delay: '1m' },
      read_only: {},
    });
  });

  const withStates = (states: unknown[], defaultState = 'a') => ({
    policy: { default_state: defaultState, states },
  });

  it.each([
    ['no policy object', {}, 'Required [policy]'],
    ['no states', { policy: { default_state: 'a', states: [] } }, 'at least one State'],
    ['a default state that does not exist', withStates([{ name: 'b' }]), 'valid default state'],
    ['duplicate state names', withStates([{ name: 'a' }, { name: 'a' }]), 'duplicate state names'],
    [
      'a transition to a missing state',
      withStates([{ name: 'a', transitions: [{ state_name: 'x' }] }]),
      'nonexistent state [x]',
    ],
    [
      'two conditions in one transition',
      withStates([
        {
          name: 'a',
          transitions: [{ state_name: 'a', conditions: { min_index_age: '1d', min_size: '1gb' } }],
        },
      ]),
      'more than one Transition condition',
    ],
    [
      'an unknown transition condition',
      withStates([{ name: 'a', transitions: [{ state_name: 'a', conditions: { max_age: '1d' } }] }]),
      'Invalid field: [max_age]',
    ],
    [
      'include_global_state in a snapshot action',
      withStates([
        {
          name: 'a',
          actions: [{ snapshot: { repository: 'r', snapshot: 's', include_global_state: false } }],
        },
      ]),
      'Invalid field: [include_global_state] found in SnapshotAction.',
    ],
    ['an unknown action', withStates([{ name: 'a', actions: [{ shred: {} }] }]), 'Invalid field: [shred]'],
    [
      'an unknown rollover field',
      withStates([{ name: 'a', actions: [{ rollover: { max_docs: 5 } }] }]),
      'Invalid field: [max_docs] found in RolloverAction.',
    ],
    [
      'a delete action that is not last',
      withStates([{ name: 'a', actions: [{ delete: {} }, { read_only: {} }] }]),
      'must be the last action',
    ],
    [
      'a bad time value',
      withStates([{ name: 'a', actions: [{ rollover: { min_index_age: 'soon' } }] }]),
      'time value',
    ],
    [
      'a bad cron condition',
      withStates([
        {
          name: 'a',
          transitions: [
            { state_name: 'a', conditions: { cron: { cron: { expression: 'x', timezone: 'UTC' } } } },
          ],
        },
      ]),
      '5 fields',
    ],
    [
      'a negative template priority',
      { policy: { ...valid.policy, ism_template: { index_patterns: ['a'], priority: -1 } } },
      'priority',
    ],
  ])('rejects %s', (_name, body, expected) => {
    expect(reason(() => parsePolicy('p', body, NOW))).toContain(expected);
  });
});

const facts = (over: Partial<IndexFacts> = {}): IndexFacts => ({
  now: NOW,
  creationDate: NOW - 2 * DAY,
  docCount: 10,
  sizeBytes: 2048,
  stateStartTime: NOW - DAY,
  ...over,
});

describe('transitionMet', () => {
  it.each([
    [undefined, facts(), true],
    [{ min_index_age: '1d' }, facts(), true],
    [{ min_index_age: '3d' }, facts(), false],
    [{ min_doc_count: 10 }, facts(), true],
    [{ min_doc_count: 11 }, facts(), false],
    [{ min_size: '2kb' }, facts(), true],
    [{ min_size: '3kb' }, facts(), false],
    [{ min_rollover_age: '1h' }, facts(), false],
    [{ min_rollover_age: '1h' }, facts({ rolloverTime: NOW - 2 * 3_600_000 }), true],
    [{ min_rollover_age: '1d' }, facts({ rolloverTime: NOW - 2 * 3_600_000 }), false],
    // A cron fire time passed since the state started.
    [{ cron: { cron: { expression: '0 12 * * *', timezone: 'UTC' } } }, facts(), true],
    [
      { cron: { cron: { expression: '0 12 * * *', timezone: 'UTC' } } },
      facts({ stateStartTime: NOW - 3_600_000 }),
      false,
    ],
  ])('%j → %s', (conditions, f, expected) => {
    expect(transitionMet(conditions ? { state_name: 'x', conditions } : { state_name: 'x' }, f)).toBe(
      expected,
    );
  });

  it('takes the first transition that is met', () => {
    const t = nextTransition(
      [
        { state_name: 'a', conditions: { min_doc_count: 100 } },
        { state_name: 'b', conditions: { min_index_age: '1d' } },
        { state_name: 'c' },
      ],
      facts(),
    );
    expect(t?.state_name).toBe('b');
  });
});

describe('rolloverConditions', () => {
  it.each([
    [{}, facts(), true],
    [{ min_doc_count: 10 }, facts(), true],
    [{ min_doc_count: 11 }, facts(), false],
    [{ min_doc_count: 11, min_index_age: '1d' }, facts(), true],
    [{ min_size: '1mb', min_primary_shard_size: '1mb' }, facts(), false],
    [{ min_primary_shard_size: '1kb' }, facts(), true],
  ])('%j → %s', (config, f, expected) => {
    expect(rolloverConditions(config, f).met).toBe(expected);
  });

  it('reports each condition with its current value', () => {
    expect(rolloverConditions({ min_doc_count: 11 }, facts()).conditions).toEqual({
      min_doc_count: { condition: 11, current: 10 },
    });
  });
});

describe('matchTemplate', () => {
  const policy = (id: string, patterns: string[], priority: number, time = NOW - DAY): IsmPolicy => ({
    ...parsePolicy(id, { policy: { default_state: 'a', states: [{ name: 'a' }] } }, time),
    ism_template: [{ index_patterns: patterns, priority, last_updated_time: time }],
  });
  const index = (
    name: string,
    over: Partial<{ hidden: boolean; dataStream: string; creationDate: number }> = {},
  ) => ({
    name,
    creationDate: NOW,
    hidden: false,
    ...over,
  });

  it('takes the highest priority among matching templates', () => {
    const found = matchTemplate(
      [policy('low', ['logs-*'], 1), policy('high', ['logs-*'], 5), policy('x', ['x*'], 9)],
      index('logs-1'),
    );
    expect(found?.policy_id).toBe('high');
  });

  it('ignores templates newer than the index', () => {
    expect(matchTemplate([policy('new', ['logs-*'], 1, NOW + 1)], index('logs-1'))).toBeUndefined();
  });

  it('matches data stream backing indices by the stream name, and skips other hidden indices', () => {
    expect(
      matchTemplate(
        [policy('ds', ['app-*'], 1)],
        index('.ds-app-x-000001', { hidden: true, dataStream: 'app-x' }),
      )?.policy_id,
    ).toBe('ds');
    expect(matchTemplate([policy('all', ['*'], 1)], index('secret', { hidden: true }))).toBeUndefined();
  });
});
