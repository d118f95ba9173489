// alerts.yaml (already parsed into a plain object) → compiled rules. Validated once at cold start;
// every error names the offending key (`rules[3].timeframe`) and what would fix it.
import { parseDuration } from './duration.ts';
import { AlertConfigError } from './errors.ts';
import {
  type AlertConfig,
  type HealthCheck,
  type LogRule,
  type LogRuleType,
  LogRuleTypes,
  type MetricAggType,
  MetricAggTypes,
  type MetricQuery,
  type NoiseSettings,
  type NotifierConfig,
  type SpikeDirection,
  SpikeDirections,
} from './types.ts';

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

const DEFAULTS = {
  index: 'logs-*',
  timestampField: '@timestamp',
  realertMs: 10 * 60_000,
  sampleSize: 3,
  maxKeys: 100,
  webhookTimeoutMs: 5000,
  webhookRetries: 2,
} as const;

/** Reads typed values off one object, naming `path.key` in every error. */
class Reader {
  readonly obj: Obj;
  readonly path: string;
  readonly known: Set<string>;
  constructor(obj: Obj, path: string, known: readonly string[]) {
    this.obj = obj;
    this.path = path;
    this.known = new Set(known);
    for (const key of Object.keys(obj)) {
      if (!this.known.has(key)) {
        throw new AlertConfigError(this.at(key), `unknown key; expected one of ${[...known].join(', ')}`);
      }
    }
  }
  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }
  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }
  string(key: string): string | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value === '')
      throw new AlertConfigError(this.at(key), 'must be a non-empty string');
    return value;
  }
  requiredString(key: string): string {
    const value = this.string(key);
    if (value === undefined) throw new AlertConfigError(this.at(key), 'is required (a non-empty string)');
    return value;
  }
  number(key: string, options: { min?: number; integer?: boolean } = {}): number | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new AlertConfigError(this.at(key), `must be a number, got ${JSON.stringify(value)}`);
    }
    if (options.integer && !Number.isInteger(value))
      throw new AlertConfigError(this.at(key), 'must be an integer');
    if (options.min !== undefined && value < options.min) {
      throw new AlertConfigError(this.at(key), `must be >= ${options.min}, got ${value}`);
    }
    return value;
  }
  requiredNumber(key: string, options: { min?: number; integer?: boolean } = {}): number {
    const value = this.number(key, options);
    if (value === undefined) throw new AlertConfigError(this.at(key), 'is required (a number)');
    return value;
  }
  boolean(key: string): boolean | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') throw new AlertConfigError(this.at(key), 'must be true or false');
    return value;
  }
  duration(key: string): number | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) return undefined;
    const ms = parseDuration(value);
    if (ms === undefined) {
      throw new AlertConfigError(
        this.at(key),
        `must be a positive duration such as 30s, 5m, 1h, 2d or { minutes: 5 }, got ${JSON.stringify(value)}`,
      );
    }
    return ms;
  }
  requiredDuration(key: string): number {
    const value = this.duration(key);
    if (value === undefined)
      throw new AlertConfigError(this.at(key), 'is required (a duration such as 5m or 1h)');
    return value;
  }
  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      throw new AlertConfigError(
        this.at(key),
        `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
      );
    }
    return value as T;
  }
  object(key: string): Obj | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) return undefined;
    if (!isObj(value)) throw new AlertConfigError(this.at(key), 'must be a mapping');
    return value;
  }
  stringList(key: string): string[] | undefined {
    const value = this.obj[key];
    if (value === undefined || value === null) return undefined;
    const list = typeof value === 'string' ? [value] : value;
    if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === '')) {
      throw new AlertConfigError(this.at(key), 'must be a string or a list of strings');
    }
    return list as string[];
  }
  reader(key: string, known: readonly string[]): Reader | undefined {
    const obj = this.object(key);
    return obj === undefined ? undefined : new Reader(obj, this.at(key), known);
  }
}

interface Defaults {
  index: string;
  timestampField: string;
  realertMs: number;
  backoff?: { factor: number; maxMs: number };
  sampleSize: number;
  notify: string[];
}

const NOISE_KEYS = [
  'realert',
  'exponential_realert',
  'backoff_factor',
  'aggregation',
  'resolve',
  'notify',
] as const;

function readNoise(r: Reader, defaults: Defaults, resolveByDefault: boolean): NoiseSettings {
  const realertMs = r.duration('realert') ?? defaults.realertMs;
  const maxMs = r.duration('exponential_realert');
  const factor = r.number('backoff_factor', { min: 1 });
  let backoff = defaults.backoff;
  if (maxMs !== undefined) {
    if (maxMs < realertMs) {
      throw new AlertConfigError(
        r.at('exponential_realert'),
        'must be at least as long as realert (it caps the back-off)',
      );
    }
    backoff = { factor: factor ?? 2, maxMs };
  } else if (factor !== undefined) {
    throw new AlertConfigError(r.at('backoff_factor'), 'needs exponential_realert (the cap of the back-off)');
  }
  const noise: NoiseSettings = {
    realertMs,
    aggregationMs: r.duration('aggregation') ?? 0,
    resolve: r.boolean('resolve') ?? resolveByDefault,
    notify: r.stringList('notify') ?? defaults.notify,
  };
  if (backoff !== undefined) noise.backoff = backoff;
  return noise;
}

/** A filter: a query string, a DSL clause, or a list of either. */
function readFilter(r: Reader): { clauses: Obj[]; text: string } {
  const query = r.string('query');
  const raw = r.obj.filter;
  const clauses: Obj[] = [];
  const texts: string[] = [];
  if (query !== undefined) {
    clauses.push({ query_string: { query, analyze_wildcard: true } });
    texts.push(query);
  }
  if (raw !== undefined && raw !== null) {
    const list = Array.isArray(raw) ? raw : [raw];
    list.forEach((item, i) => {
      const path = Array.isArray(raw) ? `${r.at('filter')}[${i}]` : r.at('filter');
      if (typeof item === 'string' && item !== '') {
        clauses.push({ query_string: { query: item, analyze_wildcard: true } });
        texts.push(item);
      } else if (isObj(item) && Object.keys(item).length === 1) {
        clauses.push(item);
        texts.push(JSON.stringify(item));
      } else {
        throw new AlertConfigError(
          path,
          'must be a query string or one query DSL clause such as { term: { log.level: error } }',
        );
      }
    });
  }
  return { clauses, text: texts.join(' AND ') };
}

const LOG_RULE_BASE_KEYS = [
  'name',
  'type',
  'description',
  'index',
  'timestamp_field',
  'filter',
  'query',
  'query_key',
  'max_keys',
  'timeframe',
  'delay',
  'sample_size',
  ...NOISE_KEYS,
] as const;

const TYPE_KEYS: Record<LogRuleType, readonly string[]> = {
  frequency: ['num_events'],
  flatline: ['threshold', 'key_lookback'],
  spike: ['spike_height', 'spike_type', 'threshold_cur', 'threshold_ref'],
  new_term: ['field', 'lookback'],
  metric: ['metric_agg_type', 'metric_agg_key', 'max_threshold', 'min_threshold'],
  any: [],
};

function compileLogRule(raw: unknown, path: string, defaults: Defaults): LogRule {
  if (!isObj(raw))
    throw new AlertConfigError(path, 'must be a mapping with at least name, type and timeframe');
  const types = Object.values(LogRuleTypes);
  const type = raw.type;
  if (typeof type !== 'string' || !(types as string[]).includes(type)) {
    throw new AlertConfigError(
      `${path}.type`,
      `must be one of ${types.join(', ')}, got ${JSON.stringify(type)}`,
    );
  }
  const ruleType = type as LogRuleType;
  const r = new Reader(raw, path, [...LOG_RULE_BASE_KEYS, ...TYPE_KEYS[ruleType]]);
  const name = r.requiredString('name');
  if (!RULE_NAME.test(name)) {
    throw new AlertConfigError(
      r.at('name'),
      'may hold only letters, digits, ".", "_" and "-" (it keys the state)',
    );
  }
  const filter = readFilter(r);
  // `any` and `new_term` report events, not conditions: nothing to resolve by default.
  const noise = readNoise(r, defaults, ruleType !== 'any' && ruleType !== 'new_term');
  const base = {
    kind: 'log' as const,
    name,
    index: r.string('index') ?? defaults.index,
    timestampField: r.string('timestamp_field') ?? defaults.timestampField,
    filter: filter.clauses,
    filterText: filter.text,
    maxKeys: r.number('max_keys', { min: 1, integer: true }) ?? DEFAULTS.maxKeys,
    timeframeMs: r.requiredDuration('timeframe'),
    delayMs: r.duration('delay') ?? 0,
    sampleSize: r.number('sample_size', { min: 0, integer: true }) ?? defaults.sampleSize,
    ...noise,
  };
  const description = r.string('description');
  const queryKey = r.string('query_key');
  const extra: { description?: string; queryKey?: string } = {};
  if (description !== undefined) extra.description = description;
  if (queryKey !== undefined) extra.queryKey = queryKey;

  switch (ruleType) {
    case 'frequency':
      return {
        ...base,
        ...extra,
        type: 'frequency',
        numEvents: r.requiredNumber('num_events', { min: 1, integer: true }),
      };
    case 'flatline':
      return {
        ...base,
        ...extra,
        type: 'flatline',
        threshold: r.requiredNumber('threshold', { min: 1, integer: true }),
        keyLookbackMs: r.duration('key_lookback') ?? base.timeframeMs,
      };
    case 'spike':
      return {
        ...base,
        ...extra,
        type: 'spike',
        spikeHeight: requireAbove(r, 'spike_height', 1),
        direction: r.oneOf<SpikeDirection>('spike_type', SpikeDirections) ?? 'both',
        thresholdCur: r.number('threshold_cur', { min: 0 }) ?? 0,
        thresholdRef: r.number('threshold_ref', { min: 0 }) ?? 0,
      };
    case 'new_term':
      if (queryKey !== undefined) {
        throw new AlertConfigError(r.at('query_key'), 'is not used by new_term: the key is `field` itself');
      }
      return {
        ...base,
        ...extra,
        type: 'new_term',
        field: r.requiredString('field'),
        lookbackMs: r.requiredDuration('lookback'),
      };
    case 'metric': {
      const aggType = r.oneOf<MetricAggType>('metric_agg_type', MetricAggTypes);
      if (aggType === undefined) {
        throw new AlertConfigError(
          r.at('metric_agg_type'),
          `is required: one of ${MetricAggTypes.join(', ')}`,
        );
      }
      const rule: LogRule = {
        ...base,
        ...extra,
        type: 'metric',
        aggType,
        field: r.requiredString('metric_agg_key'),
      };
      const max = r.number('max_threshold');
      const min = r.number('min_threshold');
      if (max === undefined && min === undefined) {
        throw new AlertConfigError(
          r.at('max_threshold'),
          'metric rules need max_threshold, min_threshold or both',
        );
      }
      if (max !== undefined) rule.maxThreshold = max;
      if (min !== undefined) rule.minThreshold = min;
      return rule;
    }
    case 'any':
      return { ...base, ...extra, type: 'any' };
  }
}

function requireAbove(r: Reader, key: string, floor: number): number {
  const value = r.requiredNumber(key);
  if (value <= floor)
    throw new AlertConfigError(r.at(key), `must be greater than ${floor} (a ratio), got ${value}`);
  return value;
}

const METRIC_CHECKS = {
  consumer_lag: { namespace: 'AWS/Lambda', metricName: 'OffsetLag', statistic: 'Maximum', threshold: 10_000 },
  dead_letters: { namespace: 'Sluice', metricName: 'RecordsDeadLettered', statistic: 'Sum', threshold: 0 },
  reported_records: { namespace: 'Sluice', metricName: 'RecordsReported', statistic: 'Sum', threshold: 0 },
  lambda_errors: { namespace: 'AWS/Lambda', metricName: 'Errors', statistic: 'Sum', threshold: 0 },
  lambda_throttles: { namespace: 'AWS/Lambda', metricName: 'Throttles', statistic: 'Sum', threshold: 0 },
} as const;

const HEALTH_KEYS = [
  ...Object.keys(METRIC_CHECKS),
  'cluster_health',
  'node_pressure',
  'ism_failures',
  'snapshots',
  'service_flatline',
];

/**
 * Each health block compiles on its own: a malformed block is reported and left out, the other
 * checks still run. A block is on when its key is present (`ism_failures:` with no value too).
 */
function compileHealth(
  raw: Obj,
  defaults: Defaults,
  checkNotify: (rule: { notify: string[] }, path: string) => void,
  errors: AlertConfigError[],
): { checks: HealthCheck[]; rules: LogRule[] } {
  const h = new Reader(raw, 'health', HEALTH_KEYS);
  const checks: HealthCheck[] = [];
  const rules: LogRule[] = [];
  const block = (
    type: string,
    known: readonly string[],
    compile: (r: Reader) => HealthCheck | LogRule,
  ): void => {
    if (!Object.hasOwn(raw, type)) return;
    try {
      const value = raw[type] ?? {};
      if (!isObj(value))
        throw new AlertConfigError(h.at(type), 'must be a mapping (or empty to use the defaults)');
      const compiled = compile(new Reader(value, h.at(type), [...known, ...NOISE_KEYS]));
      checkNotify(compiled, h.at(type));
      if (compiled.kind === 'log') rules.push(compiled);
      else checks.push(compiled);
    } catch (error) {
      if (!(error instanceof AlertConfigError)) throw error;
      errors.push(error);
    }
  };
  for (const [type, spec] of Object.entries(METRIC_CHECKS)) {
    block(type, ['threshold', 'window', 'function_name', 'dimensions'], (r) => {
      const functionName = r.string('function_name');
      const dims = r.object('dimensions');
      const dimensions: Record<string, string> = {};
      if (spec.namespace === 'AWS/Lambda') {
        if (functionName === undefined && dims === undefined) {
          throw new AlertConfigError(
            r.at('function_name'),
            'is required: the ingest function name (the metric dimension)',
          );
        }
        if (functionName !== undefined) dimensions.FunctionName = functionName;
      } else {
        // The ingest function publishes its EMF metrics with this dimension.
        dimensions.service = 'ingest';
      }
      for (const [key, value] of Object.entries(dims ?? {})) {
        if (typeof value !== 'string')
          throw new AlertConfigError(`${r.at('dimensions')}.${key}`, 'must be a string');
        dimensions[key] = value;
      }
      const metric: MetricQuery = {
        namespace: spec.namespace,
        metricName: spec.metricName,
        dimensions,
        statistic: spec.statistic,
      };
      return {
        kind: 'health',
        name: `health.${type}`,
        type: type as keyof typeof METRIC_CHECKS,
        metric,
        threshold: r.number('threshold', { min: 0 }) ?? spec.threshold,
        windowMs: r.duration('window') ?? 5 * 60_000,
        ...readNoise(r, defaults, true),
      };
    });
  }
  block('cluster_health', ['status'], (r) => ({
    kind: 'health',
    name: 'health.cluster_health',
    type: 'cluster_health',
    status: r.oneOf('status', ['yellow', 'red'] as const) ?? 'red',
    ...readNoise(r, defaults, true),
  }));
  block('node_pressure', ['disk_used_percent', 'jvm_heap_percent'], (r) => ({
    kind: 'health',
    name: 'health.node_pressure',
    type: 'node_pressure',
    diskUsedPercent: r.number('disk_used_percent', { min: 0 }) ?? 85,
    jvmHeapPercent: r.number('jvm_heap_percent', { min: 0 }) ?? 85,
    ...readNoise(r, defaults, true),
  }));
  block('ism_failures', [], (r) => ({
    kind: 'health',
    name: 'health.ism_failures',
    type: 'ism_failures',
    ...readNoise(r, defaults, true),
  }));
  block('snapshots', ['repository', 'max_age'], (r) => ({
    kind: 'health',
    name: 'health.snapshots',
    type: 'snapshots',
    repository: r.requiredString('repository'),
    maxAgeMs: r.duration('max_age') ?? 26 * 3_600_000,
    ...readNoise(r, defaults, true),
  }));
  // A service that stopped sending logs is a flatline log rule grouped by service.
  block(
    'service_flatline',
    ['field', 'index', 'timeframe', 'key_lookback', 'threshold', 'max_keys'],
    (r) => ({
      kind: 'log',
      name: 'health.service_flatline',
      type: 'flatline',
      index: r.string('index') ?? defaults.index,
      timestampField: defaults.timestampField,
      filter: [],
      filterText: '',
      queryKey: r.string('field') ?? 'service.name',
      maxKeys: r.number('max_keys', { min: 1, integer: true }) ?? 500,
      timeframeMs: r.duration('timeframe') ?? 15 * 60_000,
      delayMs: 0,
      sampleSize: 0,
      threshold: r.number('threshold', { min: 1, integer: true }) ?? 1,
      keyLookbackMs: r.duration('key_lookback') ?? 24 * 3_600_000,
      ...readNoise(r, defaults, true),
    }),
  );
  return { checks, rules };
}

function compileNotifier(raw: unknown, path: string): NotifierConfig {
  if (!isObj(raw)) throw new AlertConfigError(path, 'must be a mapping with name and type');
  const type = raw.type;
  if (type === 'sns') {
    const r = new Reader(raw, path, ['name', 'type', 'topic_arn', 'topic_arn_env']);
    const name = r.requiredString('name');
    const topicArn = r.string('topic_arn');
    const topicArnEnv = r.string('topic_arn_env');
    if (topicArn === undefined && topicArnEnv === undefined) {
      throw new AlertConfigError(
        r.at('topic_arn'),
        'is required (or topic_arn_env naming the variable that holds it)',
      );
    }
    const config: NotifierConfig = { name, type: 'sns' };
    if (topicArn !== undefined) config.topicArn = topicArn;
    if (topicArnEnv !== undefined) config.topicArnEnv = topicArnEnv;
    return config;
  }
  if (type === 'webhook') {
    const r = new Reader(raw, path, ['name', 'type', 'url', 'url_env', 'timeout', 'retries', 'headers']);
    const name = r.requiredString('name');
    const url = r.string('url');
    const urlEnv = r.string('url_env');
    if (url === undefined && urlEnv === undefined) {
      throw new AlertConfigError(r.at('url'), 'is required (or url_env naming the variable that holds it)');
    }
    if (url !== undefined && !/^https?:\/\//.test(url)) {
      throw new AlertConfigError(r.at('url'), 'must be an http:// or https:// URL');
    }
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(r.object('headers') ?? {})) {
      if (typeof value !== 'string')
        throw new AlertConfigError(`${r.at('headers')}.${key}`, 'must be a string');
      headers[key] = value;
    }
    const config: NotifierConfig = {
      name,
      type: 'webhook',
      timeoutMs: r.duration('timeout') ?? DEFAULTS.webhookTimeoutMs,
      retries: r.number('retries', { min: 0, integer: true }) ?? DEFAULTS.webhookRetries,
      headers,
    };
    if (url !== undefined) config.url = url;
    if (urlEnv !== undefined) config.urlEnv = urlEnv;
    return config;
  }
  throw new AlertConfigError(`${path}.type`, `must be sns or webhook, got ${JSON.stringify(type)}`);
}

/**
 * Validates the parsed alerts.yaml and compiles it. Throws `AlertConfigError` for the first
 * malformed key; use `compileAlertConfigLenient` to keep the valid rules when one is broken.
 */
export function compileAlertConfig(raw: unknown): AlertConfig {
  const { config, errors } = compileAlertConfigLenient(raw);
  const first = errors[0];
  if (first !== undefined) throw first;
  return config;
}

/**
 * Compiles what can be compiled: a malformed rule (or health block) is left out and reported, so
 * that one bad rule does not silence the others. Malformed `defaults` or `notifiers` throw: every
 * rule depends on them.
 */
export function compileAlertConfigLenient(raw: unknown): { config: AlertConfig; errors: AlertConfigError[] } {
  const errors: AlertConfigError[] = [];
  const config: AlertConfig = { rules: [], health: [], notifiers: [] };
  if (!isObj(raw)) {
    throw new AlertConfigError(
      '(root)',
      'must be a mapping with rules, and optionally defaults, notifiers, health',
    );
  }
  const top = new Reader(raw, '', ['defaults', 'notifiers', 'health', 'rules']);
  const d = top.reader('defaults', [
    'index',
    'timestamp_field',
    'realert',
    'exponential_realert',
    'backoff_factor',
    'sample_size',
    'notify',
    'discover_url',
  ]);
  const defaults: Defaults = {
    index: d?.string('index') ?? DEFAULTS.index,
    timestampField: d?.string('timestamp_field') ?? DEFAULTS.timestampField,
    realertMs: d?.duration('realert') ?? DEFAULTS.realertMs,
    sampleSize: d?.number('sample_size', { min: 0, integer: true }) ?? DEFAULTS.sampleSize,
    notify: d?.stringList('notify') ?? [],
  };
  const maxMs = d?.duration('exponential_realert');
  if (maxMs !== undefined) defaults.backoff = { factor: d?.number('backoff_factor', { min: 1 }) ?? 2, maxMs };
  const discoverUrl = d?.string('discover_url');
  if (discoverUrl !== undefined) config.discoverUrl = discoverUrl;

  const notifiers = raw.notifiers;
  if (notifiers !== undefined && notifiers !== null) {
    if (!Array.isArray(notifiers)) throw new AlertConfigError('notifiers', 'must be a list');
    const names = new Set<string>();
    notifiers.forEach((item, i) => {
      const n = compileNotifier(item, `notifiers[${i}]`);
      if (names.has(n.name))
        throw new AlertConfigError(`notifiers[${i}].name`, `duplicate notifier name ${n.name}`);
      names.add(n.name);
      config.notifiers.push(n);
    });
  }
  const notifierNames = new Set(config.notifiers.map((n) => n.name));
  for (const [i, name] of defaults.notify.entries()) {
    if (!notifierNames.has(name)) {
      throw new AlertConfigError(
        `defaults.notify[${i}]`,
        `names no notifier: ${name}; define it under notifiers`,
      );
    }
  }
  const checkNotify = (rule: { notify: string[] }, path: string): void => {
    for (const [i, name] of rule.notify.entries()) {
      if (!notifierNames.has(name)) {
        throw new AlertConfigError(
          `${path}.notify[${i}]`,
          `names no notifier: ${name}; define it under notifiers`,
        );
      }
    }
  };

  const health = top.object('health');
  if (health !== undefined) {
    try {
      const compiled = compileHealth(health, defaults, checkNotify, errors);
      config.health.push(...compiled.checks);
      config.rules.push(...compiled.rules);
    } catch (error) {
      // An unknown key directly under `health`.
      if (!(error instanceof AlertConfigError)) throw error;
      errors.push(error);
    }
  }

  const rules = raw.rules;
  if (rules !== undefined && rules !== null && !Array.isArray(rules)) {
    throw new AlertConfigError('rules', 'must be a list of rules');
  }
  const names = new Set(config.rules.map((rule) => rule.name));
  for (const [i, item] of (rules ?? []).entries()) {
    const path = `rules[${i}]`;
    try {
      const rule = compileLogRule(item, path, defaults);
      if (names.has(rule.name))
        throw new AlertConfigError(`${path}.name`, `duplicate rule name ${rule.name}`);
      checkNotify(rule, path);
      names.add(rule.name);
      config.rules.push(rule);
    } catch (error) {
      if (!(error instanceof AlertConfigError)) throw error;
      errors.push(error);
    }
  }
  return { config, errors };
}
