import type { IncomingMessage } from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';
import { Client, errors } from '@opensearch-project/opensearch';
import type { BulkTransport } from '../core/bulk/index-batch.ts';
import { AdapterError } from './errors.ts';

export const OpenSearchAuthModes = { none: 'none', sigv4: 'sigv4', basic: 'basic' } as const;
export type OpenSearchAuthMode = (typeof OpenSearchAuthModes)[keyof typeof OpenSearchAuthModes];

export interface OpenSearchConfig {
  endpoint: string;
  auth: OpenSearchAuthMode;
  /** `es` for Amazon OpenSearch Service domains, `aoss` for Serverless collections. */
  service: 'es' | 'aoss';
  region: string;
  /** Secrets Manager secret holding `{"username", "password"}`, for `basic`. */
  secretArn?: string;
  /** Verify the server certificate (keep true outside local tests). */
  tlsVerify: boolean;
  requestTimeoutMs: number;
}

interface BasicCredentials {
  username: string;
  password: string;
}

// The Secrets Manager client and the credential chain are loaded only by the auth mode that
// uses them: each adds to every cold start of a bundle that loads it eagerly.
async function readBasicCredentials(secretArn: string, region: string): Promise<BasicCredentials> {
  const { GetSecretValueCommand, SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const sm = new SecretsManagerClient({ region });
  try {
    const out = await sm.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const parsed = JSON.parse(out.SecretString ?? '{}') as Partial<BasicCredentials>;
    if (typeof parsed.username !== 'string' || typeof parsed.password !== 'string') {
      throw new AdapterError(`secret ${secretArn} must be JSON with string "username" and "password"`);
    }
    return { username: parsed.username, password: parsed.password };
  } finally {
    sm.destroy();
  }
}

/**
 * The official client with keep-alive connections and no client-side retries: retry decisions
 * belong to the bulk service, which knows the time budget and retries only failed items.
 * Called once per container; basic credentials are fetched once and cached with it.
 */
export async function createOpenSearchClient(config: OpenSearchConfig): Promise<Client> {
  const common = {
    node: config.endpoint,
    maxRetries: 0,
    requestTimeout: config.requestTimeoutMs,
    ssl: { rejectUnauthorized: config.tlsVerify },
  };
  switch (config.auth) {
    case 'none':
      return new Client(common);
    case 'basic': {
      if (!config.secretArn)
        throw new AdapterError('basic auth needs the secret ARN (OPENSEARCH_SECRET_ARN)');
      const auth = await readBasicCredentials(config.secretArn, config.region);
      return new Client({ ...common, auth });
    }
    case 'sigv4': {
      const [{ defaultProvider }, { AwsSigv4Signer }] = await Promise.all([
        import('@aws-sdk/credential-provider-node'),
        import('@opensearch-project/opensearch/aws-v3'),
      ]);
      const credentials = defaultProvider();
      return new Client({
        ...common,
        ...AwsSigv4Signer({
          region: config.region,
          service: config.service,
          getCredentials: () => credentials(),
        }),
      });
    }
  }
}

/**
 * Only what the classifier reads: a bulk answer shrinks from ~190 to ~26 bytes per item, which
 * the cluster does not have to write and we do not have to parse. No `_id`: the bulk API answers
 * items in the order sent, and count, action and status are checked item by item; asking for the
 * ids too doubled the answer (and its check) to confirm that order (measured: 4–5% of the
 * handler's time a small JSON record). Ids are still compared when an answer carries them.
 */
export const BULK_FILTER_PATH = 'errors,items.*.status,items.*.error';

/**
 * `_bulk` through the client's transport with a pre-encoded NDJSON body: no re-serialisation, and
 * every HTTP status comes back as data for the classifier instead of as an exception.
 */
export function createBulkTransport(client: Client, options: { gzip: boolean }): BulkTransport {
  return {
    async send(body, { timeoutMs }) {
      const started = Date.now();
      try {
        // As a stream: the client would otherwise run every answer through secure-json-parse,
        // a second pass over the text; the classifier parses the bytes once with JSON.parse.
        const res = await client.transport.request(
          { method: 'POST', path: '/_bulk', bulkBody: body, querystring: { filter_path: BULK_FILTER_PATH } },
          {
            asStream: true,
            maxRetries: 0,
            requestTimeout: timeoutMs,
            ...(options.gzip ? { compression: 'gzip' as const } : {}),
          },
        );
        const stream = res.body as unknown as IncomingMessage;
        const bytes = await readAll(stream, Math.max(1, timeoutMs - (Date.now() - started)));
        return {
          statusCode: res.statusCode ?? 200,
          body: decompress(bytes, stream.headers['content-encoding']),
        };
      } catch (error) {
        if (error instanceof errors.ResponseError) {
          return { statusCode: error.meta.statusCode ?? 500, body: error.meta.body };
        }
        throw error;
      }
    },
  };
}

/** The whole body of an answer, or a rejection when it does not arrive within `timeoutMs`. */
function readAll(stream: IncomingMessage, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new errors.TimeoutError('Request timed out while reading the response', {} as never));
    }, timeoutMs);
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => {
      clearTimeout(timer);
      // Copied even when it came in one read: a buffer node makes from a socket read has a map of
      // its own that dies with it, and code optimized for it is thrown away after each GC.
      resolve(Buffer.concat(chunks));
    });
    stream.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

function decompress(bytes: Buffer, encoding: string | undefined): Buffer {
  const value = (encoding ?? '').toLowerCase();
  if (value.includes('gzip')) return gunzipSync(bytes);
  if (value.includes('deflate')) return inflateSync(bytes);
  return bytes;
}
