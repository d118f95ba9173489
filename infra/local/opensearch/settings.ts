// Index settings are kept flat (`index.blocks.write` → "true"), as OpenSearch stores them:
// values become strings, nested request objects are flattened, keys get the `index.` prefix.
import { setOwn } from '../../../functions/core/pipeline/fields.ts';

export type SettingValue = string | string[];
export type FlatSettings = Record<string, SettingValue>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Flattens request settings; `null` values are kept as null (they mean "reset to default"). */
export function flattenSettings(input: unknown): Record<string, SettingValue | null> {
  const out: Record<string, SettingValue | null> = {};
  const walk = (value: unknown, prefix: string) => {
    if (isObject(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
      return;
    }
    const key = prefix.startsWith('index.') || prefix === 'index' ? prefix : `index.${prefix}`;
    if (value === null) setOwn(out, key, null);
    else if (Array.isArray(value))
      setOwn(
        out,
        key,
        value.map((v) => String(v)),
      );
    else setOwn(out, key, String(value));
  };
  walk(isObject(input) ? input : {}, '');
  return out;
}

/** Nests flat settings for output (`flat_settings=false`, the default). */
export function nestSettings(flat: FlatSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(flat).sort()) {
    const parts = key.split('.');
    let node = out;
    for (let i = 0; i < parts.length - 1; i++) {
      const part = parts[i] ?? '';
      const next = node[part];
      if (!isObject(next)) setOwn(node, part, {});
      node = node[part] as Record<string, unknown>;
    }
    setOwn(node, parts[parts.length - 1] ?? '', flat[key]);
  }
  return out;
}

export function mergeSettings(base: FlatSettings, update: Record<string, SettingValue | null>): FlatSettings {
  const out: FlatSettings = { ...base };
  for (const [k, v] of Object.entries(update)) {
    if (v === null) delete out[k];
    else setOwn(out, k, v);
  }
  return out;
}

export function settingString(settings: FlatSettings, key: string): string | undefined {
  const v = settings[key];
  return Array.isArray(v) ? v.join(',') : v;
}

export function settingBool(settings: FlatSettings, key: string): boolean {
  return settingString(settings, key) === 'true';
}

/** Settings the cluster fills in and users may not change after creation. */
export const FINAL_SETTINGS = new Set([
  'index.number_of_shards',
  'index.uuid',
  'index.creation_date',
  'index.version.created',
  'index.provided_name',
]);

export const DEFAULT_SETTINGS: FlatSettings = {
  'index.refresh_interval': '1s',
  'index.mapping.total_fields.limit': '1000',
  'index.mapping.depth.limit': '20',
  'index.max_result_window': '10000',
  'index.store.type': '',
  'index.codec': 'default',
  'index.auto_expand_replicas': 'false',
  'index.blocks.write': 'false',
  'index.blocks.read_only': 'false',
  'index.blocks.read_only_allow_delete': 'false',
  'index.number_of_routing_shards': '1',
  'index.hidden': 'false',
};
