// The parsers of the cluster's answers, on responses in the shape OpenSearch 2.x returns them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildIndexInfos,
  parseAliases,
  parseCreationDates,
  parseDataStreams,
  parseExplain,
  parsePolicies,
  parseRepositories,
  parseSnapshots,
  parseTemplates,
  parseVersionedPolicy,
  writesEndedAt,
} from '../../../functions/adapters/lifecycle-actual.ts';

const fixtures = path.resolve(import.meta.dirname, '../lifecycle/fixtures');
const fixture = (name: string): unknown => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8'));

describe('parseCreationDates', () => {
  it.each([
    [
      'nested settings',
      { 'logs-api-000001': { settings: { index: { creation_date: '1781092800000' } } } },
      1781092800000,
    ],
    [
      'flat settings',
      { 'logs-api-000001': { settings: { 'index.creation_date': '1781092800001' } } },
      1781092800001,
    ],
    ['number', { 'logs-api-000001': { settings: { index: { creation_date: 5 } } } }, 5],
  ])('%s', (_name, body, expected) => {
    expect(parseCreationDates(body).get('logs-api-000001')).toBe(expected);
  });

  it('skips entries without a creation date and non-objects', () => {
    expect([...parseCreationDates({ a: { settings: {} }, b: 1 }).keys()]).toEqual([]);
    expect(parseCreationDates(undefined).size).toBe(0);
  });
});

describe('parseAliases', () => {
  it('reads the write flag, absent meaning false', () => {
    const body = {
      'logs-api-000002': { aliases: { 'logs-api': { is_write_index: true } } },
      'logs-api-000001': { aliases: { 'logs-api': { is_write_index: false }, other: {} } },
      'logs-api-000000': { aliases: {} },
    };
    const aliases = parseAliases(body);
    expect(aliases.get('logs-api-000002')).toEqual([{ name: 'logs-api', isWriteIndex: true }]);
    expect(aliases.get('logs-api-000001')).toEqual([
      { name: 'logs-api', isWriteIndex: false },
      { name: 'other', isWriteIndex: false },
    ]);
    expect(aliases.get('logs-api-000000')).toEqual([]);
  });
});

describe('parseExplain', () => {
  it('reads policy, policy_seq_no and state; unmanaged indices have null policy', () => {
    const body = {
      'logs-api-000001': {
        'index.plugins.index_state_management.policy_id': 'sluice-api',
        'index.opendistro.index_state_management.policy_id': 'sluice-api',
        index: 'logs-api-000001',
        policy_id: 'sluice-api',
        policy_seq_no: 41,
        policy_primary_term: 2,
        state: { name: 'warm', start_time: 1781092800000 },
        action: { name: 'transition' },
        enabled: true,
      },
      'logs-api-000002': {
        'index.plugins.index_state_management.policy_id': 'sluice-api',
        index: 'logs-api-000002',
        enabled: true,
      },
      'logs-api-000003': {
        'index.plugins.index_state_management.policy_id': null,
        'index.opendistro.index_state_management.policy_id': null,
        enabled: null,
      },
      total_managed_indices: 2,
    };
    const explain = parseExplain(body);
    expect(explain.get('logs-api-000001')).toEqual({
      policyId: 'sluice-api',
      policySeqNo: 41,
      ismState: 'warm',
    });
    expect(explain.get('logs-api-000002')).toEqual({
      policyId: 'sluice-api',
      policySeqNo: null,
      ismState: null,
    });
    expect(explain.get('logs-api-000003')).toEqual({ policyId: null, policySeqNo: null, ismState: null });
    expect(explain.has('total_managed_indices')).toBe(false);
  });
});

