// `_data_stream` APIs: create, get, delete, stats.
import { wildcardMatch } from '../index-name.ts';
import { json, type Router } from '../router.ts';
import type { DataStreamState } from '../state.ts';
import type { RouteContext } from './context.ts';

export function registerDataStreamRoutes(router: Router, ctx: RouteContext): void {
  const { node } = ctx;

  const describe = (stream: DataStreamState) => {
    const indices = stream.indices.flatMap((n) => {
      const i = node.state.indices.get(n);
      return i ? [i] : [];
    });
    const worst = indices
      .map((i) => node.indexHealth(i))
      .sort((a, b) => ['green', 'yellow', 'red'].indexOf(b) - ['green', 'yellow', 'red'].indexOf(a))[0];
    return {
      name: stream.name,
      timestamp_field: { name: stream.timestampField },
      indices: indices.map((i) => ({ index_name: i.name, index_uuid: i.uuid })),
      generation: stream.generation,
      status: (worst ?? 'green').toUpperCase(),
      template: stream.template,
    };
  };

  router.add('PUT', '/_data_stream/{name}', (req) => {
    node.createDataStream(req.params.name ?? '');
    return json(200, { acknowledged: true });
  });

  const get = (expr: string | undefined) => {
    const patterns = expr === undefined || expr === '_all' ? ['*'] : expr.split(',');
    const streams = [...node.state.dataStreams.values()].filter((s) =>
      patterns.some((p) => wildcardMatch(p, s.name)),
    );
    if (streams.length === 0 && patterns.some((p) => !p.includes('*'))) {
      return json(404, {
        error: {
          root_cause: [
            { type: 'resource_not_found_exception', reason: `data_stream matching [${expr}] not found` },
          ],
          type: 'resource_not_found_exception',
          reason: `data_stream matching [${expr}] not found`,
        },
        status: 404,
      });
    }
    return json(200, { data_streams: streams.map(describe) });
  };
  router.add('GET', '/_data_stream', () => get(undefined));
  router.add('GET', '/_data_stream/{name}', (req) => get(req.params.name));

  router.add('DELETE', '/_data_stream/{name}', (req) => {
    node.deleteDataStreams(req.params.name ?? '');
    return json(200, { acknowledged: true });
  });

  const stats = (expr: string | undefined) => {
    const patterns = expr === undefined ? ['*'] : expr.split(',');
    const streams = [...node.state.dataStreams.values()].filter((s) =>
      patterns.some((p) => wildcardMatch(p, s.name)),
    );
    let totalBytes = 0;
    const entries = streams.map((s) => {
      let bytes = 0;
      let maxTs = 0;
      for (const n of s.indices) {
        const index = node.state.indices.get(n);
        for (const d of index?.docs.values() ?? []) {
          bytes += Buffer.byteLength(JSON.stringify(d.source));
          const ts = Date.parse(String(d.source[s.timestampField] ?? ''));
          if (Number.isFinite(ts) && ts > maxTs) maxTs = ts;
        }
      }
      totalBytes += bytes;
      return {
        data_stream: s.name,
        backing_indices: s.indices.length,
        store_size_bytes: bytes,
        maximum_timestamp: maxTs,
      };
    });
    return json(200, {
      _shards: { total: entries.length, successful: entries.length, failed: 0 },
      data_stream_count: entries.length,
      backing_indices: entries.reduce((n, e) => n + e.backing_indices, 0),
      total_store_size_bytes: totalBytes,
      data_streams: entries,
    });
  };
  router.add('GET', '/_data_stream/_stats', () => stats(undefined));
  router.add('GET', '/_data_stream/{name}/_stats', (req) => stats(req.params.name));
}
