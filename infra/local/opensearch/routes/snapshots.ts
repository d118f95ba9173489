// `_snapshot` APIs (repositories, snapshots, status, restore, clone) and `_cat/repositories`,
// `_cat/snapshots`.
import { boolParam, json, type Router } from '../router.ts';
import { renderCat } from './cat.ts';
import type { RouteContext } from './context.ts';

type CatColumns = Parameters<typeof renderCat>[0];

const REPOSITORY_COLUMNS: CatColumns = [
  { name: 'id', aliases: ['id', 'repoId'], help: 'unique repository id' },
  { name: 'type', aliases: ['t', 'type'], help: 'repository type' },
];

const SNAPSHOT_COLUMNS: CatColumns = [
  { name: 'id', aliases: ['id', 'snapshot'], help: 'unique snapshot' },
  { name: 'status', aliases: ['s', 'status'], help: 'snapshot name' },
  {
    name: 'start_epoch',
    aliases: ['ste', 'startEpoch'],
    help: 'start time in seconds since 1970-01-01 00:00:00',
    numeric: true,
  },
  { name: 'start_time', aliases: ['sti', 'startTime'], help: 'start time in HH:MM:SS' },
  {
    name: 'end_epoch',
    aliases: ['ete', 'endEpoch'],
    help: 'end time in seconds since 1970-01-01 00:00:00',
    numeric: true,
  },
  { name: 'end_time', aliases: ['eti', 'endTime'], help: 'end time in HH:MM:SS' },
  { name: 'duration', aliases: ['dur', 'duration'], help: 'duration' },
  { name: 'indices', aliases: ['i', 'indices'], help: 'number of indices', numeric: true },
  {
    name: 'successful_shards',
    aliases: ['ss', 'successful_shards'],
    help: 'number of successful shards',
    numeric: true,
  },
  { name: 'failed_shards', aliases: ['fs', 'failed_shards'], help: 'number of failed shards', numeric: true },
  { name: 'total_shards', aliases: ['ts', 'total_shards'], help: 'number of total shards', numeric: true },
  { name: 'reason', aliases: ['r', 'reason'], help: 'reason for failures', default: false },
];

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  if (ms < 3_600_000) return `${Number((ms / 60_000).toFixed(1))}m`;
  return `${Number((ms / 3_600_000).toFixed(1))}h`;
}