describe('parseDataStreams', () => {
  it('lists backing indices in the order given (oldest generation first)', () => {
    const body = {
      data_streams: [
        {
          name: 'logs-nginx',
          timestamp_field: { name: '@timestamp' },
          indices: [
            { index_name: '.ds-logs-nginx-000001', index_uuid: 'a' },
            { index_name: '.ds-logs-nginx-000002', index_uuid: 'b' },
          ],
          generation: 2,
          status: 'GREEN',
          template: 'sluice-nginx',
        },
      ],
    };
    expect(parseDataStreams(body).get('logs-nginx')).toEqual([
      '.ds-logs-nginx-000001',
      '.ds-logs-nginx-000002',
    ]);
    expect(parseDataStreams({}).size).toBe(0);
  });
});

describe('writesEndedAt', () => {
  const D = 86_400_000;
  it('alias series: the successor creation time, null for the write index and a gap at the end', () => {
    const ended = writesEndedAt(
      [
        {
          name: 'logs-api-000001',
          createdAt: 1 * D,
          aliases: [{ name: 'logs-api', isWriteIndex: false }],
          dataStream: null,
        },
        {
          name: 'logs-api-000002',
          createdAt: 2 * D,
          aliases: [{ name: 'logs-api', isWriteIndex: false }],
          dataStream: null,
        },
        {
          name: 'logs-api-000003',
          createdAt: 3 * D,
          aliases: [{ name: 'logs-api', isWriteIndex: true }],
          dataStream: null,
        },
        { name: 'logs-audit-000001', createdAt: 1 * D, aliases: [], dataStream: null },
        { name: 'odd', createdAt: 1 * D, aliases: [], dataStream: null },
      ],
      new Map(),
    );
    expect(Object.fromEntries(ended)).toEqual({
      'logs-api-000001': 2 * D,
      'logs-api-000002': 3 * D,
      'logs-api-000003': null,
      'logs-audit-000001': null,
      odd: null,
    });
  });

  it('generations sort by number, not by name length', () => {
    const ended = writesEndedAt(
      [
        { name: 'x-999999', createdAt: 1, aliases: [], dataStream: null },
        { name: 'x-1000000', createdAt: 2, aliases: [{ name: 'x', isWriteIndex: true }], dataStream: null },
      ],
      new Map(),
    );
    expect(ended.get('x-999999')).toBe(2);
  });

  it('data stream: the next backing index, null for the last (the write index)', () => {
    const ended = writesEndedAt(
      [
        { name: '.ds-logs-nginx-000001', createdAt: 10, aliases: [], dataStream: 'logs-nginx' },
        { name: '.ds-logs-nginx-000002', createdAt: 20, aliases: [], dataStream: 'logs-nginx' },
      ],
      new Map([['logs-nginx', ['.ds-logs-nginx-000001', '.ds-logs-nginx-000002']]]),
    );
    expect(ended.get('.ds-logs-nginx-000001')).toBe(20);
    expect(ended.get('.ds-logs-nginx-000002')).toBeNull();
  });

  it('property: only the write index is open, every other index ends at its successor’s creation', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 10_000 }), { minLength: 1, maxLength: 20 }), (gaps) => {
        let t = 0;
        const indices = gaps.map((gap, i) => {
          t += gap;
          return {
            name: `logs-api-${String(i + 1).padStart(6, '0')}`,
            createdAt: t,
            aliases: [{ name: 'logs-api', isWriteIndex: i === gaps.length - 1 }],
            dataStream: null,
          };
        });
        const ended = writesEndedAt(indices, new Map());
        indices.forEach((index, i) => {
          const next = indices[i + 1];
          expect(ended.get(index.name)).toBe(next === undefined ? null : next.createdAt);
          if (next !== undefined) expect(ended.get(index.name)).toBeGreaterThan(index.createdAt);
        });
      }),
    );
  });
});

