// The compiled form of alerts.yaml and the values that flow between query, evaluation, state and
// message. Everything here is plain data so that state can be stored as JSON.

export const LogRuleTypes = {
  frequency: 'frequency',
  flatline: 'flatline',
  spike: 'spike',
  newTerm: 'new_term',
  metric: 'metric',
  any: 'any',
} as const;
export type LogRuleType = (typeof LogRuleTypes)[keyof typeof LogRuleTypes];

export const HealthCheckTypes = {
  consumerLag: 'consumer_lag',
  deadLetters: 'dead_letters',
  reportedRecords: 'reported_records',
  lambdaErrors: 'lambda_errors',
  lambdaThrottles: 'lambda_throttles',
  clusterHealth: 'cluster_health',
  nodePressure: 'node_pressure',
  ismFailures: 'ism_failures',
  snapshots: 'snapshots',
} as const;
export type HealthCheckType = (typeof HealthCheckTypes)[keyof typeof HealthCheckTypes];

export const MetricAggTypes = ['avg', 'max', 'min', 'sum', 'cardinality'] as const;
export type MetricAggType = (typeof MetricAggTypes)[number];

export const SpikeDirections = ['up', 'down', 'both'] as const;
export type SpikeDirection = (typeof SpikeDirections)[number];

/** Realert, back-off, aggregation and routing: the same for log rules and health checks. */
export interface NoiseSettings {
  /** Minimum time between two notifications for the same rule and key. */
  realertMs: number;
  /** When set, the realert interval is multiplied by `factor` after each repeat, up to `maxMs`. */
  backoff?: { factor: number; maxMs: number };
  /** When > 0, fired/resolved events are held and sent together once this long has passed. */
  aggregationMs: number;
  /** Whether a notification is sent when a firing key clears. */
  resolve: boolean;
  /** Notifier names. */
  notify: string[];
}

interface LogRuleBase extends NoiseSettings {
  kind: 'log';
  name: string;
  description?: string;
  index: string;
  timestampField: string;
  /** Query DSL clauses, all of which must match (a `query` string becomes a `query_string`). */
  filter: Record<string, unknown>[];
  /** Text of the filter for the Discover link (the query string, or the DSL as JSON). */
  filterText: string;
  queryKey?: string;
  /** How many distinct keys a grouped query asks for. */
  maxKeys: number;
  timeframeMs: number;
  /** Shifts the window back to allow for ingest delay. */
  delayMs: number;
  sampleSize: number;
}

export type LogRule =
  | (LogRuleBase & { type: 'frequency'; numEvents: number })
  | (LogRuleBase & {
      type: 'flatline';
      threshold: number;
      /** With a query key: how far before the window a key must have been seen to be expected. */
      keyLookbackMs: number;
    })
  | (LogRuleBase & {
      type: 'spike';
      spikeHeight: number;
      direction: SpikeDirection;
      /** Minimum counts in the current/reference window before a ratio counts. */
      thresholdCur: number;
      thresholdRef: number;
    })
  | (LogRuleBase & { type: 'new_term'; field: string; lookbackMs: number })
  | (LogRuleBase & {
      type: 'metric';
      aggType: MetricAggType;
      field: string;
      maxThreshold?: number;
      minThreshold?: number;
    })
  | (LogRuleBase & { type: 'any' });

/** A CloudWatch metric read over a window. */
export interface MetricQuery {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic: 'Sum' | 'Maximum' | 'Average';
}

export type HealthCheck = NoiseSettings & { kind: 'health'; name: string } & (
    | {
        type: 'consumer_lag' | 'dead_letters' | 'reported_records' | 'lambda_errors' | 'lambda_throttles';
        metric: MetricQuery;
        /** Fires when the statistic is strictly above this value. */
        threshold: number;
        windowMs: number;
      }
    | { type: 'cluster_health'; status: 'yellow' | 'red' }
    | { type: 'node_pressure'; diskUsedPercent: number; jvmHeapPercent: number }
    | { type: 'ism_failures' }
    | { type: 'snapshots'; repository: string; maxAgeMs: number }
  );

export type NotifierConfig =
  | { name: string; type: 'sns'; topicArn?: string; topicArnEnv?: string }
  | {
      name: string;
      type: 'webhook';
      url?: string;
      urlEnv?: string;
      timeoutMs: number;
      retries: number;
      headers: Record<string, string>;
    };

export interface AlertConfig {
  rules: LogRule[];
  health: HealthCheck[];
  notifiers: NotifierConfig[];
  /** Template with `{from}`, `{to}`, `{index}`, `{query}` placeholders (URL-encoded on use). */
  discoverUrl?: string;
}

export type AnyRule = LogRule | HealthCheck;

/** The time range a rule looked at (epoch ms, `from` inclusive, `to` exclusive). */
export interface Window {
  from: number;
  to: number;
}

/** One key of one rule that meets its condition now. */
export interface Match {
  /** The query-key value, or `*` when the rule is not grouped. */
  key: string;
  /** The observed value (count, ratio, metric, lag, …). */
  value: number | string;
  /** What it was compared with, in words: `>= 10`, `< 1`, `x3 of 12`. */
  threshold: string;
  window?: Window;
  /** A few documents (or facts) that show why. */
  samples: Record<string, unknown>[];
}

/** What a rule evaluation returns: the keys matching now. */
export interface Evaluation {
  matches: Match[];
}
