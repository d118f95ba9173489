// Field paths on nested log events. Keys come from untrusted data, so writes never go through
// ordinary assignment for keys such as `__proto__`: they become own data properties instead.

export type Fields = Record<string, unknown>;

const UNSAFE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Sets `obj[key] = value` as an own data property, even for `__proto__`. */
export function setOwn(obj: Fields, key: string, value: unknown): void {
  if (UNSAFE_KEYS.has(key)) {
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

/**
 * Reads a dotted path: nested objects first (`{service: {name}}`), then a literal dotted key
 * (`{"service.name": …}`), as OpenSearch treats both as the same field.
 */
export function getPath(obj: Fields, path: string): unknown {
  const direct = ownValue(obj, path);
  if (direct !== undefined) return direct;
  let current: unknown = obj;
  let start = 0;
  while (start <= path.length) {
    if (!isPlainObject(current)) return undefined;
    const dot = path.indexOf('.', start);
    if (dot === -1) return ownValue(current, path.slice(start));
    const head = path.slice(start, dot);
    const next = ownValue(current, head);
    if (next === undefined) {
      // A literal dotted key deeper down: `{http: {"response.status_code": 200}}`.
      return ownValue(current, path.slice(start));
    }
    current = next;
    start = dot + 1;
  }
  return undefined;
}

/** Writes a dotted path as nested objects, replacing non-object intermediates. */
export function setPath(obj: Fields, path: string, value: unknown): void {
  let current = obj;
  let start = 0;
  for (;;) {
    const dot = path.indexOf('.', start);
    if (dot === -1) {
      setOwn(current, path.slice(start), value);
      return;
    }
    const head = path.slice(start, dot);
    let next = ownValue(current, head);
    if (!isPlainObject(next)) {
      next = {};
      setOwn(current, head, next);
    }
    current = next as Fields;
    start = dot + 1;
  }
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
