// What the alert function needs from OpenSearch: searches, the health APIs, and the audit index.
// Raw transport requests keep this independent of client API typings. Absent APIs (404, or the
// 400 "no handler found" of a cluster without the plugin) give `undefined`, so checks tolerate them.
import type { Client } from '@opensearch-project/opensearch';
import { AdapterError } from './errors.ts';

export const ALERT_HISTORY_INDEX = 'sluice-alerts-history';

export interface AlertSearch {
  search(index: string, body: Record<string, unknown>): Promise<unknown>;
  clusterHealth(): Promise<unknown | undefined>;
  nodeStats(): Promise<unknown | undefined>;
  ismExplain(): Promise<unknown | undefined>;
  snapshots(repository: string): Promise<unknown | undefined>;
  writeHistory(documents: Record<string, unknown>[]): Promise<void>;
}

type Transport = Pick<Client, 'transport'>;

async function request(
  client: Transport,
  method: string,
  path: string,
  options: {
    body?: unknown;
    bulkBody?: unknown[];
    querystring?: Record<string, string>;
    tolerateAbsent?: boolean;
  } = {},
): Promise<unknown | undefined> {
  const params: Record<string, unknown> = { method, path };
  if (options.body !== undefined) params.body = options.body;
  if (options.bulkBody !== undefined) params.bulkBody = options.bulkBody;
  if (options.querystring !== undefined) params.querystring = options.querystring;
  const response = await client.transport.request(
    params as unknown as Parameters<Client['transport']['request']>[0],
    options.tolerateAbsent ? { ignore: [400, 404] } : {},
  );
  if (response.statusCode === 404) return undefined;
  if (response.statusCode === 400) {
    // A missing plugin answers 400 "no handler found for uri"; any other 400 is a real error.
    const error = (response.body as { error?: unknown } | undefined)?.error;
    if (typeof error === 'string' && error.startsWith('no handler found')) return undefined;
    throw new AdapterError(`${method} ${path}: HTTP 400 ${JSON.stringify(response.body).slice(0, 500)}`);
  }
  return response.body;
}

export function createAlertSearch(
  client: Transport,
  historyIndex: string = ALERT_HISTORY_INDEX,
): AlertSearch {
  return {
    search: (index, body) =>
      request(
        client,
        'POST',
        `/${encodeURIComponent(index).replaceAll('%2C', ',').replaceAll('%2A', '*')}/_search`,
        {
          body,
          querystring: { ignore_unavailable: 'true', allow_no_indices: 'true' },
        },
      ),
    clusterHealth: () => request(client, 'GET', '/_cluster/health', { tolerateAbsent: true }),
    nodeStats: () => request(client, 'GET', '/_nodes/stats/fs,jvm', { tolerateAbsent: true }),
    ismExplain: () => request(client, 'GET', '/_plugins/_ism/explain', { tolerateAbsent: true }),
    snapshots: (repository) =>
      request(client, 'GET', `/_snapshot/${encodeURIComponent(repository)}/_all`, { tolerateAbsent: true }),
    async writeHistory(documents) {
      if (documents.length === 0) return;
      const bulkBody = documents.flatMap((doc) => [{ index: { _index: historyIndex } }, doc]);
      const body = (await request(client, 'POST', '/_bulk', { bulkBody })) as {
        errors?: boolean;
        items?: unknown[];
      };
      if (body?.errors === true) {
        throw new AdapterError(`alert history: some of ${documents.length} documents were rejected`);
      }
    },
  };
}
