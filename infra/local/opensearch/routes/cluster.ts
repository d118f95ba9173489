// `/`, `_cluster/health`, `_cluster/settings`: the node reports itself as OpenSearch 2.19.0.
import { illegalArgument, OpenSearchError } from '../errors.ts';
import { NODE_ID, NODE_NAME } from '../node.ts';
import { boolParam, json, type Router } from '../router.ts';
import { nestSettings } from '../settings.ts';
import type { IndexState } from '../state.ts';
import { type RouteContext, resolveOptions } from './context.ts';

// The name the official OpenSearch Docker image reports.
export const CLUSTER_NAME = 'docker-cluster';

const STATUS_ORDER = { green: 0, yellow: 1, red: 2 } as const;
type Health = keyof typeof STATUS_ORDER;

export function clusterHealth(ctx: RouteContext, indices: IndexState[]) {
  let status: Health = 'green';
  let active = 0;
  let activePrimaries = 0;
  let unassigned = 0;
  for (const index of indices) {
    const health = ctx.node.indexHealth(index);
    const replicas = Number(index.settings['index.number_of_replicas'] ?? '0');
    if (health === 'red') unassigned += 1 + replicas;
    else {
      active++;
      activePrimaries++;
      unassigned += replicas;
    }
    if (STATUS_ORDER[health] > STATUS_ORDER[status]) status = health;
  }
  const total = active + unassigned;
  return {
    cluster_name: CLUSTER_NAME,
    status,
    timed_out: false,
    number_of_nodes: 1,
    number_of_data_nodes: 1,
    discovered_master: true,
    discovered_cluster_manager: true,
    active_primary_shards: activePrimaries,
    active_shards: active,
    relocating_shards: 0,
    initializing_shards: 0,
    unassigned_shards: unassigned,
    delayed_unassigned_shards: 0,
    number_of_pending_tasks: 0,
    number_of_in_flight_fetch: 0,
    task_max_waiting_in_queue_millis: 0,
    active_shards_percent_as_number: total === 0 ? 100 : (active / total) * 100,
  };
}

