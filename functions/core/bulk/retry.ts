export interface RetryPolicy {
  /** Sends per item, the first one included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Full jitter: `random() * min(cap, base * 2^retry)`, retry counted from 0. */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number): number {
  // The exponent is capped so that `0 * 2^1024` never becomes NaN.
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(retry, 52));
  return Math.floor(random() * ceiling);
}

/**
 * Time kept back at the end of an invocation to settle (dead letters, batch response): 10% of the
 * function timeout, at most 5 s, so short functions are not left without a budget.
 */
export function defaultSafetyMarginMs(functionTimeoutMs: number): number {
  return Math.min(5000, Math.ceil(functionTimeoutMs / 10));
}

export type RetryPlan =
  | { retry: true; delayMs: number }
  | { retry: false; reason: 'max_attempts' | 'no_time' };

/**
 * Whether to send failed items again after `attemptsMade` sends, and after how long: only while
 * attempts remain and the delay ends before the invocation's time (less the margin) runs out.
 */
export function planRetry(
  state: { attemptsMade: number; remainingMs: number; safetyMarginMs: number },
  policy: RetryPolicy,
  random: () => number,
): RetryPlan {
  if (state.attemptsMade >= policy.maxAttempts) return { retry: false, reason: 'max_attempts' };
  const delayMs = backoffDelayMs(state.attemptsMade - 1, policy, random);
  if (delayMs >= state.remainingMs - state.safetyMarginMs) return { retry: false, reason: 'no_time' };
  return { retry: true, delayMs };
}
