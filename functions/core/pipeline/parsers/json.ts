import type { Fields } from '../fields.ts';
import type { Parser } from '../types.ts';

/**
 * A JSON object line; arrays, scalars and invalid JSON are not this format. One JSON.parse and no
 * copy: JSON.parse already makes `__proto__` an own data key, so every key is kept as data.
 */
export const parseJson: Parser = (line) => {
  // Cheap reject before the try/catch: most non-JSON lines fail on the first character.
  let start = 0;
  while (start < line.length && (line.charCodeAt(start) <= 32 || line.charCodeAt(start) === 0xfeff)) start++;
  if (line.charCodeAt(start) !== 123 /* { */) return undefined;
  try {
    const value: unknown = JSON.parse(start === 0 ? line : line.slice(start));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Fields)
      : undefined;
  } catch {
    return undefined;
  }
};
