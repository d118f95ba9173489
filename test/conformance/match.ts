// Subset match of an expected story payload against the server's answer.

export type Mismatch = { path: string; expected: unknown; actual: unknown; reason: string };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/**
 * First place where `actual` does not contain `expected`, or undefined when it does. Every key given
 * must match (extra keys in the answer are fine); arrays match element-wise on the given elements in
 * order (the answer may have more); scalars compare strictly. A string expectation against a
 * non-string answer compares with the answer's JSON text.
 */
export function findMismatch(expected: unknown, actual: unknown, path = ''): Mismatch | undefined {
  if (isObject(expected)) {
    if (!isObject(actual)) return { path, expected, actual, reason: 'expected an object' };
    for (const [key, value] of Object.entries(expected)) {
      if (!Object.hasOwn(actual, key)) {
        return { path: join(path, key), expected: value, actual: undefined, reason: 'missing' };
      }
      const inner = findMismatch(value, actual[key], join(path, key));
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return { path, expected, actual, reason: 'expected an array' };
    for (let i = 0; i < expected.length; i++) {
      if (i >= actual.length) {
        return { path: join(path, i), expected: expected[i], actual: undefined, reason: 'missing' };
      }
      const inner = findMismatch(expected[i], actual[i], join(path, i));
      if (inner !== undefined) return inner;
    }
    return undefined;
  }
  if (typeof expected === 'string' && path === '' && typeof actual !== 'string' && actual !== undefined) {
    return JSON.stringify(actual) === expected
      ? undefined
      : { path, expected, actual, reason: 'text differs' };
  }
  return Object.is(expected, actual) || (expected === 0 && actual === 0)
    ? undefined
    : { path, expected, actual, reason: 'differs' };
}

export function describeMismatch(m: Mismatch): string {
  const at = m.path === '' ? 'payload' : `payload.${m.path}`;
  const show = (v: unknown): string => {
    const text = v === undefined ? 'undefined' : JSON.stringify(v);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  };
  return `${at}: ${m.reason}, expected ${show(m.expected)}, got ${show(m.actual)}`;
}
