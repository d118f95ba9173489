// Field paths on nested log events. Keys come from untrusted data, so writes never go through
// ordinary assignment for keys such as `__proto__`: they become own data properties instead.

export type Fields = Record<string, unknown>;

/** Sets `obj[key] = value` as an own data property, even for `__proto__`, `constructor`, `prototype`. */
export function setOwn(obj: Fields, key: string, value: unknown): void {
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

function isPlainObject(value: unknown): value is Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function ownValue(obj: Fields, key: string): unknown {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}

/** A dotted path split once: its segments, and the rest of the path from each segment on. */
interface SplitPath {
  segments: readonly string[];
  rests: readonly string[];
}

// Paths come from the configuration and the parsers, so there are few of them: splitting each
// once spares a slice per segment on every read and write.
const SPLIT_LIMIT = 4096;
const splitPaths = new Map<string, SplitPath>();

function split(path: string): SplitPath {
  let split = splitPaths.get(path);
  if (split === undefined) {
    const segments = path.split('.');
    split = { segments, rests: segments.map((_, i) => segments.slice(i).join('.')) };
    if (splitPaths.size >= SPLIT_LIMIT) splitPaths.clear();
    splitPaths.set(path, split);
  }
  return split;
}

/**
 * Reads a dotted path: nested objects first (`{service: {name}}`), then a literal dotted key
 * (`{"service.name": …}`), as OpenSearch treats both as the same field.
 */
export function getPath(obj: Fields, path: string): unknown {
  const direct = ownValue(obj, path);
  if (direct !== undefined) return direct;
  const { segments, rests } = split(path);
  let current: unknown = obj;
  const last = segments.length - 1;
  for (let i = 0; i <= last; i++) {
    if (!isPlainObject(current)) return undefined;
    if (i === last) return ownValue(current, segments[i]!);
    const next = ownValue(current, segments[i]!);
    if (next === undefined) {
      // A literal dotted key deeper down: `{http: {"response.status_code": 200}}`.
      return i === 0 ? undefined : ownValue(current, rests[i]!);
    }
    current = next;
  }
  return undefined;
}

/** Writes a dotted path as nested objects, replacing non-object intermediates. */
export function setPath(obj: Fields, path: string, value: unknown): void {
  const { segments } = split(path);
  let current = obj;
  const last = segments.length - 1;
  for (let i = 0; i < last; i++) {
    const head = segments[i]!;
    let next = ownValue(current, head);
    if (!isPlainObject(next)) {
      next = {};
      setOwn(current, head, next);
    }
    current = next as Fields;
  }
  setOwn(current, segments[last]!, value);
}

/** Removes a dotted path (nested or literal); returns the removed value. */
export function deletePath(obj: Fields, path: string): unknown {
  if (Object.hasOwn(obj, path)) {
    const value = obj[path];
    delete obj[path];
    return value;
  }
  const dot = path.lastIndexOf('.');
  if (dot === -1) return undefined;
  const parent = getPath(obj, path.slice(0, dot));
  if (!isPlainObject(parent)) return undefined;
  const key = path.slice(dot + 1);
  if (!Object.hasOwn(parent, key)) return undefined;
  const value = parent[key];
  delete parent[key];
  return value;
}
