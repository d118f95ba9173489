import { describe, expect, it } from 'vitest';
import {
  buildDesiredState,
  buildIndexTemplate,
  buildIsmPolicy,
  buildMappingsComponent,
  buildSettingsComponent,
  serviceOfIndex,
} from '../../../functions/core/lifecycle/desired.ts';
import {
  validateDesiredState,
  validateIsmPolicy,
  validateSmPolicy,
} from '../../../functions/core/lifecycle/validate.ts';
import { config, validators } from './helpers.ts';

describe('desired state builders', () => {
  const cfg = config({
    services: [
      {
        name: 'api',
        alias: 'logs-api',
        translog_durability: 'async',
        allocation: { warm: null, cold: 'cold' },
      },
      { name: 'nginx', data_stream: 'logs-nginx', rollover: { min_doc_count: 1000 } },
    ],
  });
  const api = cfg.services[0]!;
  const nginx = cfg.services[1]!;

  it.each([
    ['api (alias)', api],
    ['nginx (data stream)', nginx],
  ])('the ISM policy of %s validates against the spec schema and the stricter rules', (_name, service) => {
    const body = buildIsmPolicy(cfg, service);
    expect(validators.ismPolicy(body)).toEqual([]);
    expect(validateIsmPolicy('p', body, ['sluice-snapshots'], validators.ismPolicy)).toEqual([]);
  });

  it('the policy walks hot → warm → cold with one condition per transition and ends without delete', () => {
    const { policy } = buildIsmPolicy(cfg, nginx);
    expect(policy.default_state).toBe('hot');
    expect(policy.states.map((s) => s.name)).toEqual(['hot', 'warm', 'cold']);
    expect(policy.states[0]!.actions).toEqual([{ rollover: { min_doc_count: 1000 } }]);
    expect(policy.states[0]!.transitions).toEqual([
      { state_name: 'warm', conditions: { min_index_age: '2d' } },
    ]);
    expect(policy.states[1]!.actions).toEqual([
      { replica_count: { number_of_replicas: 1 } },
      { read_only: {} },
      { force_merge: { max_num_segments: 1 } },
      { allocation: { require: { box_type: 'warm' }, wait_for: false } },
      { index_priority: { priority: 50 } },
    ]);
    expect(policy.states[2]!.transitions).toEqual([]);
    expect(JSON.stringify(policy)).not.toContain('"delete"');
    expect(policy.ism_template).toEqual([{ index_patterns: ['logs-nginx'], priority: 100 }]);
  });

  it('allocation: null leaves the tier without an allocation action', () => {
    const { policy } = buildIsmPolicy(cfg, api);
    expect(policy.states[1]!.actions.some((a) => 'allocation' in a)).toBe(false);
    expect(policy.states[2]!.actions[0]).toEqual({
      allocation: { require: { box_type: 'cold' }, wait_for: false },
    });
    expect(policy.ism_template[0]!.index_patterns).toEqual(['logs-api-*']);
  });

  it.each([
    [
      'api',
      {
        number_of_shards: 1,
        number_of_replicas: 1,
        refresh_interval: '5s',
        priority: 100,
        translog: { durability: 'async' },
      },
    ],
    ['nginx', { number_of_shards: 1, number_of_replicas: 1, refresh_interval: '5s', priority: 100 }],
  ])('settings component of %s', (name, index) => {
    const service = cfg.services.find((s) => s.name === name)!;
    expect(buildSettingsComponent(service)).toEqual({
      template: { settings: { index } },
      _meta: { managed_by: 'sluice' },
    });
  });

  it.each([
    ['@timestamp', { type: 'date' }],
    ['message', { type: 'text' }],
    ['source.ip', { type: 'ip' }],
    ['event.original', { type: 'keyword', index: false, doc_values: false }],
    ['log.level', { type: 'keyword', ignore_above: 1024 }],
    ['service.name', { type: 'keyword', ignore_above: 1024 }],
    ['kafka.offset', { type: 'long' }],
    ['http.response.status_code', { type: 'short' }],
    ['url.original', { type: 'keyword', ignore_above: 1024 }],
    ['user_agent.original', { type: 'keyword', ignore_above: 1024 }],
  ])('ECS mapping of %s', (field, mapping) => {
    let node: unknown = (buildMappingsComponent().template as { mappings: unknown }).mappings;
    for (const part of field.split('.'))
      node = (node as { properties: Record<string, unknown> }).properties[part];
    expect(node).toEqual(mapping);
  });

  it('index templates: rollover_alias for aliases, data_stream for streams, composed of both components', () => {
    expect(buildIndexTemplate(cfg, api)).toMatchObject({
      index_patterns: ['logs-api-*'],
      composed_of: ['sluice-ecs-mappings', 'sluice-api-settings'],
      template: {
        settings: { index: { plugins: { index_state_management: { rollover_alias: 'logs-api' } } } },
      },
    });
    const stream = buildIndexTemplate(cfg, nginx);
    expect(stream).toMatchObject({
      index_patterns: ['logs-nginx'],
      data_stream: { timestamp_field: { name: '@timestamp' } },
    });
    expect(stream.template).toBeUndefined();
  });

  it('the whole desired state validates, in function and in sm mode', () => {
    expect(() => validateDesiredState(buildDesiredState(cfg), validators, cfg)).not.toThrow();
    const sm = config({
      snapshot: {
        mode: 'sm',
        sm: {
          creation: { schedule: { cron: { expression: '0 2 * * *', timezone: 'UTC' } } },
          deletion: { condition: { max_age: '120d', min_count: 3 } },
        },
      },
    });
    const desired = buildDesiredState(sm);
    expect(desired.smPolicy?.name).toBe('sluice-daily');
    expect(desired.smPolicy?.body).toMatchObject({
      snapshot_config: { repository: 'sluice-snapshots', include_global_state: false },
    });
    expect(validateSmPolicy('x', desired.smPolicy?.body, ['sluice-snapshots'], validators.smPolicy)).toEqual(
      [],
    );
    expect(() => validateDesiredState(desired, validators, sm)).not.toThrow();
  });

  it('targets: a bootstrap index for aliases only', () => {
    expect(buildDesiredState(cfg).targets).toEqual([
      { service: 'api', kind: 'alias', name: 'logs-api', bootstrapIndex: 'logs-api-000001' },
      { service: 'nginx', kind: 'data_stream', name: 'logs-nginx', bootstrapIndex: null },
    ]);
  });

  it.each([
    ['logs-api-000001', null, 'api'],
    ['logs-api-000123', null, 'api'],
    ['.ds-logs-nginx-000002', null, 'nginx'],
    ['anything', 'logs-nginx', 'nginx'],
    ['logs-api', null, null],
    ['logs-api-admin-000001', null, null],
    ['restored-logs-api-000001', null, null],
  ])('serviceOfIndex(%s, %s) = %s', (name, stream, expected) => {
    expect(serviceOfIndex(cfg, name, stream)?.name ?? null).toBe(expected);
  });
});
