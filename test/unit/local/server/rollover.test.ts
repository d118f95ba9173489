import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  backingIndexName,
  evaluateConditions,
  nextRolloverName,
} from '../../../../infra/local/opensearch/rollover.ts';

describe('nextRolloverName', () => {
  it.each([
    ['logs-000001', 'logs-000002'],
    ['logs-000009', 'logs-000010'],
    ['logs-1', 'logs-000002'],
    ['my-app-2024-999999', 'my-app-2024-1000000'],
  ])('%s → %s', (current, next) => {
    expect(nextRolloverName(current)).toBe(next);
  });

  it('refuses a name without a numeric suffix', () => {
    expect(() => nextRolloverName('logs')).toThrowError(
      "index name [logs] does not match pattern '^.*-\\d+$'",
    );
  });

  it('always increments the number and keeps the prefix', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z][a-z-]{0,10}$/),
        fc.integer({ min: 0, max: 10_000_000 }),
        (prefix, n) => {
          const next = nextRolloverName(`${prefix}-${n}`);
          const match = /^(.*)-(\d+)$/.exec(next);
          expect(match?.[1]).toBe(prefix);
          expect(Number(match?.[2])).toBe(n + 1);
          expect(match?.[2]?.length).toBeGreaterThanOrEqual(6);
        },
      ),
    );
  });
});

describe('backingIndexName', () => {
  it('pads the generation', () => {
    expect(backingIndexName('logs-nginx', 1)).toBe('.ds-logs-nginx-000001');
    expect(backingIndexName('logs-nginx', 12)).toBe('.ds-logs-nginx-000012');
  });
});

describe('evaluateConditions', () => {
  const stats = { ageMs: 2 * 86_400_000, docs: 100, sizeBytes: 5 * 1024 * 1024 };
  it.each([
    [{ max_age: '1d' }, { '[max_age: 1d]': true }],
    [{ max_age: '3d' }, { '[max_age: 3d]': false }],
    [{ max_docs: 100 }, { '[max_docs: 100]': true }],
    [{ max_docs: 101 }, { '[max_docs: 101]': false }],
    [{ max_size: '5mb' }, { '[max_size: 5mb]': true }],
    [{ max_primary_shard_size: '1gb' }, { '[max_primary_shard_size: 1gb]': false }],
    [
      { max_age: '30m', max_docs: 1000 },
      { '[max_age: 30m]': true, '[max_docs: 1000]': false },
    ],
  ])('%j', (conditions, expected) => {
    expect(evaluateConditions(conditions, stats)).toEqual(expected);
  });

  it('rejects unknown conditions and bad values', () => {
    expect(() => evaluateConditions({ max_bananas: 1 }, stats)).toThrowError(/unknown rollover condition/);
    expect(() => evaluateConditions({ max_age: 'soon' }, stats)).toThrowError(
      /failed to parse setting \[max_age\]/,
    );
  });
});
