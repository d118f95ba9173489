import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLifecycleConfig } from '../../../functions/core/lifecycle/config.ts';
import { LifecycleConfigError } from '../../../functions/core/lifecycle/errors.ts';
import { parseLifecycleYaml } from '../../../infra/opensearch/load-lifecycle-config.ts';
import { rawConfig } from './helpers.ts';

const yamlText = readFileSync(
  path.resolve(import.meta.dirname, '../../../infra/opensearch/lifecycle.yaml'),
  'utf8',
);

function issuesOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof LifecycleConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  throw new Error('expected a LifecycleConfigError');
}

describe('lifecycle config', () => {
  it('reads the shipped lifecycle.yaml, with defaults and per-service overrides', () => {
    const config = parseLifecycleYaml(yamlText);
    expect(config.services.map((s) => [s.name, s.kind, s.target])).toEqual([
      ['nginx', 'data_stream', 'logs-nginx'],
      ['api', 'alias', 'logs-api'],
      ['audit', 'alias', 'logs-audit'],
    ]);
    const audit = config.services[2]!;
    expect(audit.delete_after).toBe('90d');
    expect(audit.replicas).toEqual({ hot: 2, warm: 1, cold: 1 });
    expect(audit.warm_after).toBe('2d');
    expect(config.repository.settings.bucket).toBe('sluice-snapshots');
    expect(config.snapshot.mode).toBe('function');
  });

  it('carries role_arn into the repository settings (Amazon OpenSearch Service)', () => {
    const config = parseLifecycleConfig(
      rawConfig({ repository: { name: 'r', settings: { bucket: 'b' }, role_arn: 'arn:aws:iam::1:role/x' } }),
    );
    expect(config.repository.settings).toEqual({ bucket: 'b', role_arn: 'arn:aws:iam::1:role/x' });
  });

  it.each([
    ['no services', { services: [] }, 'services: must list at least one service'],
    [
      'alias and data stream',
      { services: [{ name: 'a', alias: 'x', data_stream: 'y' }] },
      'services.0: needs exactly one of alias or data_stream',
    ],
    ['bad shards', { defaults: { shards: 0 } }, 'defaults.shards: must be an integer >= 1'],
    [
      'bad translog',
      { defaults: { translog_durability: 'fast' } },
      'defaults.translog_durability: must be one of request, async',
    ],
    [
      'unknown rollover key',
      { defaults: { rollover: { max_size: '1gb' } } },
      'defaults.rollover.max_size: is not a rollover condition',
    ],
    [
      'sm without sm block',
      { snapshot: { mode: 'sm' } },
      'snapshot.sm: is required when snapshot.mode is sm',
    ],
    ['missing repository', { repository: undefined }, 'repository: is required'],
  ])('refuses %s', (_name, overrides, expected) => {
    const issues = issuesOf(() => parseLifecycleConfig(rawConfig(overrides)));
    expect(issues.some((i) => i.startsWith(expected))).toBe(true);
  });

  it.each([
    ['warm after cold', { defaults: { warm_after: '10d', cold_after: '5d' } }, 'services.0.cold_after'],
    ['bad duration', { defaults: { delete_after: '30 days' } }, 'services.0.delete_after'],
    ['bad size', { defaults: { rollover: { min_size: '30GB!' } } }, 'services.0.rollover.min_size'],
    [
      'overlapping targets',
      {
        services: [
          { name: 'a', alias: 'logs-api' },
          { name: 'b', alias: 'logs-api-admin' },
        ],
      },
      'services.1.alias',
    ],
    ['uppercase target', { services: [{ name: 'a', alias: 'Logs' }] }, 'services.0.alias'],
    [
      'SM deleting inside retention',
      {
        snapshot: {
          mode: 'sm',
          sm: {
            creation: { schedule: { cron: { expression: '0 2 * * *', timezone: 'UTC' } } },
            deletion: { condition: { max_age: '30d' } },
          },
        },
      },
      'snapshot.sm.deletion.condition.max_age',
    ],
  ])('validateConfig refuses %s', (_name, overrides, path) => {
    const text = JSON.stringify(rawConfig(overrides));
    const issues = issuesOf(() => parseLifecycleYaml(text));
    expect(issues.some((i) => i.startsWith(`${path}:`))).toBe(true);
  });
});
