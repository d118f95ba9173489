// Index APIs: create, delete, get, exists, _settings, _mapping, _refresh, _forcemerge, _rollover.
import { setOwn } from '../../../../functions/core/pipeline/fields.ts';
import { illegalArgument } from '../errors.ts';
import { wildcardMatch } from '../index-name.ts';
import { boolParam, json, type Router } from '../router.ts';
import { DEFAULT_SETTINGS, type FlatSettings, nestSettings } from '../settings.ts';
import type { IndexState } from '../state.ts';
import { type RouteContext, resolveOptions } from './context.ts';

function settingsOut(settings: FlatSettings, query: Record<string, string>): Record<string, unknown> {
  return boolParam(query, 'flat_settings') ? { ...settings } : nestSettings(settings);
}

function filterSettings(settings: FlatSettings, names: string | undefined): FlatSettings {
  if (!names || names === '_all') return settings;
  const patterns = names.split(',');
  return Object.fromEntries(
    Object.entries(settings).filter(([k]) =>
      patterns.some((p) => wildcardMatch(p, k) || wildcardMatch(`index.${p}`, k)),
    ),
  );
}

function shardsHeader(count: number) {
  return { total: count * 2, successful: count, failed: 0 };
}

export function registerIndexRoutes(router: Router, ctx: RouteContext): void {
  const { node } = ctx;

  router.add('PUT', '/{index}', (req) => {
    const created = node.createIndex(req.params.index ?? '', req.json());
    return json(200, { acknowledged: true, shards_acknowledged: true, index: created.name });
  });

  router.add('DELETE', '/{index}', (req) => {
    node.deleteIndices(req.params.index ?? '', resolveOptions(req.query, { allowNoIndices: true }));
    return json(200, { acknowledged: true });
  });

  router.add('HEAD', '/{index}', (req) => {
    try {
      const found = node.resolve(req.params.index, resolveOptions(req.query, { allowNoIndices: false }));
      return { status: found.length > 0 ? 200 : 404 };
    } catch {
      return { status: 404 };
    }
  });

  const describe = (index: IndexState, query: Record<string, string>) => {
    const out: Record<string, unknown> = {
      aliases: index.aliases,
      mappings: index.mappings,
      settings: settingsOut(index.settings, query),
    };
    if (index.dataStream) out.data_stream = index.dataStream;
    if (boolParam(query, 'include_defaults')) out.defaults = settingsOut(DEFAULT_SETTINGS, query);
    return out;
  };

  router.add('GET', '/{index}', (req) => {
    const indices = node.resolve(req.params.index, resolveOptions(req.query, { allowNoIndices: true }));
    const body: Record<string, unknown> = {};
    for (const index of indices) setOwn(body, index.name, describe(index, req.query));
    return json(200, body);
  });

  // ------------------------------------------------------------ settings
  const getSettings = (
    expr: string | undefined,
    names: string | undefined,
    query: Record<string, string>,
  ) => {
    const indices = node.resolve(expr, resolveOptions(query));
    const body: Record<string, unknown> = {};
    for (const index of indices) {
      const entry: Record<string, unknown> = {
        settings: settingsOut(filterSettings(index.settings, names), query),
      };
      if (boolParam(query, 'include_defaults')) {
        const defaults = Object.fromEntries(
          Object.entries(DEFAULT_SETTINGS).filter(([k]) => index.settings[k] === undefined),
        );
        entry.defaults = settingsOut(filterSettings(defaults, names), query);
      }
      setOwn(body, index.name, entry);
    }
    return json(200, body);
  };
  router.add('GET', '/_settings', (req) => getSettings(undefined, undefined, req.query));
  router.add('GET', '/_settings/{name}', (req) => getSettings(undefined, req.params.name, req.query));
  router.add('GET', '/{index}/_settings', (req) => getSettings(req.params.index, undefined, req.query));
  router.add('GET', '/{index}/_settings/{name}', (req) =>
    getSettings(req.params.index, req.params.name, req.query),
  );

  const putSettings = (expr: string | undefined, body: unknown, query: Record<string, string>) => {
    const indices = node.resolve(expr, resolveOptions(query, { allowNoIndices: false }));
    node.updateSettings(indices, body, boolParam(query, 'preserve_existing'));
    return json(200, { acknowledged: true });
  };
  router.add('PUT', '/_settings', (req) => putSettings(undefined, req.json(), req.query));
  router.add('PUT', '/{index}/_settings', (req) => putSettings(req.params.index, req.json(), req.query));

  // ------------------------------------------------------------ mappings
  const getMapping = (expr: string | undefined, query: Record<string, string>) => {
    const indices = node.resolve(expr, resolveOptions(query));
    const body: Record<string, unknown> = {};
    for (const index of indices) setOwn(body, index.name, { mappings: index.mappings });
    return json(200, body);
  };
  router.add('GET', '/_mapping', (req) => getMapping(undefined, req.query));
  router.add('GET', '/{index}/_mapping', (req) => getMapping(req.params.index, req.query));
  const putMapping = (expr: string | undefined, body: unknown, query: Record<string, string>) => {
    const indices = node.resolve(expr, resolveOptions(query, { allowNoIndices: false }));
    node.putMapping(indices, body);
    return json(200, { acknowledged: true });
  };
  router.add(['PUT', 'POST'], '/{index}/_mapping', (req) =>
    putMapping(req.params.index, req.json(), req.query),
  );
  router.add(['PUT', 'POST'], '/_mapping', (req) => putMapping(undefined, req.json(), req.query));

  const fieldMapping = (expr: string | undefined, fields: string, query: Record<string, string>) => {
    const indices = node.resolve(expr, resolveOptions(query));
    const body: Record<string, unknown> = {};
    for (const index of indices) {
      const out: Record<string, unknown> = {};
      const walk = (props: Record<string, unknown> | undefined, prefix: string) => {
        for (const [name, def] of Object.entries(props ?? {})) {
          const path = prefix ? `${prefix}.${name}` : name;
          const d = def as { properties?: Record<string, unknown>; fields?: Record<string, unknown> };
          if (fields.split(',').some((f) => wildcardMatch(f, path)))
            setOwn(out, path, { full_name: path, mapping: { [name]: def } });
          walk(d.properties, path);
          walk(d.fields, path);
        }
      };
      walk(index.mappings.properties, '');
      setOwn(body, index.name, { mappings: out });
    }
    return json(200, body);
  };
  router.add('GET', '/_mapping/field/{fields}', (req) =>
    fieldMapping(undefined, req.params.fields ?? '', req.query),
  );
  router.add('GET', '/{index}/_mapping/field/{fields}', (req) =>
    fieldMapping(req.params.index, req.params.fields ?? '', req.query),
  );

  // ------------------------------------------------------------ refresh, flush, forcemerge
  const refresh = (expr: string | undefined, query: Record<string, string>) => {
    const indices = node.resolve(expr, resolveOptions(query));
    node.refresh(indices);
    return json(200, { _shards: shardsHeader(indices.length) });
  };
  router.add(['POST', 'GET'], '/_refresh', (req) => refresh(undefined, req.query));
  router.add(['POST', 'GET'], '/{index}/_refresh', (req) => refresh(req.params.index, req.query));
  const noop = (expr: string | undefined, query: Record<string, string>) => {
    const indices = node.resolve(expr, resolveOptions(query));
    return json(200, { _shards: shardsHeader(indices.length) });
  };
  router.add(['POST', 'GET'], '/_flush', (req) => noop(undefined, req.query));
  router.add(['POST', 'GET'], '/{index}/_flush', (req) => noop(req.params.index, req.query));
  router.add('POST', '/_forcemerge', (req) => noop(undefined, req.query));
  router.add('POST', '/{index}/_forcemerge', (req) => noop(req.params.index, req.query));

  // ------------------------------------------------------------ open, close, blocks
  router.add('POST', '/{index}/_close', (req) => {
    const indices = node.resolve(
      req.params.index,
      resolveOptions(req.query, { allowNoIndices: false, closed: true }),
    );
    node.setClosed(indices, true);
    return json(200, {
      acknowledged: true,
      shards_acknowledged: true,
      indices: Object.fromEntries(indices.map((i) => [i.name, { closed: true }])),
    });
  });
  router.add('POST', '/{index}/_open', (req) => {
    const indices = node.resolve(
      req.params.index,
      resolveOptions(req.query, { allowNoIndices: false, closed: true }),
    );
    node.setClosed(indices, false);
    return json(200, { acknowledged: true, shards_acknowledged: true });
  });
  const BLOCKS = ['metadata', 'read', 'read_only', 'write'];
  router.add('PUT', '/{index}/_block/{block}', (req) => {
    const block = req.params.block ?? '';
    if (!BLOCKS.includes(block)) throw illegalArgument(`No block for [${block}]`);
    const indices = node.resolve(req.params.index, resolveOptions(req.query, { allowNoIndices: false }));
    node.updateSettings(indices, { [`index.blocks.${block}`]: 'true' });
    return json(200, {
      acknowledged: true,
      shards_acknowledged: true,
      indices: indices.map((i) => ({ name: i.name, blocked: true })),
    });
  });

  // ------------------------------------------------------------ stats
  const stats = (expr: string | undefined, query: Record<string, string>) => {
    const indices = node.resolve(expr, resolveOptions(query));
    const one = (list: IndexState[]) => {
      let count = 0;
      let deleted = 0;
      let bytes = 0;
      let indexed = 0;
      for (const i of list) {
        count += i.docs.size;
        deleted += i.deletedDocs;
        indexed += i.maxSeqNo + 1;
        for (const d of i.docs.values()) bytes += Buffer.byteLength(JSON.stringify(d.source));
      }
      return {
        docs: { count, deleted },
        store: { size_in_bytes: bytes, reserved_in_bytes: 0 },
        indexing: {
          index_total: indexed,
          index_time_in_millis: 0,
          index_current: 0,
          index_failed: 0,
          delete_total: 0,
          delete_time_in_millis: 0,
          delete_current: 0,
          noop_update_total: 0,
          is_throttled: false,
          throttle_time_in_millis: 0,
        },
      };
    };
    const perIndex: Record<string, unknown> = {};
    for (const i of indices) {
      setOwn(perIndex, i.name, {
        uuid: i.uuid,
        health: node.indexHealth(i),
        status: i.closed ? 'close' : 'open',
        primaries: one([i]),
        total: one([i]),
      });
    }
    return json(200, {
      _shards: { total: indices.length * 2, successful: indices.length, failed: 0 },
      _all: { primaries: one(indices), total: one(indices) },
      indices: perIndex,
    });
  };
  router.add('GET', '/_stats', (req) => stats(undefined, req.query));
  router.add('GET', '/_stats/{metric}', (req) => stats(undefined, req.query));
  router.add('GET', '/{index}/_stats', (req) => stats(req.params.index, req.query));
  router.add('GET', '/{index}/_stats/{metric}', (req) => stats(req.params.index, req.query));

  // ------------------------------------------------------------ rollover
  const rollover = (
    target: string,
    newIndex: string | undefined,
    body: unknown,
    query: Record<string, string>,
  ) => json(200, node.rollover(target, newIndex, body, boolParam(query, 'dry_run')));
  router.add('POST', '/{alias}/_rollover', (req) =>
    rollover(req.params.alias ?? '', undefined, req.json(), req.query),
  );
  router.add('POST', '/{alias}/_rollover/{new_index}', (req) =>
    rollover(req.params.alias ?? '', req.params.new_index, req.json(), req.query),
  );
}
