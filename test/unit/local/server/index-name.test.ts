import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexNameProblem, wildcardMatch } from '../../../../infra/local/opensearch/index-name.ts';

describe('indexNameProblem', () => {
  it.each([
    ['logs-2024.01.01', undefined],
    ['.ds-logs-000001', undefined],
    ['Logs', 'Invalid index name [Logs], must be lowercase'],
    [
      'a b',
      'Invalid index name [a b], must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?]',
    ],
    ['a*b', 'must not contain the following characters'],
    ['a/b', 'must not contain the following characters'],
    ['a,b', 'must not contain the following characters'],
    ['a#b', "Invalid index name [a#b], must not contain '#'"],
    ['a:b', "Invalid index name [a:b], must not contain ':'"],
    ['_logs', "must not start with '_', '-', or '+'"],
    ['-logs', "must not start with '_', '-', or '+'"],
    ['+logs', "must not start with '_', '-', or '+'"],
    ['.', "must not be '.' or '..'"],
    ['..', "must not be '.' or '..'"],
    ['x'.repeat(256), 'index name is too long, (256 > 255)'],
    ['é'.repeat(128), 'index name is too long, (256 > 255)'],
  ])('%s', (name, expected) => {
    const problem = indexNameProblem(name);
    if (expected === undefined) {
      expect(problem).toBeUndefined();
    } else {
      expect(problem?.type).toBe('invalid_index_name_exception');
      expect(problem?.status).toBe(400);
      expect(problem?.message).toContain(expected);
    }
  });

  it('accepts every lowercase alphanumeric name up to 255 bytes', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,100}$/), (name) => {
        fc.pre(name !== '.' && name !== '..');
        expect(indexNameProblem(name)).toBeUndefined();
      }),
    );
  });
});

describe('wildcardMatch', () => {
  it.each([
    ['logs-*', 'logs-app', true],
    ['logs-*', 'metrics-app', false],
    ['*', 'anything', true],
    ['a*c', 'abbbc', true],
    ['a.c', 'abc', false],
    ['exact', 'exact', true],
  ])('%s ~ %s = %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });
});
