import { describe, expect, it } from 'vitest';
import {
  type ComponentTemplate,
  type IndexTemplate,
  normaliseIndexTemplate,
  resolveTemplate,
} from '../../../../infra/local/opensearch/templates.ts';

const templates = new Map<string, IndexTemplate>([
  [
    'logs',
    {
      index_patterns: ['logs-*'],
      priority: 10,
      composed_of: ['base', 'ecs'],
      template: {
        settings: { number_of_replicas: 0 },
        mappings: { properties: { message: { type: 'text' } } },
      },
    },
  ],
  ['logs-app', { index_patterns: ['logs-app-*'], priority: 20, template: { aliases: { 'app-logs': {} } } }],
  ['catch-all', { index_patterns: ['*'], priority: 0 }],
]);
const components = new Map<string, ComponentTemplate>([
  [
    'base',
    {
      template: {
        settings: { index: { number_of_shards: 1, number_of_replicas: 2 } },
        mappings: { properties: { '@timestamp': { type: 'date' } } },
      },
    },
  ],
  [
    'ecs',
    {
      template: {
        mappings: { properties: { host: { properties: { name: { type: 'keyword' } } } } },
        aliases: { everything: {} },
      },
    },
  ],
]);

describe('resolveTemplate', () => {
  it.each([
    ['logs-web-2024', 'logs'],
    ['logs-app-2024', 'logs-app'],
    ['metrics', 'catch-all'],
    ['.hidden', undefined],
  ])('%s uses %s', (index, expected) => {
    expect(resolveTemplate(index, templates, components)?.name).toBe(expected);
  });

  it('composes components in order, then the template itself', () => {
    const resolved = resolveTemplate('logs-web', templates, components);
    expect(resolved?.settings).toEqual({ 'index.number_of_shards': 1, 'index.number_of_replicas': 0 });
    expect(resolved?.mappings).toEqual({
      properties: {
        '@timestamp': { type: 'date' },
        host: { properties: { name: { type: 'keyword' } } },
        message: { type: 'text' },
      },
    });
    expect(resolved?.aliases).toEqual({ everything: {} });
  });

  it('fails for a missing component', () => {
    const t = new Map<string, IndexTemplate>([['x', { index_patterns: ['x*'], composed_of: ['nope'] }]]);
    expect(() => resolveTemplate('x1', t, components)).toThrowError(
      /component templates \[nope\] that do not exist/,
    );
  });
});

describe('normaliseIndexTemplate', () => {
  it('accepts a comma-separated pattern string', () => {
    expect(normaliseIndexTemplate('t', { index_patterns: 'a-*,b-*' }, new Map()).index_patterns).toEqual([
      'a-*',
      'b-*',
    ]);
  });

  it('refuses overlapping patterns with the same priority', () => {
    expect(() =>
      normaliseIndexTemplate('other', { index_patterns: ['logs-web-*'], priority: 10 }, templates),
    ).toThrowError(/matching patterns from existing templates \[logs\]/);
    expect(() =>
      normaliseIndexTemplate('other', { index_patterns: ['logs-web-*'], priority: 11 }, templates),
    ).not.toThrow();
  });

  it('requires index patterns', () => {
    expect(() => normaliseIndexTemplate('t', { template: {} }, new Map())).toThrowError(
      /index patterns are missing/,
    );
  });
});
