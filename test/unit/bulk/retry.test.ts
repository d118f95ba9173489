import { describe, expect, it } from 'vitest';
import { backoffDelayMs, defaultSafetyMarginMs, planRetry } from '../../../functions/core/bulk/retry.ts';

const policy = { maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 1000 };

describe('backoffDelayMs (full jitter)', () => {
  it.each([
    [0, 0.999999, 99],
    [0, 0.5, 50],
    [1, 0.5, 100],
    [2, 0.5, 200],
    [3, 0.5, 400],
    [4, 0.5, 500], // capped at 1000
    [10, 0.999999, 999],
    [5000, 0.25, 250], // huge exponents stay capped
  ])('retry %i with random %d → %i ms', (retry, random, expected) => {
    expect(backoffDelayMs(retry, policy, () => random)).toBe(expected);
  });

  it('a zero base never yields NaN', () => {
    expect(backoffDelayMs(2000, { ...policy, baseDelayMs: 0 }, () => 0.7)).toBe(0);
  });
});

describe('planRetry', () => {
  it.each([
    [
      'attempts left and time left',
      { attemptsMade: 1, remainingMs: 10_000, safetyMarginMs: 1000 },
      { retry: true, delayMs: 50 },
    ],
    [
      'after the second send the ceiling doubles',
      { attemptsMade: 2, remainingMs: 10_000, safetyMarginMs: 1000 },
      { retry: true, delayMs: 100 },
    ],
    [
      'attempts exhausted',
      { attemptsMade: 5, remainingMs: 10_000, safetyMarginMs: 1000 },
      { retry: false, reason: 'max_attempts' },
    ],
    [
      'the delay would eat the margin',
      { attemptsMade: 1, remainingMs: 1040, safetyMarginMs: 1000 },
      { retry: false, reason: 'no_time' },
    ],
    [
      'already past the margin',
      { attemptsMade: 1, remainingMs: 500, safetyMarginMs: 1000 },
      { retry: false, reason: 'no_time' },
    ],
  ])('%s', (_name, state, expected) => {
    expect(planRetry(state, policy, () => 0.5)).toEqual(expected);
  });
});

describe('defaultSafetyMarginMs', () => {
  it.each([
    [3_000, 300],
    [30_000, 3_000],
    [50_000, 5_000],
    [900_000, 5_000],
  ])('timeout %i ms → margin %i ms', (timeout, margin) => {
    expect(defaultSafetyMarginMs(timeout)).toBe(margin);
  });
});
