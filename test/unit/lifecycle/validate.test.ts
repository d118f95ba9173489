import { describe, expect, it } from 'vitest';
import type { DesiredState } from '../../../functions/core/lifecycle/desired.ts';
import { buildDesiredState } from '../../../functions/core/lifecycle/desired.ts';
import { LifecycleConfigError } from '../../../functions/core/lifecycle/errors.ts';
import {
  validateDesiredState,
  validateIsmPolicy,
  validateRepository,
  validateSmPolicy,
} from '../../../functions/core/lifecycle/validate.ts';
import { config, validators } from './helpers.ts';

const REPOS = ['sluice-snapshots'];

function policyWith(states: unknown[], defaultState = 'hot'): unknown {
  return { policy: { description: 'd', default_state: defaultState, states } };
}

describe('ISM policy validation', () => {
  it.each([
    [
      'snapshot with include_global_state',
      policyWith([
        {
          name: 'hot',
          actions: [
            { snapshot: { repository: 'sluice-snapshots', snapshot: 's', include_global_state: false } },
          ],
          transitions: [],
        },
      ]),
      'policies.p.policy.states.0.actions.0.snapshot.include_global_state',
      'include_global_state',
    ],
    [
      'transition with two conditions',
      policyWith([
        {
          name: 'hot',
          actions: [],
          transitions: [{ state_name: 'cold', conditions: { min_index_age: '1d', min_doc_count: 5 } }],
        },
        { name: 'cold', actions: [], transitions: [] },
      ]),
      'policies.p.policy.states.0.transitions.0.conditions',
      'one condition',
    ],
    [
      'snapshot to an unknown repository',
      policyWith([
        { name: 'hot', actions: [{ snapshot: { repository: 'elsewhere', snapshot: 's' } }], transitions: [] },
      ]),
      'policies.p.policy.states.0.actions.0.snapshot.repository',
      'unknown repository "elsewhere"',
    ],
    [
      'transition to a missing state',
      policyWith([{ name: 'hot', actions: [], transitions: [{ state_name: 'warm' }] }]),
      'policies.p.policy.states.0.transitions.0.state_name',
      'unknown state',
    ],
    [
      'default state missing',
      policyWith([{ name: 'hot', actions: [], transitions: [] }], 'ingest'),
      'policies.p.policy.default_state',
      'not a state',
    ],
    [
      'schema: states is not an array',
      { policy: { default_state: 'hot', states: { name: 'hot' } } },
      'policies.p.policy.states',
      'invalid policy: must be array',
    ],
    [
      'schema: force_merge segments as text',
      policyWith([{ name: 'hot', actions: [{ force_merge: { max_num_segments: 'one' } }], transitions: [] }]),
      'policies.p.policy.states.0.actions.0.force_merge.max_num_segments',
      'invalid policy: must be integer',
    ],
    [
      'two action types in one action',
      policyWith([{ name: 'hot', actions: [{ read_only: {}, delete: {} }], transitions: [] }]),
      'policies.p.policy.states.0.actions.0',
      'exactly one type',
    ],
    [
      'bad time value in a condition',
      policyWith([
        {
          name: 'hot',
          actions: [],
          transitions: [{ state_name: 'hot', conditions: { min_index_age: 'two days' } }],
        },
      ]),
      'policies.p.policy.states.0.transitions.0.conditions.min_index_age',
      'not a time value',
    ],
  ])('refuses %s', (_name, body, path, message) => {
    const issues = validateIsmPolicy('p', body, REPOS, validators.ismPolicy);
    const hit = issues.find((i) => i.path === path);
    expect(hit?.message).toContain(message);
    expect(hit?.fix.length).toBeGreaterThan(0);
  });

  it("accepts the shape of the ISM policy in the spec's test story", () => {
    const story = policyWith([
      {
        name: 'hot',
        actions: [{ rollover: { min_doc_count: 5 } }],
        transitions: [{ state_name: 'delete', conditions: { min_index_age: '5m' } }],
      },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ]);
    expect(validateIsmPolicy('p', story, REPOS, validators.ismPolicy)).toEqual([]);
  });
});

