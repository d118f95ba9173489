// ISM, SM and snapshots of the local OpenSearch-compatible server, driven by the official client's
// `ism`, `sm` and `snapshot` namespaces, with snapshots going to a local S3 (s3rver).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { Client } from '@opensearch-project/opensearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenSearchServer, startOpenSearchServer } from '../../../infra/local/opensearch/server.ts';
import { LocalBuckets, type LocalS3, startLocalS3 } from '../../../infra/local/s3.ts';

const START = Date.parse('2026-01-01T00:00:00Z');

/** The status and body of a failed client call. */
async function failure(call: Promise<unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  try {
    await call;
  } catch (error) {
    const meta = (error as { meta?: { statusCode?: number; body?: Record<string, unknown> } }).meta;
    return { status: meta?.statusCode ?? 0, body: meta?.body ?? {} };
  }
  throw new Error('expected the call to fail');
}

function errorType(body: Record<string, unknown>): string {
  return String((body.error as { type?: string } | undefined)?.type);
}

async function advance(client: Client, by: string): Promise<void> {
  await client.transport.request({ method: 'PUT', path: '/_sluice/clock', body: { advance: by } });
}

function s3Repository(s3: LocalS3, basePath: string) {
  return {
    type: 's3',
    settings: {
      bucket: LocalBuckets.snapshots,
      base_path: basePath,
      endpoint: s3.endpoint,
      path_style_access: true,
    },
  };
}

async function listKeys(s3: LocalS3, prefix: string): Promise<string[]> {
  const sdk = new S3Client({
    region: 'us-east-1',
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  });
  try {
    const out = await sdk.send(new ListObjectsV2Command({ Bucket: LocalBuckets.snapshots, Prefix: prefix }));
    return (out.Contents ?? []).map((o) => o.Key ?? '');
  } finally {
    sdk.destroy();
  }
}

const ROLLOVER_POLICY = {
  policy: {
    description: 'hot → warm → cold → delete',
    default_state: 'hot',
    states: [
      {
        name: 'hot',
        actions: [{ rollover: { min_doc_count: 2 } }],
        transitions: [{ state_name: 'warm', conditions: { min_index_age: '1d' } }],
      },
      {
        name: 'warm',
        actions: [
          { replica_count: { number_of_replicas: 0 } },
          { read_only: {} },
          { index_priority: { priority: 10 } },
        ],
        transitions: [{ state_name: 'cold', conditions: { min_index_age: '7d' } }],
      },
      {
        name: 'cold',
        actions: [{ snapshot: { repository: 'archive', snapshot: 'cold' } }],
        transitions: [{ state_name: 'delete', conditions: { min_index_age: '30d' } }],
      },
      { name: 'delete', actions: [{ delete: {} }], transitions: [] },
    ],
    ism_template: [{ index_patterns: ['logs-*'], priority: 10 }],
  },
};

