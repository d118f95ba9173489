import { describe, expect, it } from 'vitest';
import { fillPlaceholders, readBool, readChoice, readInt, readUrl } from '../../../functions/runtime/env.ts';
import { ConfigError } from '../../../functions/runtime/errors.ts';

describe('environment readers', () => {
  it.each([
    [{}, 7],
    [{ N: '12' }, 12],
  ])('readInt(%j) = %d', (env, expected) => {
    expect(readInt(env, 'N', 7, { min: 1, max: 100 })).toBe(expected);
  });

  it.each([['0'], ['101'], ['1.5'], ['ten']])('readInt rejects %s, naming the key and the range', (raw) => {
    expect(() => readInt({ N: raw }, 'N', 7, { min: 1, max: 100 })).toThrow(
      new ConfigError(`N=${JSON.stringify(raw)} is not valid: expected a whole number from 1 to 100`),
    );
  });

  it('readBool and readChoice name the key and what is allowed', () => {
    expect(readBool({ B: 'yes' }, 'B', false)).toBe(true);
    expect(() => readBool({ B: 'maybe' }, 'B', false)).toThrow(
      'B="maybe" is not valid: expected true or false',
    );
    expect(() => readChoice({ C: 'x' }, 'C', ['a', 'b'] as const, 'a')).toThrow('expected one of a, b');
  });

  it('readUrl trims trailing slashes and refuses other schemes', () => {
    expect(readUrl({ U: 'https://search.example.com/' }, 'U')).toBe('https://search.example.com');
    expect(() => readUrl({ U: 'ftp://x' }, 'U')).toThrow('U="ftp://x" is not a valid http(s) URL');
    expect(() => readUrl({}, 'U')).toThrow('U is required but not set');
  });

  it('fillPlaceholders fills set names and leaves unset ones as written', () => {
    // Built from parts: the placeholders are data here, not template literals gone wrong.
    const ph = (name: string) => `$${'{'}${name}}`;
    const text = `fn: ${ph('INGEST_FUNCTION_NAME')}, x: ${ph('UNSET_NAME')}, y: ${ph('lower')}`;
    expect(fillPlaceholders(text, { INGEST_FUNCTION_NAME: 'sluice-prod-ingest' })).toBe(
      `fn: sluice-prod-ingest, x: ${ph('UNSET_NAME')}, y: ${ph('lower')}`,
    );
  });
});
