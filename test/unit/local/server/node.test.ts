import { describe, expect, it } from 'vitest';
import { createClock } from '../../../../infra/local/opensearch/clock.ts';
import { OpenSearchError } from '../../../../infra/local/opensearch/errors.ts';
import { LocalNode } from '../../../../infra/local/opensearch/node.ts';

function node(): LocalNode {
  const n = new LocalNode(createClock(Date.UTC(2024, 0, 1)), () => 0);
  n.init();
  return n;
}

function error(fn: () => unknown): OpenSearchError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OpenSearchError) return e;
    throw e;
  }
  throw new Error('expected an OpenSearchError');
}

describe('LocalNode indices', () => {
  it('resolves comma lists, wildcards, exclusions, aliases and _all', () => {
    const n = node();
    for (const name of ['logs-a', 'logs-b', 'metrics']) n.createIndex(name, {});
    n.updateAliases([{ add: { index: 'metrics', alias: 'm' } }]);
    const names = (expr: string | undefined) =>
      n
        .resolve(expr)
        .map((i) => i.name)
        .sort();
    expect(names('logs-*')).toEqual(['logs-a', 'logs-b']);
    expect(names('logs-*,-logs-b')).toEqual(['logs-a']);
    expect(names('m,logs-a')).toEqual(['logs-a', 'metrics']);
    expect(names('_all')).toEqual(['logs-a', 'logs-b', 'metrics']);
    expect(names(undefined)).toEqual(['logs-a', 'logs-b', 'metrics']);
    expect(names('nothing-*')).toEqual([]);
    expect(error(() => n.resolve('missing')).type).toBe('index_not_found_exception');
  });

  it('deletes by wildcard but refuses an alias name and a missing concrete name', () => {
    const n = node();
    n.createIndex('a-1', { aliases: { a: {} } });
    n.createIndex('a-2', {});
    expect(error(() => n.deleteIndices('a', {})).message).toContain('matches an alias');
    expect(error(() => n.deleteIndices('nope', {})).status).toBe(404);
    expect(n.deleteIndices('a-*', {}).sort()).toEqual(['a-1', 'a-2']);
    expect(n.state.indices.size).toBe(0);
  });

  it('applies the matching template on auto-creation by a write', () => {
    const n = node();
    n.commit({
      t: 'template.put',
      name: 't',
      template: {
        index_patterns: ['app-*'],
        template: {
          settings: { number_of_replicas: 0 },
          mappings: { properties: { code: { type: 'keyword' } } },
        },
      },
    });
    n.write({ op: 'index', target: 'app-1', id: '1', meta: {}, source: { code: 200 } });
    const index = n.state.indices.get('app-1');
    expect(index?.settings['index.number_of_replicas']).toBe('0');
    expect(index?.mappings.properties?.code).toEqual({ type: 'keyword' });
    expect(n.indexHealth(index as never)).toBe('green');
  });

  it('refuses an index beyond cluster.max_shards_per_node, replicas included', () => {
    const n = node();
    n.commit({ t: 'cluster.settings', persistent: { 'cluster.max_shards_per_node': '3' }, transient: {} });
    n.createIndex('one', {}); // 1 primary + 1 replica
    const e = error(() => n.createIndex('two', {}));
    expect([e.status, e.type]).toEqual([400, 'validation_exception']);
    expect(e.message).toBe(
      'Validation Failed: 1: this action would add [2] total shards, but this cluster currently has [2]/[3] maximum shards open;',
    );
    expect(() => n.createIndex('three', { settings: { number_of_replicas: 0 } })).not.toThrow();
  });

  it('alias actions are atomic', () => {
    const n = node();
    n.createIndex('x', {});
    n.createIndex('y', {});
    const e = error(() =>
      n.updateAliases([
        { add: { index: 'x', alias: 'w', is_write_index: true } },
        { add: { index: 'y', alias: 'w', is_write_index: true } },
      ]),
    );
    expect(e.message).toContain('more than one write index');
    expect(n.state.indices.get('x')?.aliases).toEqual({});
  });

  it('write blocks and missing documents answer like OpenSearch', () => {
    const n = node();
    const index = n.createIndex('b', {});
    n.updateSettings([index], { index: { blocks: { write: true } } });
    const blocked = error(() => n.write({ op: 'index', target: 'b', id: '1', meta: {}, source: {} }));
    expect([blocked.status, blocked.type]).toEqual([403, 'cluster_block_exception']);
    n.updateSettings([index], { 'index.blocks.write': null });
    const missing = error(() =>
      n.write({ op: 'update', target: 'b', id: 'nope', meta: {}, source: { doc: { a: 1 } } }),
    );
    expect([missing.status, missing.type, missing.message]).toEqual([
      404,
      'document_missing_exception',
      '[nope]: document missing',
    ]);
  });

  it('sequence numbers and versions follow OpenSearch', () => {
    const n = node();
    n.createIndex('s', {});
    const put = (id: string) => n.write({ op: 'index', target: 's', id, meta: {}, source: { id } }).body;
    expect(put('a')).toMatchObject({ _seq_no: 0, _version: 1, result: 'created' });
    expect(put('a')).toMatchObject({ _seq_no: 1, _version: 2, result: 'updated' });
    expect(n.write({ op: 'delete', target: 's', id: 'a', meta: {} }).body).toMatchObject({
      _seq_no: 2,
      _version: 3,
      result: 'deleted',
    });
    expect(put('a')).toMatchObject({ _seq_no: 3, _version: 4, result: 'created' });
    const conflict = error(() =>
      n.write({ op: 'index', target: 's', id: 'a', meta: { if_seq_no: 0, if_primary_term: 1 }, source: {} }),
    );
    expect(conflict.status).toBe(409);
    const noop = n.write({ op: 'update', target: 's', id: 'a', meta: {}, source: { doc: { id: 'a' } } });
    expect(noop.body).toMatchObject({ result: 'noop', _seq_no: 3 });
  });
});
