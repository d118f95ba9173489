import type { OpenSearchConfig } from '../adapters/opensearch.ts';
import { type Env, readOptional, readString } from '../runtime/env.ts';
import { readOpenSearchConfig } from '../runtime/opensearch-env.ts';

/** Everything the alert function reads from its environment, validated once at cold start. */
export interface AlertSettings {
  opensearch: OpenSearchConfig;
  region: string;
  s3: { endpoint?: string };
  state: { bucket: string; key: string };
  historyIndex: string;
  /** The rules file (relative to the task root) or the YAML itself. */
  rules: { file: string; inline?: string };
}

export function readAlertSettings(env: Env): AlertSettings {
  const region = readString(env, 'AWS_REGION', 'us-east-1');
  const inline = readOptional(env, 'ALERTS_YAML');
  const s3Endpoint = readOptional(env, 'S3_ENDPOINT');
  return {
    opensearch: readOpenSearchConfig(env, { requestTimeoutMs: 20_000 }),
    region,
    s3: s3Endpoint ? { endpoint: s3Endpoint } : {},
    state: {
      bucket: readString(env, 'ALERT_STATE_BUCKET', 'sluice-state'),
      key: readString(env, 'ALERT_STATE_KEY', 'alerts/state.json'),
    },
    historyIndex: readString(env, 'ALERT_HISTORY_INDEX', 'sluice-alerts-history'),
    rules: { file: readString(env, 'ALERTS_FILE', 'infra/alerts.yaml'), ...(inline ? { inline } : {}) },
  };
}
