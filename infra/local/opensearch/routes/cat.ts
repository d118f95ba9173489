// `_cat` APIs: aligned text tables (`v` headers, `h` columns, `s` sort, `help`) or `format=json`.
import { illegalArgument } from '../errors.ts';
import { isFormat } from '../formats.ts';
import { NODE_ID, NODE_NAME } from '../node.ts';
import { boolParam, type RestResponse, type Router } from '../router.ts';
import { settingString } from '../settings.ts';
import type { IndexState } from '../state.ts';
import { formatBytes } from '../units.ts';
import { CLUSTER_NAME, clusterHealth } from './cluster.ts';
import { type RouteContext, resolveOptions } from './context.ts';

interface Column {
  name: string;
  aliases: string[];
  help: string;
  numeric?: boolean;
  default?: boolean;
}

type Row = Record<string, string | number>;

/** Renders a cat table as OpenSearch does; exported for tests. */
export function renderCat(columns: Column[], rows: Row[], query: Record<string, string>): RestResponse {
  if (boolParam(query, 'help')) {
    const width = Math.max(...columns.map((c) => c.name.length));
    const aliasWidth = Math.max(...columns.map((c) => c.aliases.join(',').length));
    const text = columns
      .map((c) => `${c.name.padEnd(width)} | ${c.aliases.join(',').padEnd(aliasWidth)} | ${c.help}`)
      .join('\n');
    return { status: 200, text: `${text}\n`, contentType: 'text/plain; charset=UTF-8' };
  }
  const byName = (name: string) => columns.find((c) => c.name === name || c.aliases.includes(name));
  let selected: Column[];
  if (query.h) {
    selected = query.h.split(',').flatMap((h) => {
      const name = h.trim();
      if (name.includes('*')) {
        const re = new RegExp(`^${name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
        return columns.filter((c) => re.test(c.name));
      }
      const col = byName(name);
      return col ? [col] : [];
    });
  } else {
    selected = columns.filter((c) => c.default !== false);
  }
  const sorted = [...rows];
  if (query.s) {
    const keys = query.s.split(',').map((k) => {
      const [name = '', dir] = k.split(':');
      const col = byName(name);
      if (!col) throw illegalArgument(`Unable to sort by unknown sort key \`${name}\``);
      return { col, desc: dir === 'desc' };
    });
    sorted.sort((a, b) => {
      for (const { col, desc } of keys) {
        const x = a[col.name] ?? '';
        const y = b[col.name] ?? '';
        const cmp = col.numeric
          ? Number(x) - Number(y)
          : String(x) < String(y)
            ? -1
            : String(x) > String(y)
              ? 1
              : 0;
        if (cmp !== 0) return desc ? -cmp : cmp;
      }
      return 0;
    });
  }
  if (query.format !== undefined && query.format !== 'text' && query.format !== 'txt') {
    if (!isFormat(query.format)) throw illegalArgument(`Unsupported format [${query.format}]`);
    const body = sorted.map((r) =>
      Object.fromEntries(selected.map((c) => [c.name, r[c.name] === undefined ? null : String(r[c.name])])),
    );
    return { status: 200, body, format: query.format };
  }
  const header = boolParam(query, 'v');
  const table: string[][] = [];
  if (header) table.push(selected.map((c) => c.name));
  for (const r of sorted) table.push(selected.map((c) => (r[c.name] === undefined ? '' : String(r[c.name]))));
  const widths = selected.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
  const text = table
    .map((row) =>
      row
        .map((cell, i) =>
          selected[i]?.numeric && !(header && row === table[0])
            ? cell.padStart(widths[i] ?? 0)
            : cell.padEnd(widths[i] ?? 0),
        )
        .join(' ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
  return { status: 200, text, contentType: 'text/plain; charset=UTF-8' };
}

const INDEX_COLUMNS: Column[] = [
  { name: 'health', aliases: ['h'], help: 'current health status' },
  { name: 'status', aliases: ['s'], help: 'open/close status' },
  { name: 'index', aliases: ['i', 'idx'], help: 'index name' },
  { name: 'uuid', aliases: ['id'], help: 'index uuid' },
  {
    name: 'pri',
    aliases: ['p', 'shards.primary', 'shardsPrimary'],
    help: 'number of primary shards',
    numeric: true,
  },
  {
    name: 'rep',
    aliases: ['r', 'shards.replica', 'shardsReplica'],
    help: 'number of replica shards',
    numeric: true,
  },
  { name: 'docs.count', aliases: ['dc', 'docsCount'], help: 'available docs', numeric: true },
  { name: 'docs.deleted', aliases: ['dd', 'docsDeleted'], help: 'deleted docs', numeric: true },
  {
    name: 'creation.date',
    aliases: ['cd'],
    help: 'index creation date (millisecond value)',
    numeric: true,
    default: false,
  },
  { name: 'creation.date.string', aliases: ['cds'], help: 'index creation date (as string)', default: false },
  {
    name: 'store.size',
    aliases: ['ss', 'storeSize'],
    help: 'store size of primaries & replicas',
    numeric: true,
  },
  { name: 'pri.store.size', aliases: [], help: 'store size of primaries', numeric: true },
];

const HEALTH_COLUMNS: Column[] = [
  { name: 'epoch', aliases: ['t', 'time'], help: 'seconds since 1970-01-01 00:00:00', numeric: true },
  { name: 'timestamp', aliases: ['ts', 'hms', 'hhmmss'], help: 'time in HH:MM:SS' },
  { name: 'cluster', aliases: ['cl'], help: 'cluster name' },
  { name: 'status', aliases: ['st'], help: 'health status' },
  { name: 'node.total', aliases: ['nt', 'nodeTotal'], help: 'total number of nodes', numeric: true },
  {
    name: 'node.data',
    aliases: ['nd', 'nodeData'],
    help: 'number of nodes that can store data',
    numeric: true,
  },
  { name: 'discovered_cluster_manager', aliases: ['dcm'], help: 'cluster manager is discovered or not' },
  {
    name: 'shards',
    aliases: ['t', 'sh', 'shards.total', 'shardsTotal'],
    help: 'total number of shards',
    numeric: true,
  },
  {
    name: 'pri',
    aliases: ['p', 'shards.primary', 'shardsPrimary'],
    help: 'number of primary shards',
    numeric: true,
  },
  {
    name: 'relo',
    aliases: ['r', 'shards.relocating', 'shardsRelocating'],
    help: 'number of relocating nodes',
    numeric: true,
  },
  {
    name: 'init',
    aliases: ['i', 'shards.initializing', 'shardsInitializing'],
    help: 'number of initializing nodes',
    numeric: true,
  },
  {
    name: 'unassign',
    aliases: ['u', 'shards.unassigned', 'shardsUnassigned'],
    help: 'number of unassigned shards',
    numeric: true,
  },
  { name: 'pending_tasks', aliases: ['pt', 'pendingTasks'], help: 'number of pending tasks', numeric: true },
  {
    name: 'max_task_wait_time',
    aliases: ['mtwt', 'maxTaskWaitTime'],
    help: 'wait time of longest task pending',
  },
  {
    name: 'active_shards_percent',
    aliases: ['asp', 'activeShardsPercent'],
    help: 'active number of shards in percent',
  },
];

const ALIAS_COLUMNS: Column[] = [
  { name: 'alias', aliases: ['a'], help: 'alias name' },
  { name: 'index', aliases: ['i', 'idx'], help: 'index alias points to' },
  { name: 'filter', aliases: ['f', 'fi'], help: 'filter' },
  { name: 'routing.index', aliases: ['ri', 'routingIndex'], help: 'index routing' },
  { name: 'routing.search', aliases: ['rs', 'routingSearch'], help: 'search routing' },
  { name: 'is_write_index', aliases: ['w', 'isWriteIndex'], help: 'write index' },
];

const NODE_COLUMNS: Column[] = [
  { name: 'ip', aliases: ['i'], help: 'ip address' },
  { name: 'heap.percent', aliases: ['hp', 'heapPercent'], help: 'used heap ratio', numeric: true },
  { name: 'ram.percent', aliases: ['rp', 'ramPercent'], help: 'used machine memory ratio', numeric: true },
  { name: 'cpu', aliases: [], help: 'recent cpu usage', numeric: true },
  { name: 'load_1m', aliases: ['l'], help: '1m load avg' },
  { name: 'load_5m', aliases: ['l'], help: '5m load avg' },
  { name: 'load_15m', aliases: ['l'], help: '15m load avg' },
  { name: 'node.role', aliases: ['r', 'role', 'nodeRole'], help: 'node roles' },
  { name: 'node.roles', aliases: ['rs', 'all roles'], help: 'node roles', default: false },
  { name: 'cluster_manager', aliases: ['cm', 'm'], help: '*:current cluster manager' },
  { name: 'name', aliases: ['n'], help: 'node name' },
  { name: 'id', aliases: ['nodeId'], help: 'unique node id', default: false },
];

const SHARD_COLUMNS: Column[] = [
  { name: 'index', aliases: ['i', 'idx'], help: 'index name' },
  { name: 'shard', aliases: ['s', 'sh'], help: 'shard name', numeric: true },
  { name: 'prirep', aliases: ['p', 'pr', 'primaryOrReplica'], help: 'primary or replica' },
  { name: 'state', aliases: ['st'], help: 'shard state' },
  { name: 'docs', aliases: ['d', 'dc'], help: 'number of docs in shard', numeric: true },
  { name: 'store', aliases: ['sto'], help: 'store size of shard (how much disk it uses)', numeric: true },
  { name: 'ip', aliases: [], help: 'ip of node where it lives' },
  { name: 'node', aliases: ['n'], help: 'name of node where it lives' },
];

const COUNT_COLUMNS: Column[] = [
  { name: 'epoch', aliases: ['t', 'time'], help: 'seconds since 1970-01-01 00:00:00', numeric: true },
  { name: 'timestamp', aliases: ['ts', 'hms', 'hhmmss'], help: 'time in HH:MM:SS' },
  { name: 'count', aliases: ['dc', 'docs.count', 'docsCount'], help: 'the document count', numeric: true },
];

function storeBytes(index: IndexState): number {
  let bytes = 0;
  for (const d of index.docs.values()) bytes += Buffer.byteLength(JSON.stringify(d.source));
  return bytes + 208; // an empty shard is not zero bytes on disk
}

function sizeCell(bytes: number, query: Record<string, string>): string | number {
  const unit = query.bytes;
  if (!unit) return formatBytes(bytes);
  const div: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };
  return Math.floor(bytes / (div[unit] ?? 1));
}

export function registerCatRoutes(router: Router, ctx: RouteContext): void {
  const indices = (expr: string | undefined, query: Record<string, string>) => {
    // `_cat/indices` expands wildcards to all indices, hidden and closed ones included.
    const list = ctx.node.resolve(
      expr,
      resolveOptions(query, {
        hidden:
          query.expand_wildcards === undefined ||
          query.expand_wildcards.includes('all') ||
          query.expand_wildcards.includes('hidden'),
        closed: true,
      }),
    );
    const rows = list
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((i) => {
        const replicas = Number(settingString(i.settings, 'index.number_of_replicas') ?? '0');
        const bytes = storeBytes(i);
        return {
          health: ctx.node.indexHealth(i),
          status: i.closed ? 'close' : 'open',
          index: i.name,
          uuid: i.uuid,
          pri: 1,
          rep: replicas,
          'docs.count': i.docs.size,
          'docs.deleted': i.deletedDocs,
          'creation.date': i.creationDate,
          'creation.date.string': new Date(i.creationDate).toISOString(),
          'store.size': sizeCell(bytes, query),
          'pri.store.size': sizeCell(bytes, query),
        };
      });
    return renderCat(INDEX_COLUMNS, rows, query);
  };
  router.add('GET', '/_cat/indices', (req) => indices(undefined, req.query));
  router.add('GET', '/_cat/indices/{index}', (req) => indices(req.params.index, req.query));

  const timeCells = () => {
    const now = ctx.clock.now();
    return { epoch: Math.floor(now / 1000), timestamp: new Date(now).toISOString().slice(11, 19) };
  };
  router.add('GET', '/_cat/health', (req) => {
    const h = clusterHealth(ctx, [...ctx.node.state.indices.values()]);
    const row = {
      ...timeCells(),
      cluster: CLUSTER_NAME,
      status: h.status,
      'node.total': 1,
      'node.data': 1,
      discovered_cluster_manager: 'true',
      shards: h.active_shards,
      pri: h.active_primary_shards,
      relo: 0,
      init: 0,
      unassign: h.unassigned_shards,
      pending_tasks: 0,
      max_task_wait_time: '-',
      active_shards_percent: `${h.active_shards_percent_as_number.toFixed(1)}%`,
    };
    if (boolParam(req.query, 'ts', true) === false) {
      return renderCat(
        HEALTH_COLUMNS.filter((c) => c.name !== 'epoch' && c.name !== 'timestamp'),
        [row],
        req.query,
      );
    }
    return renderCat(HEALTH_COLUMNS, [row], req.query);
  });

  const aliases = (names: string | undefined, query: Record<string, string>) => {
    const rows: Row[] = [];
    for (const index of ctx.node.state.indices.values()) {
      for (const [alias, meta] of Object.entries(index.aliases)) {
        if (
          names &&
          !names
            .split(',')
            .some(
              (n) =>
                n === alias || (n.includes('*') && new RegExp(`^${n.replace(/\*/g, '.*')}$`).test(alias)),
            )
        )
          continue;
        rows.push({
          alias,
          index: index.name,
          filter: meta.filter ? '*' : '-',
          'routing.index': meta.index_routing ?? meta.routing ?? '-',
          'routing.search': meta.search_routing ?? meta.routing ?? '-',
          is_write_index: meta.is_write_index === undefined ? '-' : String(meta.is_write_index),
        });
      }
    }
    return renderCat(ALIAS_COLUMNS, rows, query);
  };
  router.add('GET', '/_cat/aliases', (req) => aliases(undefined, req.query));
  router.add('GET', '/_cat/aliases/{name}', (req) => aliases(req.params.name, req.query));

  router.add('GET', '/_cat/nodes', (req) => {
    const row = {
      ip: '127.0.0.1',
      'heap.percent': 30,
      'ram.percent': 50,
      cpu: 1,
      load_1m: '0.10',
      load_5m: '0.10',
      load_15m: '0.10',
      'node.role': 'dimr',
      'node.roles': 'cluster_manager,data,ingest,remote_cluster_client',
      cluster_manager: '*',
      name: NODE_NAME,
      id: NODE_ID.slice(0, 4),
    };
    return renderCat(NODE_COLUMNS, [row], req.query);
  });

  const shards = (expr: string | undefined, query: Record<string, string>) => {
    const list = ctx.node.resolve(expr, resolveOptions(query, { hidden: expr !== undefined }));
    const rows: Row[] = [];
    for (const i of list.sort((a, b) => a.name.localeCompare(b.name))) {
      const health = ctx.node.indexHealth(i);
      const bytes = storeBytes(i);
      rows.push({
        index: i.name,
        shard: 0,
        prirep: 'p',
        state: health === 'red' ? 'UNASSIGNED' : 'STARTED',
        docs: i.docs.size,
        store: sizeCell(bytes, query),
        ip: health === 'red' ? '' : '127.0.0.1',
        node: health === 'red' ? '' : NODE_NAME,
      });
      const replicas = Number(settingString(i.settings, 'index.number_of_replicas') ?? '0');
      for (let r = 0; r < replicas; r++) {
        rows.push({
          index: i.name,
          shard: 0,
          prirep: 'r',
          state: 'UNASSIGNED',
          docs: '',
          store: '',
          ip: '',
          node: '',
        });
      }
    }
    return renderCat(SHARD_COLUMNS, rows, query);
  };
  router.add('GET', '/_cat/shards', (req) => shards(undefined, req.query));
  router.add('GET', '/_cat/shards/{index}', (req) => shards(req.params.index, req.query));

  const count = (expr: string | undefined, query: Record<string, string>) => {
    const list = ctx.node.resolve(expr, resolveOptions(query));
    const total = list.reduce((n, i) => n + ctx.node.searchable(i).length, 0);
    return renderCat(COUNT_COLUMNS, [{ ...timeCells(), count: total }], query);
  };
  router.add('GET', '/_cat/count', (req) => count(undefined, req.query));
  router.add('GET', '/_cat/count/{index}', (req) => count(req.params.index, req.query));
}
