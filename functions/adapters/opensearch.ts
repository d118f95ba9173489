import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { Client, errors } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
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

async function readBasicCredentials(secretArn: string, region: string): Promise<BasicCredentials> {
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
      if (!config.secretArn) throw new AdapterError('basic auth needs the secret ARN (OPENSEARCH_SECRET_ARN)');
      const auth = await readBasicCredentials(config.secretArn, config.region);
      return new Client({ ...common, auth });
    }
    case 'sigv4': {
      const credentials = defaultProvider();
      return new Client({
        ...common,
        ...AwsSigv4Signer({ region: config.region, service: config.service, getCredentials: () => credentials() }),
      });
    }
  }
}

/**
 * `_bulk` through the client's transport with a pre-encoded NDJSON body: no re-serialisation, and
 * every HTTP status comes back as data for the classifier instead of as an exception.
 */
export function createBulkTransport(client: Client, options: { gzip: boolean }): BulkTransport {
  return {
    async send(body, { timeoutMs }) {
      try {
        const res = await client.transport.request(
          { method: 'POST', path: '/_bulk', bulkBody: body },
          { maxRetries: 0, requestTimeout: timeoutMs, ...(options.gzip ? { compression: 'gzip' as const } : {}) },
        );
        return { statusCode: res.statusCode ?? 200, body: res.body };
      } catch (error) {
        if (error instanceof errors.ResponseError) {
          return { statusCode: error.meta.statusCode ?? 500, body: error.meta.body };
        }
        throw error;
      }
    },
  };
}
