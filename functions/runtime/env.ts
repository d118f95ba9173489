import { ConfigError } from './errors.ts';

export type Env = Record<string, string | undefined>;

// Small typed readers over process.env-like maps. Each error names the variable and how to fix it,
// because these run at cold start where a vague message costs a deploy cycle.

export function readString(env: Env, key: string, fallback?: string): string {
  const value = env[key]?.trim();
  if (value) return value;
  if (fallback !== undefined) return fallback;
  throw new ConfigError(`${key} is required but not set; set it in the function's environment`);
}

export function readOptional(env: Env, key: string): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

export function readInt(
  env: Env,
  key: string,
  fallback: number,
  range: { min: number; max: number },
): number {
  const raw = env[key]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ConfigError(
      `${key}=${JSON.stringify(raw)} is not valid: expected a whole number from ${range.min} to ${range.max}`,
    );
  }
  return value;
}

export function readBool(env: Env, key: string, fallback: boolean): boolean {
  const raw = env[key]?.trim().toLowerCase();
  if (!raw) return fallback;
  if (raw === 'true' || raw === '1' || raw === 'yes') return true;
  if (raw === 'false' || raw === '0' || raw === 'no') return false;
  throw new ConfigError(`${key}=${JSON.stringify(raw)} is not valid: expected true or false`);
}

export function readChoice<const T extends string>(
  env: Env,
  key: string,
  choices: readonly T[],
  fallback: T,
): T {
  const raw = env[key]?.trim();
  if (!raw) return fallback;
  if ((choices as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(`${key}=${JSON.stringify(raw)} is not valid: expected one of ${choices.join(', ')}`);
}

export function readUrl(env: Env, key: string): string {
  const raw = readString(env, key);
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('protocol');
    return raw.replace(/\/+$/, '');
  } catch {
    throw new ConfigError(
      `${key}=${JSON.stringify(raw)} is not a valid http(s) URL, e.g. https://search-logs.eu-west-1.es.amazonaws.com`,
    );
  }
}

/**
 * Fills `${NAME}` placeholders in a config file's text from the environment, so one file serves
 * every stage; a name that is not set is left as written (and the config check then names it).
 */
export function fillPlaceholders(text: string, env: Env): string {
  return text.replace(/\$\{([A-Z][A-Z0-9_]*)\}/g, (whole, name: string) => env[name] ?? whole);
}
