// Chapter outputs: values saved from one response (`payload._seq_no`) and used by later chapters
// as `${chapter_id.name}`.
import type { OutputSpec } from './story.ts';

export type Outputs = Map<string, Record<string, unknown>>;

/** Splits `payload.hits.hits[0]._id` into ['payload','hits','hits','0','_id']. */
export function splitPath(path: string): string[] {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter((s) => s !== '');
}

/** Reads a path through objects and arrays, own properties only (story data is untrusted). */
export function readPath(value: unknown, path: string): unknown {
  let current = value;
  for (const segment of splitPath(path)) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment)) {
      current = (current as Record<string, unknown>)[segment];
    } else return undefined;
  }
  return current;
}

/** Extracts a chapter's outputs from its response; missing values fall back to `default`. */
export function extractOutputs(
  spec: OutputSpec,
  response: { payload: unknown; headers: Record<string, string> },
): { values: Record<string, unknown>; missing: string[] } {
  const values: Record<string, unknown> = {};
  const missing: string[] = [];
  for (const [name, entry] of Object.entries(spec)) {
    const path = typeof entry === 'string' ? entry : entry.path;
    const [root, ...rest] = splitPath(path);
    const restPath = rest.join('.');
    let value: unknown;
    if (root === 'payload') value = restPath === '' ? response.payload : readPath(response.payload, restPath);
    else if (root === 'headers') value = response.headers[restPath.toLowerCase()];
    if (value === undefined && typeof entry === 'object') value = entry.default;
    if (value === undefined) missing.push(name);
    else values[name] = value;
  }
  return { values, missing };
}

const WHOLE = /^\$\{([^}]+)\}$/;
const PART = /\$\{([^}]+)\}/g;

function lookup(outputs: Outputs, ref: string): unknown {
  const dot = ref.indexOf('.');
  if (dot === -1) return undefined;
  const chapter = outputs.get(ref.slice(0, dot));
  if (chapter === undefined) return undefined;
  const name = ref.slice(dot + 1);
  return Object.hasOwn(chapter, name) ? chapter[name] : undefined;
}

/**
 * Replaces `${id.name}` everywhere in a value. A string that is exactly one reference takes the saved
 * value with its type (numbers stay numbers); references inside longer strings are spliced in as text.
 * Unknown references are left as written so that the failure shows them.
 */
export function substitute<T>(value: T, outputs: Outputs): T {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (whole?.[1] !== undefined) {
      const found = lookup(outputs, whole[1]);
      return (found === undefined ? value : found) as T;
    }
    return value.replace(PART, (all, ref: string) => {
      const found = lookup(outputs, ref);
      return found === undefined ? all : typeof found === 'string' ? found : JSON.stringify(found);
    }) as T;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, outputs)) as T;
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      Object.defineProperty(out, k, {
        value: substitute(v, outputs),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out as T;
  }
  return value;
}
