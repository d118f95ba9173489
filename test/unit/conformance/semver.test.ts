import { describe, expect, it } from 'vitest';
import { satisfies } from '../../conformance/semver.ts';

describe('version ranges', () => {
  it.each([
    ['2.19.0', undefined, true],
    ['2.19.0', '', true],
    ['2.19.0', '>= 2.0', true],
    ['2.19.0', '>=2.1', true],
    ['2.19.0', '>= 2.19', true],
    ['2.19.0', '>= 2.17.1', true],
    ['2.19.0', '>= 3.0', false],
    ['2.19.0', '< 2.0', false],
    ['2.19.0', '< 2.13', false],
    ['2.19.0', '>= 2.4 < 2.19', false],
    ['2.18.3', '>= 2.4 < 2.19', true],
    ['2.19.0', '> 2.13', true],
    ['2.13.5', '> 2.13', false],
    ['2.14.0', '> 2.13', true],
    ['2.19.0', '>2.0.0', true],
    ['2.0.0', '>2.0.0', false],
    ['2.19.0', '<= 2.19', true],
    ['2.19.0', '2.x', true],
    ['2.19.0', '3', false],
    ['2.19.0', '2', true],
    ['2.19.0', '< 2.0 || >= 2.18', true],
    ['2.19.0', '~2.19.0', true],
    ['2.19.0', '^2.1', true],
    ['2.19.0', '^3.0', false],
  ])('%s satisfies %j: %s', (version, range, expected) => {
    expect(satisfies(version, range)).toBe(expected);
  });
});