describe('buildIndexInfos', () => {
  it('joins settings, aliases, explain and data streams', () => {
    const infos = buildIndexInfos({
      creationDates: new Map([
        ['logs-api-000001', 100],
        ['logs-api-000002', 200],
        ['.ds-logs-nginx-000001', 150],
      ]),
      aliases: new Map([
        ['logs-api-000001', [{ name: 'logs-api', isWriteIndex: false }]],
        ['logs-api-000002', [{ name: 'logs-api', isWriteIndex: true }]],
      ]),
      explain: new Map([['logs-api-000001', { policyId: 'sluice-api', policySeqNo: 3, ismState: 'cold' }]]),
      dataStreams: new Map([['logs-nginx', ['.ds-logs-nginx-000001']]]),
    });
    expect(infos).toEqual([
      {
        name: '.ds-logs-nginx-000001',
        createdAt: 150,
        aliases: [],
        dataStream: 'logs-nginx',
        policyId: null,
        policySeqNo: null,
        ismState: null,
        writesEndedAt: null,
      },
      {
        name: 'logs-api-000001',
        createdAt: 100,
        aliases: [{ name: 'logs-api', isWriteIndex: false }],
        dataStream: null,
        policyId: 'sluice-api',
        policySeqNo: 3,
        ismState: 'cold',
        writesEndedAt: 200,
      },
      {
        name: 'logs-api-000002',
        createdAt: 200,
        aliases: [{ name: 'logs-api', isWriteIndex: true }],
        dataStream: null,
        policyId: null,
        policySeqNo: null,
        ismState: null,
        writesEndedAt: null,
      },
    ]);
  });
});

describe('policies, templates, repositories', () => {
  it('one policy with its tokens (fixture)', () => {
    const versioned = parseVersionedPolicy(fixture('get-policy-sluice-api.json'), 'policy');
    expect(versioned?.seqNo).toBe(41);
    expect(versioned?.primaryTerm).toBe(2);
    expect(versioned?.policy.default_state).toBe('hot');
    expect(parseVersionedPolicy({ error: 'x' }, 'policy')).toBeNull();
  });

  it('the policy list', () => {
    const one = fixture('get-policy-sluice-api.json') as Record<string, unknown>;
    const parsed = parsePolicies({ policies: [one, { _id: 'broken' }], total_policies: 2 });
    expect(Object.keys(parsed)).toEqual(['sluice-api']);
    expect(parsed['sluice-api']?.seqNo).toBe(41);
  });

  it('component and index templates (fixtures)', () => {
    const components = parseTemplates(
      fixture('get-component-templates.json'),
      'component_templates',
      'component_template',
    );
    expect(Object.keys(components).sort()).toEqual([
      'sluice-api-settings',
      'sluice-ecs-mappings',
      'sluice-nginx-settings',
    ]);
    const templates = parseTemplates(
      fixture('get-index-templates.json'),
      'index_templates',
      'index_template',
    );
    expect(templates['sluice-nginx']?.data_stream).toEqual({ timestamp_field: { name: '@timestamp' } });
  });

  it('repositories (fixture)', () => {
    expect(parseRepositories(fixture('get-repository.json'))).toEqual({
      'sluice-snapshots': { type: 's3', settings: { bucket: 'b', region: 'eu-west-1' } },
    });
  });
});

describe('parseSnapshots', () => {
  it('reads the fixture, oldest first, keeping failures and shard counts', () => {
    const snapshots = parseSnapshots(fixture('get-snapshots.json'));
    expect(snapshots.map((s) => [s.snapshot, s.state, s.shards.failed])).toEqual([
      ['sluice-logs-api-000001-2026.06.10', 'SUCCESS', 0],
      ['sluice-logs-api-000002-2026.06.14', 'PARTIAL', 1],
    ]);
    expect(snapshots[0]?.end_time_in_millis).toBe(1781092860000);
    expect(snapshots[1]?.failures).toHaveLength(1);
  });

  it('an in-progress snapshot has no end time (OpenSearch reports 0)', () => {
    const [s] = parseSnapshots({
      snapshots: [
        {
          snapshot: 'x',
          state: 'IN_PROGRESS',
          indices: ['a'],
          start_time_in_millis: 5,
          end_time_in_millis: 0,
          shards: { total: 0, failed: 0, successful: 0 },
        },
      ],
    });
    expect(s?.end_time_in_millis).toBeUndefined();
  });
});