describe('local OpenSearch server: lifecycle', () => {
  let s3: LocalS3;
  let server: OpenSearchServer;
  let client: Client;

  beforeAll(async () => {
    s3 = await startLocalS3();
    server = await startOpenSearchServer({ port: 0, now: START });
    client = new Client({ node: server.url });
  });
  afterAll(async () => {
    await client.close();
    await server.close();
    await s3.close();
  });

  describe('ISM policies', () => {
    it('creates, updates only with the right seq_no/primary_term, lists and deletes', async () => {
      const created = await client.ism.putPolicy({ policy_id: 'p1', body: ROLLOVER_POLICY as never });
      expect(created.statusCode).toBe(201);
      const { _seq_no: seqNo, _primary_term: term } = created.body;

      const blind = await failure(client.ism.putPolicy({ policy_id: 'p1', body: ROLLOVER_POLICY as never }));
      expect(blind.status).toBe(409);
      expect(errorType(blind.body)).toBe('version_conflict_engine_exception');
      const stale = await failure(
        client.ism.putPolicy({
          policy_id: 'p1',
          if_seq_no: Number(seqNo) + 5,
          if_primary_term: Number(term),
          body: ROLLOVER_POLICY as never,
        }),
      );
      expect(stale.status).toBe(409);

      const updated = await client.ism.putPolicy({
        policy_id: 'p1',
        if_seq_no: Number(seqNo),
        if_primary_term: Number(term),
        body: ROLLOVER_POLICY as never,
      });
      expect(updated.statusCode).toBe(200);
      expect(Number(updated.body._seq_no)).toBeGreaterThan(Number(seqNo));

      const all = await client.ism.getPolicies();
      expect(all.body.total_policies).toBe(1);
      expect((await client.ism.existsPolicy({ policy_id: 'p1' })).statusCode).toBe(200);
      const got = await client.ism.getPolicy({ policy_id: 'p1' });
      expect(got.body.policy?.default_state).toBe('hot');

      expect((await client.ism.deletePolicy({ policy_id: 'p1' })).body.result).toBe('deleted');
      expect((await failure(client.ism.getPolicy({ policy_id: 'p1' }))).status).toBe(404);
    });

    it.each([
      [
        'a snapshot action with include_global_state',
        [
          {
            name: 'a',
            actions: [{ snapshot: { repository: 'r', snapshot: 's', include_global_state: true } }],
          },
        ],
        'include_global_state',
      ],
      [
        'a transition with two conditions',
        [
          {
            name: 'a',
            transitions: [{ state_name: 'b', conditions: { min_index_age: '1d', min_doc_count: 5 } }],
          },
          { name: 'b' },
        ],
        'more than one Transition condition',
      ],
      [
        'a transition to a missing state',
        [{ name: 'a', transitions: [{ state_name: 'nope' }] }],
        'nonexistent state',
      ],
      ['an unknown action', [{ name: 'a', actions: [{ explode: {} }] }], 'explode'],
    ])('rejects %s', async (_name, states, reason) => {
      const result = await failure(
        client.ism.putPolicy({ policy_id: 'bad', body: { policy: { default_state: 'a', states } } as never }),
      );
      expect(result.status).toBe(400);
      expect(JSON.stringify(result.body)).toContain(reason);
    });

    it('adds, explains, changes and removes the policy of an index; retry needs a failed index', async () => {
      await client.ism.putPolicy({
        policy_id: 'simple',
        body: { policy: { default_state: 'one', states: [{ name: 'one' }, { name: 'two' }] } } as never,
      });
      await client.ism.putPolicy({
        policy_id: 'other',
        body: { policy: { default_state: 'x', states: [{ name: 'x' }] } } as never,
      });
      await client.indices.create({ index: 'managed-a' });
      const added = await client.ism.addPolicy({ index: 'managed-a', body: { policy_id: 'simple' } });
      expect(added.body).toMatchObject({ updated_indices: 1, failures: false });
      const again = await client.ism.addPolicy({ index: 'managed-a', body: { policy_id: 'simple' } });
      expect(again.body.failures).toBe(true);

      const explained = await client.ism.explainPolicy({ index: 'managed-a' });
      expect(explained.body.total_managed_indices).toBe(1);
      expect(explained.body['managed-a']).toMatchObject({
        'index.plugins.index_state_management.policy_id': 'simple',
        enabled: true,
      });
      await advance(client, '5m');
      const initialised = (await client.ism.explainPolicy({ index: 'managed-a' })).body[
        'managed-a'
      ] as Record<string, unknown>;
      expect(initialised.state).toMatchObject({ name: 'one' });

      const retry = await client.ism.retryIndex({ index: 'managed-a', body: { state: 'one' } });
      expect(retry.body.failed_indices?.[0]?.reason).toBe('This index is not in failed state.');

      const changed = await client.ism.changePolicy({
        index: 'managed-a',
        body: { policy_id: 'other', state: 'x' },
      });
      expect(changed.body.updated_indices).toBe(1);
      await advance(client, '5m');
      const after = (await client.ism.explainPolicy({ index: 'managed-a' })).body['managed-a'] as Record<
        string,
        unknown
      >;
      expect(after.policy_id).toBe('other');
      expect(after.state).toMatchObject({ name: 'x' });

      expect((await client.ism.removePolicy({ index: 'managed-a' })).body.updated_indices).toBe(1);
      const gone = await client.ism.explainPolicy({ index: 'managed-a' });
      expect(gone.body.total_managed_indices).toBe(0);
    });

    it('shows a failed rollover (no rollover alias) in explain, and retry resets it', async () => {
      await client.ism.putPolicy({
        policy_id: 'no-alias',
        body: {
          policy: {
            default_state: 'hot',
            states: [{ name: 'hot', actions: [{ retry: { count: 0 }, rollover: { min_doc_count: 1 } }] }],
          },
        } as never,
      });
      await client.indices.create({ index: 'plain-1' });
      await client.ism.addPolicy({ index: 'plain-1', body: { policy_id: 'no-alias' } });
      await advance(client, '10m');
      const body = (await client.ism.explainPolicy({ index: 'plain-1' })).body['plain-1'] as Record<
        string,
        unknown
      >;
      expect(body.action).toMatchObject({ name: 'rollover', failed: true });
      expect(body.info).toMatchObject({ message: 'Missing rollover_alias index setting [index=plain-1]' });
      const retried = await client.ism.retryIndex({ index: 'plain-1', body: { state: 'hot' } });
      expect(retried.body.updated_indices).toBe(1);
    });
  });

  describe('ISM on the controllable clock', () => {
    it('rolls over, then moves hot → warm → cold (snapshot to S3) → delete as time passes', async () => {
      await client.snapshot.createRepository({
        repository: 'archive',
        body: s3Repository(s3, 'ism-archive') as never,
      });
      await client.ism.putPolicy({ policy_id: 'logs', body: ROLLOVER_POLICY as never });
      await client.indices.putIndexTemplate({
        name: 'logs',
        body: {
          index_patterns: ['logs-*'],
          template: { settings: { 'plugins.index_state_management.rollover_alias': 'logs' } },
        },
      });
      await client.indices.create({
        index: 'logs-000001',
        body: { aliases: { logs: { is_write_index: true } } },
      });
      for (let i = 0; i < 3; i++) await client.index({ index: 'logs', body: { n: i } });
      const state = async (index: string) => {
        const body = (await client.ism.explainPolicy({ index })).body[index] as Record<string, unknown>;
        return (body.state as { name?: string } | undefined)?.name;
      };

      await advance(client, '5m'); // initialise
      expect(await state('logs-000001')).toBe('hot');
      await advance(client, '5m'); // rollover
      expect((await client.indices.exists({ index: 'logs-000002' })).body).toBe(true);
      const alias = await client.indices.getAlias({ name: 'logs' });
      expect(alias.body['logs-000002']?.aliases?.logs?.is_write_index).toBe(true);
      // The new index was picked up by the policy's ism_template.
      expect((await client.ism.explainPolicy({ index: 'logs-000002' })).body.total_managed_indices).toBe(1);

      await advance(client, '1d');
      expect(await state('logs-000001')).toBe('warm');
      const settings = await client.indices.getSettings({ index: 'logs-000001', flat_settings: true });
      expect(settings.body['logs-000001']?.settings).toMatchObject({
        'index.blocks.write': 'true',
        'index.number_of_replicas': '0',
        'index.priority': '10',
      });
      // logs-000002 has no documents: it stays hot, waiting to roll over.
      expect(await state('logs-000002')).toBe('hot');

      await advance(client, '7d');
      expect(await state('logs-000001')).toBe('cold');
      const snaps = await client.snapshot.get({ repository: 'archive', snapshot: '_all' });
      expect(snaps.body.snapshots.map((s) => s.snapshot)).toEqual([expect.stringMatching(/^cold-/)]);
      expect(snaps.body.snapshots[0]?.indices).toEqual(['logs-000001']);
      expect(snaps.body.snapshots[0]?.state).toBe('SUCCESS');

      await advance(client, '30d');
      expect((await client.indices.exists({ index: 'logs-000001' })).body).toBe(false);
      expect(Object.keys((await client.ism.explainPolicy()).body)).not.toContain('logs-000001');
    });
  });

  describe('snapshots in S3', () => {
    it('writes the snapshot files to the bucket, restores with rename, refuses to overwrite', async () => {
      await client.snapshot.createRepository({
        repository: 's3-main',
        body: s3Repository(s3, 'cluster-a') as never,
      });
      await client.indices.create({
        index: 'books',
        body: { mappings: { properties: { title: { type: 'keyword' } } }, aliases: { library: {} } },
      });
      await client.bulk({
        refresh: true,
        body: [1, 2, 3, 4, 5].flatMap((n) => [
          { index: { _index: 'books', _id: String(n) } },
          { title: `book ${n}` },
        ]),
      });
      const created = await client.snapshot.create({
        repository: 's3-main',
        snapshot: 'snap-1',
        wait_for_completion: true,
        body: { indices: 'books', include_global_state: false, metadata: { taken_by: 'test' } },
      });
      expect(created.body.snapshot).toMatchObject({
        snapshot: 'snap-1',
        state: 'SUCCESS',
        indices: ['books'],
      });

      const keys = await listKeys(s3, 'cluster-a/');
      expect(keys).toContain('cluster-a/index.latest');
      expect(keys.some((k) => /^cluster-a\/snap-.+\.json$/.test(k))).toBe(true);
      expect(keys.some((k) => /^cluster-a\/indices\/.+\/books\/docs\.ndjson\.gz$/.test(k))).toBe(true);

      const conflict = await failure(
        client.snapshot.restore({ repository: 's3-main', snapshot: 'snap-1', wait_for_completion: true }),
      );
      expect(conflict.status).toBe(500);
      expect(errorType(conflict.body)).toBe('snapshot_restore_exception');

      await client.indices.delete({ index: 'books' });
      const restored = await client.snapshot.restore({
        repository: 's3-main',
        snapshot: 'snap-1',
        wait_for_completion: true,
        body: { indices: 'books', rename_pattern: '(.+)', rename_replacement: 'restored-$1' },
      });
      expect(restored.body.snapshot?.indices).toEqual(['restored-books']);
      expect((await client.count({ index: 'restored-books' })).body.count).toBe(5);
      const mapping = await client.indices.getMapping({ index: 'restored-books' });
      expect(mapping.body['restored-books']?.mappings.properties?.title).toEqual({ type: 'keyword' });
      const doc = await client.get({ index: 'restored-books', id: '3' });
      expect(doc.body._source).toEqual({ title: 'book 3' });
    });

    it('answers accepted without wait_for_completion, then the snapshot completes', async () => {
      const accepted = await client.snapshot.create({
        repository: 's3-main',
        snapshot: 'snap-async',
        body: { indices: 'restored-books' },
      });
      expect(accepted.body).toEqual({ accepted: true });
      await server.settle();
      const got = await client.snapshot.get({ repository: 's3-main', snapshot: 'snap-async' });
      expect(got.body.snapshots[0]?.state).toBe('SUCCESS');
      const status = await client.snapshot.status({ repository: 's3-main', snapshot: 'snap-async' });
      expect(status.body.snapshots[0]).toMatchObject({ snapshot: 'snap-async', state: 'SUCCESS' });
      const cat = await client.cat.snapshots({ repository: 's3-main', format: 'json' });
      expect((cat.body as Array<{ id: string }>).map((r) => r.id)).toEqual(['snap-1', 'snap-async']);
    });

    it('a fresh server registering the same S3 repository sees the snapshots and restores them', async () => {
      const fresh = await startOpenSearchServer({ port: 0 });
      const other = new Client({ node: fresh.url });
      try {
        await other.snapshot.createRepository({
          repository: 'shared',
          body: s3Repository(s3, 'cluster-a') as never,
        });
        const snaps = await other.snapshot.get({ repository: 'shared', snapshot: '*' });
        expect(snaps.body.snapshots.map((s) => s.snapshot)).toEqual(['snap-1', 'snap-async']);
        await other.snapshot.restore({ repository: 'shared', snapshot: 'snap-1', wait_for_completion: true });
        expect((await other.count({ index: 'books' })).body.count).toBe(5);
        // The alias came back with the index.
        expect((await other.count({ index: 'library' })).body.count).toBe(5);
      } finally {
        await other.close();
        await fresh.close();
      }
    });

    it('deletes a snapshot and its files', async () => {
      const before = await listKeys(s3, 'cluster-a/');
      await client.snapshot.delete({ repository: 's3-main', snapshot: 'snap-async' });
      const after = await listKeys(s3, 'cluster-a/');
      expect(after.length).toBeLessThan(before.length);
      const left = await client.snapshot.get({ repository: 's3-main', snapshot: '_all' });
      expect(left.body.snapshots.map((s) => s.snapshot)).toEqual(['snap-1']);
      const cleanup = await client.snapshot.cleanupRepository({ repository: 's3-main' });
      expect(cleanup.body.results.deleted_blobs).toBe(0);
    });

    it.each([
      ['no bucket', { type: 's3', settings: { endpoint: 'http://127.0.0.1:1' } }, 'No bucket'],
      ['glacier', { type: 's3', settings: { bucket: 'b-1', storage_class: 'glacier' } }, 'storage class'],
      [
        'deep_archive',
        { type: 's3', settings: { bucket: 'b-1', storage_class: 'deep_archive' } },
        'storage class',
      ],
      [
        'a KMS key without aws:kms',
        {
          type: 's3',
          settings: {
            bucket: 'b-1',
            server_side_encryption_type: 'AES256',
            server_side_encryption_kms_key_id: 'k',
          },
        },
        'aws:kms',
      ],
      ['an unknown type', { type: 'hdfs', settings: {} }, 'does not exist'],
    ])('rejects an S3 repository with %s', async (_name, body, reason) => {
      const result = await failure(
        client.snapshot.createRepository({ repository: 'bad', body: body as never }),
      );
      expect(result.status).toBe(500);
      expect(JSON.stringify(result.body)).toContain(reason);
    });

    it('takes the endpoint from s3.client.<client>.* cluster settings (client-style settings)', async () => {
      await client.cluster.putSettings({
        body: {
          persistent: { 's3.client.local.endpoint': s3.endpoint, 's3.client.local.path_style_access': true },
        },
      });
      await client.snapshot.createRepository({
        repository: 'by-client',
        body: {
          type: 's3',
          settings: { bucket: LocalBuckets.snapshots, base_path: 'by-client', client: 'local' },
        } as never,
      });
      await client.snapshot.create({
        repository: 'by-client',
        snapshot: 'c1',
        wait_for_completion: true,
        body: { indices: 'library' },
      });
      expect(await listKeys(s3, 'by-client/')).toContain('by-client/index.latest');
    });

    it('verify fails for an unreachable endpoint', async () => {
      const result = await failure(
        client.snapshot.createRepository({
          repository: 'unreachable',
          body: { type: 's3', settings: { bucket: 'nope-bucket', endpoint: s3.endpoint } } as never,
        }),
      );
      expect(errorType(result.body)).toBe('repository_verification_exception');
    });
  });

  describe('SM', () => {
    it('rejects a deletion condition without max_age or max_count', async () => {
      const result = await failure(
        client.sm.createPolicy({
          policy_name: 'bad',
          body: {
            creation: { schedule: { cron: { expression: '0 * * * *', timezone: 'UTC' } } },
            deletion: { condition: { min_count: 1 } },
            snapshot_config: { repository: 'r' },
          } as never,
        }),
      );
      expect(result.status).toBe(400);
    });

    it('creates snapshots on the cron schedule and deletes beyond max_count', async () => {
      await client.snapshot.createRepository({
        repository: 'fs-sm',
        body: { type: 'fs', settings: { location: 'sm' } },
      });
      await client.indices.create({ index: 'sm-data' });
      const created = await client.sm.createPolicy({
        policy_name: 'hourly',
        body: {
          description: 'hourly',
          creation: { schedule: { cron: { expression: '0 * * * *', timezone: 'UTC' } } },
          deletion: {
            schedule: { cron: { expression: '30 * * * *', timezone: 'UTC' } },
            condition: { max_count: 2, min_count: 1 },
          },
          snapshot_config: { repository: 'fs-sm', indices: 'sm-data', date_format: 'yyyy-MM-dd-HH' },
        } as never,
      });
      expect(created.statusCode).toBe(201);
      // Align to a whole hour, then let four hours pass one job interval at a time.
      const now = server.clock.now();
      await client.transport.request({
        method: 'PUT',
        path: '/_sluice/clock',
        body: { now: Math.ceil(now / 3_600_000) * 3_600_000 - 60_000 },
      });
      for (let i = 0; i < 4 * 12; i++) await advance(client, '5m');
      const snaps = await client.snapshot.get({ repository: 'fs-sm', snapshot: 'hourly-*' });
      const names = snaps.body.snapshots.map((s) => s.snapshot);
      expect(names.length).toBe(2);
      for (const n of names) expect(n).toMatch(/^hourly-\d{4}-\d{2}-\d{2}-\d{2}-[a-z0-9]{8}$/);
      const explained = await client.sm.explainPolicy({ policy_name: 'hourly' });
      expect(explained.body.policies?.[0]).toMatchObject({ name: 'hourly', enabled: true });

      await client.sm.stopPolicy({ policy_name: 'hourly' });
      const got = await client.sm.getPolicy({ policy_name: 'hourly' });
      expect(got.body.sm_policy.enabled).toBe(false);
      await client.sm.deletePolicy({ policy_name: 'hourly' });
      expect((await failure(client.sm.getPolicy({ policy_name: 'hourly' }))).status).toBe(404);
    });
  });
});