export function registerClusterRoutes(router: Router, ctx: RouteContext): void {
  const info = () => ({
    name: NODE_NAME,
    cluster_name: CLUSTER_NAME,
    cluster_uuid: ctx.node.state.clusterUuid,
    version: {
      distribution: 'opensearch',
      number: '2.19.0',
      build_type: 'tar',
      build_hash: 'fd9a9d90df25bea1af2c6a85039692e815b894f5',
      build_date: '2025-02-05T17:31:34.575855Z',
      build_snapshot: false,
      lucene_version: '9.12.1',
      minimum_wire_compatibility_version: '7.10.0',
      minimum_index_compatibility_version: '7.0.0',
    },
    tagline: 'The OpenSearch Project: https://opensearch.org/',
  });
  router.add('GET', '/', () => json(200, info()));

  const health = (indexExpr: string | undefined, query: Record<string, string>) => {
    const indices = ctx.node.resolve(
      indexExpr,
      resolveOptions(query, { hidden: true, allowNoIndices: true }),
    );
    const body = clusterHealth(ctx, indices);
    if (query.level === 'indices' || query.level === 'shards') {
      Object.assign(body, {
        indices: Object.fromEntries(
          indices.map((i) => [i.name, { status: ctx.node.indexHealth(i), number_of_shards: 1 }]),
        ),
      });
    }
    const wanted = query.wait_for_status as Health | undefined;
    if (wanted !== undefined && !(wanted in STATUS_ORDER)) {
      throw new OpenSearchError(
        400,
        'illegal_argument_exception',
        `unknown cluster health status [${wanted}]`,
      );
    }
    // A single node never changes on its own: an unmet wait is a timeout straight away.
    if (wanted !== undefined && STATUS_ORDER[body.status] > STATUS_ORDER[wanted]) {
      return json(408, { ...body, timed_out: true });
    }
    return json(200, body);
  };
  router.add('GET', '/_cluster/health', (req) => health(undefined, req.query));
  router.add('GET', '/_cluster/health/{index}', (req) => {
    if (!req.query.expand_wildcards && !req.params.index?.includes('*')) {
      ctx.node.resolve(req.params.index, { allowNoIndices: false });
    }
    return health(req.params.index, req.query);
  });

  const nodeInfo = () => ({
    name: NODE_NAME,
    transport_address: '127.0.0.1:9300',
    host: '127.0.0.1',
    ip: '127.0.0.1',
    version: '2.19.0',
    build_type: 'tar',
    build_hash: 'fd9a9d90df25bea1af2c6a85039692e815b894f5',
    roles: ['cluster_manager', 'data', 'ingest', 'remote_cluster_client'],
    attributes: { shard_indexing_pressure_enabled: 'true' },
  });
  const nodes = () =>
    json(200, {
      _nodes: { total: 1, successful: 1, failed: 0 },
      cluster_name: CLUSTER_NAME,
      nodes: { [NODE_ID]: nodeInfo() },
    });
  router.add('GET', ['/_nodes', '/_nodes/{node_id}', '/_nodes/{node_id}/{metric}'], nodes);

  const clusterState = () => {
    const indices: Record<string, unknown> = {};
    for (const i of ctx.node.state.indices.values()) {
      indices[i.name] = {
        state: i.closed ? 'close' : 'open',
        settings: {
          index: Object.fromEntries(
            Object.entries(i.settings).map(([k, v]) => [k.slice('index.'.length), v]),
          ),
        },
        mappings: { _doc: i.mappings },
        aliases: Object.keys(i.aliases),
      };
    }
    return json(200, {
      cluster_name: CLUSTER_NAME,
      cluster_uuid: ctx.node.state.clusterUuid,
      master_node: NODE_ID,
      cluster_manager_node: NODE_ID,
      nodes: {
        [NODE_ID]: {
          name: NODE_NAME,
          ephemeral_id: NODE_ID,
          transport_address: '127.0.0.1:9300',
          attributes: {},
        },
      },
      metadata: { cluster_uuid: ctx.node.state.clusterUuid, templates: {}, indices },
    });
  };
  router.add(
    'GET',
    ['/_cluster/state', '/_cluster/state/{metric}', '/_cluster/state/{metric}/{index}'],
    clusterState,
  );
  router.add('GET', '/_cluster/pending_tasks', () => json(200, { tasks: [] }));

  const flat = (input: unknown): Record<string, string | null> => {
    const out: Record<string, string | null> = {};
    const walk = (value: unknown, prefix: string) => {
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
      } else {
        out[prefix] = value === null ? null : Array.isArray(value) ? value.join(',') : String(value);
      }
    };
    walk(input ?? {}, '');
    return out;
  };
  const show = (settings: Record<string, string>, query: Record<string, string>) =>
    boolParam(query, 'flat_settings') ? settings : nestSettings(settings);
  router.add('GET', '/_cluster/settings', (req) => {
    const { persistent, transient } = ctx.node.state.clusterSettings;
    const body: Record<string, unknown> = {
      persistent: show(persistent, req.query),
      transient: show(transient, req.query),
    };
    if (boolParam(req.query, 'include_defaults')) {
      body.defaults = show(
        { 'cluster.max_shards_per_node': '1000', 'action.auto_create_index': 'true' },
        req.query,
      );
    }
    return json(200, body);
  });
  router.add('PUT', '/_cluster/settings', (req) => {
    const body = req.json();
    const request = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const persistent = flat(request.persistent);
    const transient = flat(request.transient);
    const limit = persistent['cluster.max_shards_per_node'] ?? transient['cluster.max_shards_per_node'];
    if (limit !== undefined && limit !== null && !(Number.isInteger(Number(limit)) && Number(limit) >= 1)) {
      throw illegalArgument(
        `Failed to parse value [${limit}] for setting [cluster.max_shards_per_node] must be >= 1`,
      );
    }
    const current = ctx.node.state.clusterSettings;
    const merge = (base: Record<string, string>, update: Record<string, string | null>) => {
      const out = { ...base };
      for (const [k, v] of Object.entries(update)) {
        if (v === null) delete out[k];
        else out[k] = v;
      }
      return out;
    };
    ctx.node.commit({
      t: 'cluster.settings',
      persistent: merge(current.persistent, persistent),
      transient: merge(current.transient, transient),
    });
    const accepted = (u: Record<string, string | null>) =>
      nestSettings(Object.fromEntries(Object.entries(u).filter((e): e is [string, string] => e[1] !== null)));
    return json(200, {
      acknowledged: true,
      persistent: accepted(persistent),
      transient: accepted(transient),
    });
  });
}
