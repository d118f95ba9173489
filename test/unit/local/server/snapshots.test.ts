import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClock } from '../../../../infra/local/opensearch/clock.ts';
import { OpenSearchError } from '../../../../infra/local/opensearch/errors.ts';
import { SnapshotService } from '../../../../infra/local/opensearch/lifecycle/snapshots.ts';
import { LocalNode } from '../../../../infra/local/opensearch/node.ts';

const START = Date.parse('2026-02-01T00:00:00Z');

async function rejection(promise: Promise<unknown>): Promise<OpenSearchError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OpenSearchError);
    return error as OpenSearchError;
  }
  throw new Error('expected a rejection');
}

describe('SnapshotService on an fs repository', () => {
  let root: string;
  let node: LocalNode;
  let service: SnapshotService;

  const newNode = () => {
    const n = new LocalNode(createClock(START));
    n.init();
    return n;
  };

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sluice-snapshots-'));
    node = newNode();
    service = new SnapshotService(node, { fsRoot: root });
    await service.putRepository('repo', { type: 'fs', settings: { location: '/abs/olute' } }, true);
    node.createIndex('a-1', { mappings: { properties: { n: { type: 'long' } } } });
    node.createIndex('a-2', {});
    node.createIndex('b-1', {});
    for (let i = 0; i < 3; i++)
      node.write({ op: 'index', target: 'a-1', id: String(i), meta: {}, source: { n: i } });
  });
  afterEach(async () => {
    service.close();
    await rm(root, { recursive: true, force: true });
  });

  it('keeps an absolute location inside the server folder', async () => {
    expect(service.fsPath('/abs/olute')).toBe(path.join(root, 'abs', 'olute'));
    expect(() => service.fsPath('../../etc')).toThrow('path.repo');
  });

  it('captures the indices at the start, and selects snapshots by names, wildcards and exclusions', async () => {
    const { record, done } = service.create('repo', 's1', { indices: 'a-*' });
    expect(record.state).toBe('IN_PROGRESS');
    // Written after the start: not in the snapshot.
    node.write({ op: 'index', target: 'a-1', id: 'late', meta: {}, source: { n: 9 } });
    const finished = await done;
    expect(finished).toMatchObject({ state: 'SUCCESS', indices: ['a-1', 'a-2'] });
    await service.create('repo', 's2', { indices: 'b-1' }).done;
    await service.create('repo', 'x1', {}).done;
    expect(service.select('repo', 's*', false).map((s) => s.name)).toEqual(['s1', 's2']);
    expect(service.select('repo', '_all,-s*', false).map((s) => s.name)).toEqual(['x1']);
    expect(() => service.select('repo', 'nope', false)).toThrow('[repo:nope] is missing');
    expect(service.select('repo', 'nope', true)).toEqual([]);

    node.deleteIndices('a-1', {});
    const restored = await service.restore('repo', 's1', { indices: 'a-1' });
    expect(restored).toMatchObject({ indices: ['a-1'], shards: { total: 1, successful: 1, failed: 0 } });
    expect([...(node.state.indices.get('a-1')?.docs.keys() ?? [])].sort()).toEqual(['0', '1', '2']);
  });

  it('refuses an invalid or duplicate name, and restoring over an open index; replaces a closed one', async () => {
    expect(() => service.create('repo', 'Upper', {})).toThrow('must be lowercase');
    await service.create('repo', 'one', { indices: 'a-1' }).done;
    expect(() => service.create('repo', 'one', {})).toThrow('already exists');
    const refused = await rejection(service.restore('repo', 'one', {}));
    expect(refused.type).toBe('snapshot_restore_exception');
    node.setClosed([node.state.mustIndex('a-1')], true);
    await service.restore('repo', 'one', {});
    expect(node.state.indices.get('a-1')?.closed).toBeFalsy();
    expect(node.state.indices.get('a-1')?.docs.size).toBe(3);
  });

  it('records a closed index as a failure of a partial snapshot', async () => {
    node.setClosed([node.state.mustIndex('b-1')], true);
    expect(() => service.create('repo', 'strict', { indices: 'b-1' })).toThrow('are closed');
    const done = await service.create('repo', 'loose', { indices: 'a-1,b-1', partial: true }).done;
    expect(done.state).toBe('PARTIAL');
    expect(done.failures.map((f) => f.index)).toEqual(['b-1']);
    expect(service.describe(done, false).shards).toEqual({ total: 2, failed: 1, successful: 1 });
  });

  it('cleanup deletes what no snapshot refers to; delete removes the files', async () => {
    await service.create('repo', 'keep', { indices: 'a-1' }).done;
    await service.create('repo', 'other', { indices: 'a-2' }).done;
    const dir = path.join(root, 'abs', 'olute');
    // Leftovers: an older catalog generation, a snapshot file and index data of no snapshot.
    await writeFile(path.join(dir, 'index-0'), '{"snapshots":[]}');
    await writeFile(path.join(dir, 'snap-ghost.json'), '{}');
    await mkdir(path.join(dir, 'indices', 'ghost', 'x'), { recursive: true });
    await writeFile(path.join(dir, 'indices', 'ghost', 'x', 'meta.json'), '{}');
    const cleaned = await service.cleanup('repo');
    expect(cleaned).toMatchObject({ results: { deleted_blobs: 3 } });
    expect(await service.cleanup('repo')).toEqual({ results: { deleted_bytes: 0, deleted_blobs: 0 } });
    expect(service.select('repo', '_all', false).map((s) => s.name)).toEqual(['keep', 'other']);
    await service.delete('repo', 'keep,other');
    expect((await readdir(dir)).sort()).toEqual(['index-2', 'index.latest']);
  });

  it('a second cluster on the same folder reads the catalog back', async () => {
    await service.create('repo', 'shared', { indices: 'a-1' }).done;
    const other = newNode();
    const second = new SnapshotService(other, { fsRoot: root });
    try {
      await second.putRepository('same', { type: 'fs', settings: { location: '/abs/olute' } }, true);
      expect(second.snapshots('same').map((s) => [s.name, s.state, s.repository])).toEqual([
        ['shared', 'SUCCESS', 'same'],
      ]);
      await second.restore('same', 'shared', { rename_pattern: 'a-(.+)', rename_replacement: 'copy-$1' });
      expect(other.state.indices.get('copy-1')?.docs.size).toBe(3);
      expect(other.state.indices.get('copy-1')?.mappings).toEqual(node.state.indices.get('a-1')?.mappings);
      // Deleted by the first cluster: the second one stops listing it on its next read.
      await service.delete('repo', 'shared');
      await second.syncCatalog('same');
      expect(second.snapshots('same')).toEqual([]);
    } finally {
      second.close();
    }
  });
});