describe('local OpenSearch server: lifecycle state survives a restart', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sluice-os-lifecycle-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps policies, managed indices, repositories and snapshots', async () => {
    const first = await startOpenSearchServer({ port: 0, dataDir: dir, now: START });
    let client = new Client({ node: first.url });
    await client.ism.putPolicy({
      policy_id: 'keep',
      body: { policy: { default_state: 'a', states: [{ name: 'a' }] } } as never,
    });
    await client.indices.create({ index: 'kept' });
    await client.index({ index: 'kept', id: '1', body: { v: 1 }, refresh: true });
    await client.ism.addPolicy({ index: 'kept', body: { policy_id: 'keep' } });
    await client.snapshot.createRepository({
      repository: 'local',
      body: { type: 'fs', settings: { location: 'backups' } },
    });
    await client.snapshot.create({ repository: 'local', snapshot: 's1', wait_for_completion: true });
    await client.close();
    await first.close();

    const second = await startOpenSearchServer({ port: 0, dataDir: dir });
    client = new Client({ node: second.url });
    try {
      expect((await client.ism.getPolicy({ policy_id: 'keep' })).body._id).toBe('keep');
      expect((await client.ism.explainPolicy({ index: 'kept' })).body.total_managed_indices).toBe(1);
      const snaps = await client.snapshot.get({ repository: 'local', snapshot: '_all' });
      expect(snaps.body.snapshots.map((s) => [s.snapshot, s.state])).toEqual([['s1', 'SUCCESS']]);
      await client.indices.delete({ index: 'kept' });
      await client.snapshot.restore({ repository: 'local', snapshot: 's1', wait_for_completion: true });
      expect((await client.get({ index: 'kept', id: '1' })).body._source).toEqual({ v: 1 });
    } finally {
      await client.close();
      await second.close();
    }
  });
});