describe('SM policy validation', () => {
  const base = {
    creation: { schedule: { cron: { expression: '0 2 * * *', timezone: 'UTC' } } },
    snapshot_config: { repository: 'sluice-snapshots', indices: 'logs-*' },
  };
  it.each([
    [
      'deletion without max_age or max_count',
      { ...base, deletion: { condition: { min_count: 3 } } },
      'sm_policies.s.deletion.condition',
      'neither max_age nor max_count',
    ],
    [
      'deletion with an empty condition',
      { ...base, deletion: {} },
      'sm_policies.s.deletion.condition',
      'neither max_age nor max_count',
    ],
    [
      'unknown repository',
      { ...base, snapshot_config: { repository: 'nope' } },
      'sm_policies.s.snapshot_config.repository',
      'unknown repository nope',
    ],
    [
      'schema: no snapshot_config',
      { creation: base.creation },
      'sm_policies.s',
      "must have required property 'snapshot_config'",
    ],
  ])('refuses %s', (_name, body, path, message) => {
    const issues = validateSmPolicy('s', body, REPOS, validators.smPolicy);
    expect(issues.find((i) => i.path === path)?.message).toContain(message);
  });

  it.each([
    ['max_age', { max_age: '30d' }],
    ['max_count', { max_count: 10 }],
  ])('accepts a deletion bounded by %s', (_name, condition) => {
    expect(validateSmPolicy('s', { ...base, deletion: { condition } }, REPOS, validators.smPolicy)).toEqual(
      [],
    );
  });
});

describe('S3 repository validation', () => {
  const repo = (settings: Record<string, unknown>, type = 's3') => ({
    name: 'sluice-snapshots',
    body: { type, settings },
  });
  it.each([
    ['no bucket', {}, 'repository.settings.bucket', 'is required'],
    [
      'glacier',
      { bucket: 'b', storage_class: 'glacier' },
      'repository.settings.storage_class',
      'glacier is an archive class',
    ],
    [
      'deep_archive',
      { bucket: 'b', storage_class: 'DEEP_ARCHIVE' },
      'repository.settings.storage_class',
      'deep_archive is an archive class',
    ],
    [
      'unknown storage class',
      { bucket: 'b', storage_class: 'cheap' },
      'repository.settings.storage_class',
      'unknown storage class',
    ],
    [
      'unknown SSE type',
      { bucket: 'b', server_side_encryption_type: 'kms' },
      'repository.settings.server_side_encryption_type',
      'unknown type',
    ],
    [
      'aws:kms without a key',
      { bucket: 'b', server_side_encryption_type: 'aws:kms' },
      'repository.settings.server_side_encryption_kms_key_id',
      'is required',
    ],
    [
      'a key without aws:kms',
      { bucket: 'b', server_side_encryption_kms_key_id: 'k' },
      'repository.settings.server_side_encryption_kms_key_id',
      'only used',
    ],
    [
      'an unknown setting',
      { bucket: 'b', bukket: 'c' },
      'repository.settings.bukket',
      'not an S3 repository setting',
    ],
    [
      'a role that is no ARN',
      { bucket: 'b', role_arn: 'admin' },
      'repository.settings.role_arn',
      'IAM role ARN',
    ],
  ])('refuses %s', (_name, settings, path, message) => {
    expect(validateRepository(repo(settings)).find((i) => i.path === path)?.message).toContain(message);
  });

  it.each([
    [{ bucket: 'b' }],
    [{ bucket: 'b', storage_class: 'standard_ia', server_side_encryption_type: 'AES256' }],
    [{ bucket: 'b', server_side_encryption_type: 'aws:kms', server_side_encryption_kms_key_id: 'alias/x' }],
    [
      {
        bucket: 'b',
        server_side_encryption_type: 'bucket_default',
        role_arn: 'arn:aws:iam::1:role/r',
        base_path: 'p',
      },
    ],
  ])('accepts %j', (settings) => {
    expect(validateRepository(repo(settings))).toEqual([]);
  });

  it('refuses an unknown repository type', () => {
    expect(validateRepository(repo({}, 'hdfs'))[0]?.message).toContain('unsupported repository type');
  });
});

describe('validateDesiredState', () => {
  it('throws one LifecycleConfigError naming every problem and its fix', () => {
    const cfg = config({
      repository: { name: 'sluice-snapshots', settings: { bucket: 'b', storage_class: 'glacier' } },
    });
    const desired: DesiredState = buildDesiredState(cfg);
    const api = desired.policies['sluice-api']!;
    api.policy.states[0]!.transitions[0]!.conditions = { min_index_age: '1d', min_size: '1gb' };
    try {
      validateDesiredState(desired, validators, cfg);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(LifecycleConfigError);
      const e = error as LifecycleConfigError;
      expect(e.issues.map((i) => i.path)).toEqual([
        'repository.settings.storage_class',
        'policies.sluice-api.policy.states.0.transitions.0.conditions',
      ]);
      expect(e.message).toContain('glacier');
      expect(e.message).toContain('fix:');
    }
  });

  it('without the config, checks the built repository', () => {
    const desired = buildDesiredState(config());
    desired.repository.body.settings = {};
    expect(() => validateDesiredState(desired, validators)).toThrow(/bucket: is required/);
  });
});
