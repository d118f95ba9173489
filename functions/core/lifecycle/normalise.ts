// Semantic comparison of what we PUT with what OpenSearch GETs back: settings come back as strings
// and nested under `index`, policies gain server fields and default retries. Both sides go through
// the same normalisation, then a structural diff lists the differing paths.

import type { Json } from './desired.ts';

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Flat `index.*` keys with string values: `{index: {number_of_replicas: 1}}` ≡ `{"index.number_of_replicas": "1"}`. */
export function normaliseSettings(settings: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (node: unknown, prefix: string): void => {
    if (isObject(node)) {
      for (const [key, value] of Object.entries(node)) walk(value, prefix ? `${prefix}.${key}` : key);
      return;
    }
    if (node === undefined || node === null) return;
    const key = prefix.startsWith('index.') ? prefix : `index.${prefix}`;
    out[key] = Array.isArray(node) ? node.map(String).join(',') : String(node);
  };
  walk(settings, '');
  return out;
}

/** Mappings with dotted field names expanded into `properties`, implicit `type: object` dropped, scalar leaves as strings. */
export function normaliseMappings(mappings: unknown): unknown {
  if (!isObject(mappings)) return mappings === undefined ? undefined : stringifyLeaves(mappings);
  const out: Json = {};
  for (const [key, value] of Object.entries(mappings)) {
    out[key] = key === 'properties' ? normaliseProperties(value) : stringifyLeaves(value);
  }
  return out;
}

function normaliseProperties(properties: unknown): unknown {
  if (!isObject(properties)) return stringifyLeaves(properties);
  const out: Json = {};
  for (const [name, field] of Object.entries(properties)) {
    const parts = name.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) {
      const existing = target[part];
      const node: Json = isObject(existing) ? existing : {};
      if (!isObject(node.properties)) node.properties = {};
      target[part] = node;
      target = node.properties as Json;
    }
    const leaf = parts[parts.length - 1] as string;
    const normalised = normaliseField(field);
    const existing = target[leaf];
    target[leaf] =
      isObject(existing) && isObject(normalised) ? mergeFields(existing, normalised) : normalised;
  }
  return out;
}

function mergeFields(a: Json, b: Json): Json {
  const merged: Json = { ...a, ...b };
  if (isObject(a.properties) && isObject(b.properties))
    merged.properties = { ...a.properties, ...b.properties };
  return merged;
}

function normaliseField(field: unknown): unknown {
  if (!isObject(field)) return stringifyLeaves(field);
  const out: Json = {};
  for (const [key, value] of Object.entries(field)) {
    if (key === 'properties') out.properties = normaliseProperties(value);
    else if (key === 'fields') out.fields = normaliseProperties(value);
    else out[key] = stringifyLeaves(value);
  }
  if (out.type === 'object' && out.properties !== undefined) delete out.type;
  return out;
}

function stringifyLeaves(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringifyLeaves);
  if (isObject(value)) {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) out[k] = stringifyLeaves(v);
    return out;
  }
  return value === null || value === undefined ? value : String(value);
}

function dropEmpty(obj: Json, keys: readonly string[]): void {
  for (const key of keys) {
    const value = obj[key];
    if (value === undefined || value === null) delete obj[key];
    else if (Array.isArray(value) && value.length === 0) delete obj[key];
    else if (isObject(value) && Object.keys(value).length === 0) delete obj[key];
  }
}

/** A component or index template body, as comparable data. */
export function normaliseTemplate(body: unknown): Json {
  if (!isObject(body)) return {};
  const out = stringifyLeaves(body) as Json;
  if (isObject(body.template)) {
    const template: Json = {};
    if (body.template.settings !== undefined) template.settings = normaliseSettings(body.template.settings);
    if (body.template.mappings !== undefined) template.mappings = normaliseMappings(body.template.mappings);
    if (body.template.aliases !== undefined) template.aliases = stringifyLeaves(body.template.aliases);
    dropEmpty(template, ['settings', 'mappings', 'aliases']);
    out.template = template;
  }
  dropEmpty(out, ['template', 'composed_of', '_meta']);
  return out;
}

const DEFAULT_RETRY = { count: '3', backoff: 'exponential', delay: '1m' } as const;
const SERVER_POLICY_FIELDS = ['policy_id', 'last_updated_time', 'schema_version', 'user'];

