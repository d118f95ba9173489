import type { OpenSearchConfig } from '../adapters/opensearch.ts';
import { type Env, readBool, readChoice, readInt, readOptional, readString, readUrl } from './env.ts';

/**
 * The OpenSearch connection every function reads the same way: endpoint, auth mode (SigV4 for
 * Amazon OpenSearch Service `es` or Serverless `aoss`, basic from Secrets Manager, or none), TLS.
 */
export function readOpenSearchConfig(
  env: Env,
  defaults: { requestTimeoutMs: number; timeoutKey?: string },
): OpenSearchConfig {
  const endpoint = readUrl(env, 'OPENSEARCH_ENDPOINT');
  return {
    endpoint,
    auth: readChoice(env, 'OPENSEARCH_AUTH', ['none', 'sigv4', 'basic'] as const, 'sigv4'),
    service: readChoice(
      env,
      'OPENSEARCH_SERVICE',
      ['es', 'aoss'] as const,
      /\.aoss\.amazonaws\.com$/.test(new URL(endpoint).hostname) ? 'aoss' : 'es',
    ),
    region: readString(env, 'AWS_REGION', 'us-east-1'),
    secretArn: readOptional(env, 'OPENSEARCH_SECRET_ARN'),
    tlsVerify: readBool(env, 'OPENSEARCH_TLS_VERIFY', true),
    requestTimeoutMs: readInt(
      env,
      defaults.timeoutKey ?? 'OPENSEARCH_REQUEST_TIMEOUT_MS',
      defaults.requestTimeoutMs,
      {
        min: 100,
        max: 900_000,
      },
    ),
  };
}