export function registerSnapshotRoutes(router: Router, ctx: RouteContext): void {
  const snapshots = ctx.lifecycle.snapshots;

  // ---- repositories
  const getRepositories = (expression: string | undefined) => {
    const out: Record<string, unknown> = {};
    for (const repo of snapshots.getRepositories(expression))
      out[repo.name] = snapshots.describeRepository(repo);
    return json(200, out);
  };
  router.add('GET', '/_snapshot', () => getRepositories(undefined));
  router.add('GET', '/_snapshot/{repository}', (req) => getRepositories(req.params.repository));
  router.add(['PUT', 'POST'], '/_snapshot/{repository}', async (req) => {
    await snapshots.putRepository(
      req.params.repository ?? '',
      req.json(),
      boolParam(req.query, 'verify', true),
    );
    return json(200, { acknowledged: true });
  });
  router.add('DELETE', '/_snapshot/{repository}', (req) => {
    snapshots.deleteRepositories(req.params.repository ?? '');
    return json(200, { acknowledged: true });
  });
  router.add('POST', '/_snapshot/{repository}/_verify', async (req) =>
    json(200, await snapshots.verify(req.params.repository ?? '')),
  );
  router.add('POST', '/_snapshot/{repository}/_cleanup', async (req) =>
    json(200, await snapshots.cleanup(req.params.repository ?? '')),
  );

  // ---- snapshots
  router.add(['PUT', 'POST'], '/_snapshot/{repository}/{snapshot}', async (req) => {
    const { done } = snapshots.create(req.params.repository ?? '', req.params.snapshot ?? '', req.json());
    if (!boolParam(req.query, 'wait_for_completion')) {
      done.catch(() => {});
      return json(200, { accepted: true });
    }
    const finished = await done;
    return json(200, { snapshot: snapshots.describe(finished, boolParam(req.query, 'human')) });
  });
  router.add('GET', '/_snapshot/{repository}/{snapshot}', async (req) => {
    const repo = req.params.repository ?? '';
    snapshots.repository(repo);
    await snapshots.syncCatalog(repo);
    const found = snapshots.select(
      repo,
      req.params.snapshot ?? '',
      boolParam(req.query, 'ignore_unavailable'),
    );
    const human = boolParam(req.query, 'human');
    return json(200, { snapshots: found.map((s) => snapshots.describe(s, human)) });
  });
  router.add('DELETE', '/_snapshot/{repository}/{snapshot}', async (req) => {
    await snapshots.delete(req.params.repository ?? '', req.params.snapshot ?? '');
    return json(200, { acknowledged: true });
  });
  router.add('POST', '/_snapshot/{repository}/{snapshot}/_restore', async (req) => {
    const result = await snapshots.restoreInBackground(
      req.params.repository ?? '',
      req.params.snapshot ?? '',
      req.json(),
    );
    if (!boolParam(req.query, 'wait_for_completion')) return json(200, { accepted: true });
    return json(200, { snapshot: result });
  });
  router.add('PUT', '/_snapshot/{repository}/{snapshot}/_clone/{target_snapshot}', async (req) => {
    await snapshots.clone(
      req.params.repository ?? '',
      req.params.snapshot ?? '',
      req.params.target_snapshot ?? '',
      req.json(),
    );
    return json(200, { acknowledged: true });
  });

  // ---- status
  const running = (repo: string | undefined) =>
    [...ctx.node.state.repositories.keys()]
      .filter((r) => repo === undefined || r === repo)
      .flatMap((r) => snapshots.snapshots(r).filter((s) => s.state === 'IN_PROGRESS'));
  router.add('GET', '/_snapshot/_status', () =>
    json(200, { snapshots: running(undefined).map((s) => snapshots.status(s)) }),
  );
  router.add('GET', '/_snapshot/{repository}/_status', (req) => {
    const repo = req.params.repository ?? '';
    snapshots.repository(repo);
    return json(200, { snapshots: running(repo).map((s) => snapshots.status(s)) });
  });
  router.add('GET', '/_snapshot/{repository}/{snapshot}/_status', async (req) => {
    const repo = req.params.repository ?? '';
    snapshots.repository(repo);
    await snapshots.syncCatalog(repo);
    const found = snapshots.select(
      repo,
      req.params.snapshot ?? '',
      boolParam(req.query, 'ignore_unavailable'),
    );
    return json(200, { snapshots: found.map((s) => snapshots.status(s)) });
  });

  // ---- cat
  router.add('GET', '/_cat/repositories', (req) =>
    renderCat(
      REPOSITORY_COLUMNS,
      [...ctx.node.state.repositories.values()]
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map((r) => ({ id: r.name, type: r.type })),
      req.query,
    ),
  );
  const catSnapshots = async (repo: string | undefined, query: Record<string, string>) => {
    const all = repo === undefined || repo === '' || repo === '_all' || repo === '*';
    const names = all ? [...ctx.node.state.repositories.keys()].sort() : repo.split(',');
    const rows = [];
    for (const name of names) {
      snapshots.repository(name);
      await snapshots.syncCatalog(name);
      for (const s of snapshots.snapshots(name)) {
        const done = s.state !== 'IN_PROGRESS';
        const failed = s.failures.filter((f) => f.index !== '').length;
        const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);
        rows.push({
          id: s.name,
          status: s.state,
          start_epoch: Math.floor(s.startTime / 1000),
          start_time: clock(s.startTime),
          end_epoch: done ? Math.floor(s.endTime / 1000) : 0,
          end_time: done ? clock(s.endTime) : '00:00:00',
          duration: formatDuration(done ? s.endTime - s.startTime : ctx.node.now() - s.startTime),
          indices: s.indices.length,
          successful_shards: done ? s.indices.length : 0,
          failed_shards: failed,
          total_shards: s.indices.length + failed,
          reason: s.failures[0]?.reason ?? '',
        });
      }
    }
    return renderCat(SNAPSHOT_COLUMNS, rows, query);
  };
  router.add('GET', '/_cat/snapshots', (req) => catSnapshots(req.query.repository, req.query));
  router.add('GET', '/_cat/snapshots/{repository}', (req) => catSnapshots(req.params.repository, req.query));
}