// Fields ISM writes back with their default values although the PUT left them out.
const ACTION_DEFAULTS: Record<string, Record<string, unknown>> = {
  rollover: { copy_alias: 'false' },
  allocation: { wait_for: 'false', require: {}, include: {}, exclude: {} },
};

function stripActionDefaults(action: Json): Json {
  const out: Json = { ...action };
  for (const [type, defaults] of Object.entries(ACTION_DEFAULTS)) {
    const body = out[type];
    if (!isObject(body)) continue;
    const kept: Json = {};
    for (const [key, value] of Object.entries(body)) {
      const def = defaults[key];
      const isDefault = isObject(def)
        ? isObject(value) && Object.keys(value).length === 0
        : def !== undefined && value === def;
      if (!isDefault) kept[key] = value;
    }
    out[type] = kept;
  }
  return out;
}

/** An ISM policy (the inner `policy` object), without server-added fields and default retries. */
export function normaliseIsmPolicy(policy: unknown): Json {
  if (!isObject(policy)) return {};
  const out = stringifyLeaves(policy) as Json;
  for (const key of SERVER_POLICY_FIELDS) delete out[key];
  if (out.error_notification === null) delete out.error_notification;
  const templates =
    out.ism_template === null || out.ism_template === undefined
      ? []
      : Array.isArray(out.ism_template)
        ? out.ism_template
        : [out.ism_template];
  out.ism_template = templates.map((t) => {
    if (!isObject(t)) return t;
    const { last_updated_time: _ignored, ...rest } = t;
    return rest;
  });
  if (Array.isArray(out.states)) {
    out.states = out.states.map((state) => {
      if (!isObject(state)) return state;
      const actions = Array.isArray(state.actions) ? state.actions : [];
      const transitions = Array.isArray(state.transitions) ? state.transitions : [];
      return {
        ...state,
        actions: actions.map((action) => {
          if (!isObject(action)) return action;
          const { retry, ...rest } = stripActionDefaults(action);
          const isDefault =
            isObject(retry) &&
            retry.count === DEFAULT_RETRY.count &&
            retry.backoff === DEFAULT_RETRY.backoff &&
            retry.delay === DEFAULT_RETRY.delay;
          return retry === undefined || isDefault ? rest : { ...rest, retry };
        }),
        transitions,
      };
    });
  }
  return out;
}

/** An SM policy, without the fields the server adds (name, schedule metadata, times). */
export function normaliseSmPolicy(policy: unknown): Json {
  if (!isObject(policy)) return {};
  const out = stringifyLeaves(policy) as Json;
  for (const key of ['name', 'schema_version', 'last_updated_time', 'enabled_time', 'schedule'])
    delete out[key];
  return out;
}

/** Repository settings compared as strings, the way the cluster stores them. */
export function normaliseRepository(repo: unknown): Json {
  if (!isObject(repo)) return {};
  return { type: String(repo.type), settings: stringifyLeaves(isObject(repo.settings) ? repo.settings : {}) };
}

/** Paths where `desired` and `actual` differ (both normalised), e.g. `settings.index.number_of_replicas: 1 ≠ 2`. */
export function diffPaths(desired: unknown, actual: unknown, prefix = ''): string[] {
  const at = prefix === '' ? '(root)' : prefix;
  if (isObject(desired) && isObject(actual)) {
    const keys = [...new Set([...Object.keys(desired), ...Object.keys(actual)])].sort();
    return keys.flatMap((k) => diffPaths(desired[k], actual[k], prefix === '' ? k : `${prefix}.${k}`));
  }
  if (Array.isArray(desired) && Array.isArray(actual)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(desired.length, actual.length); i++) {
      out.push(...diffPaths(desired[i], actual[i], `${prefix}[${i}]`));
    }
    return out;
  }
  if (desired === actual) return [];
  if (desired === undefined) return [`${at}: not desired, present as ${JSON.stringify(actual)}`];
  if (actual === undefined) return [`${at}: missing, desired ${JSON.stringify(desired)}`];
  return [`${at}: desired ${JSON.stringify(desired)}, actual ${JSON.stringify(actual)}`];
}
