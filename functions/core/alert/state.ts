// The noise-control state machine, per rule and key: fire once, repeat no sooner than `realert`
// (growing with back-off while the condition holds), send a resolve once when it clears, and
// optionally hold events to send them together. Pure: `(state, matches, now) → { state, notification }`.
import type { AnyRule, Match, Window } from './types.ts';

export interface KeyState {
  firing: boolean;
  /** Whether this firing episode has been notified (a resolve is only sent for those). */
  notified: boolean;
  /** When the current (or last) episode started. */
  since: number;
  lastNotifiedAt?: number;
  /** The current realert interval: the rule's, grown by back-off during an episode. */
  realertMs: number;
  /** The latest observation, without samples (kept small: state is one S3 object). */
  last?: { value: number | string; threshold: string; window?: Window };
}

export const AlertStatuses = { firing: 'firing', resolved: 'resolved' } as const;
export type AlertStatus = (typeof AlertStatuses)[keyof typeof AlertStatuses];

export interface AlertEvent {
  rule: string;
  key: string;
  status: AlertStatus;
  /** When the condition started (for a resolve: how long it lasted). */
  since: number;
  at: number;
  /** True for a reminder of a condition already notified. */
  repeat: boolean;
  match: Match;
}

export interface RuleState {
  keys: Record<string, KeyState>;
  /** Events held for aggregation, and since when. */
  pending: AlertEvent[];
  pendingSince?: number;
}

export interface AlertState {
  version: 1;
  rules: Record<string, RuleState>;
}

/** One message for one rule: every key that fired or resolved since the last message. */
export interface Notification {
  rule: string;
  notify: string[];
  events: AlertEvent[];
}

export interface StepResult {
  ruleState: RuleState;
  notification?: Notification;
  /** Matches not notified because their realert interval had not passed. */
  suppressed: number;
}

export const emptyState = (): AlertState => ({ version: 1, rules: Object.create(null) });

const isObj = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads stored state; anything unrecognisable starts afresh rather than failing every run. */
export function parseState(raw: unknown): AlertState {
  const state = emptyState();
  if (!isObj(raw) || raw.version !== 1 || !isObj(raw.rules)) return state;
  for (const [name, rule] of Object.entries(raw.rules)) {
    if (!isObj(rule) || !isObj(rule.keys) || !Array.isArray(rule.pending)) continue;
    const keys: Record<string, KeyState> = Object.create(null);
    for (const [key, ks] of Object.entries(rule.keys)) {
      if (isObj(ks) && typeof ks.firing === 'boolean' && typeof ks.realertMs === 'number') {
        keys[key] = ks as unknown as KeyState;
      }
    }
    const ruleState: RuleState = { keys, pending: rule.pending as AlertEvent[] };
    if (typeof rule.pendingSince === 'number') ruleState.pendingSince = rule.pendingSince;
    state.rules[name] = ruleState;
  }
  return state;
}

/** Advances one rule's state with the matches of a successful evaluation at `now`. */
export function stepRule(
  previous: RuleState | undefined,
  rule: AnyRule,
  matches: Match[],
  now: number,
): StepResult {
  const keys: Record<string, KeyState> = Object.create(null);
  for (const [key, ks] of Object.entries(previous?.keys ?? {})) keys[key] = { ...ks };
  const events: AlertEvent[] = [];
  const matched = new Set<string>();
  let suppressed = 0;

  for (const match of matches) {
    if (matched.has(match.key)) continue;
    matched.add(match.key);
    const before = keys[match.key];
    const ks: KeyState =
      before?.firing === true
        ? before
        : {
            firing: true,
            notified: false,
            since: now,
            realertMs: rule.realertMs,
            ...(before?.lastNotifiedAt === undefined ? {} : { lastNotifiedAt: before.lastNotifiedAt }),
          };
    // realert counts from the last notification even across episodes, so a flapping condition
    // cannot notify more often than once per interval.
    const due = ks.lastNotifiedAt === undefined || now - ks.lastNotifiedAt >= ks.realertMs;
    if (due) {
      const repeat = ks.notified;
      events.push({
        rule: rule.name,
        key: match.key,
        status: 'firing',
        since: ks.since,
        at: now,
        repeat,
        match,
      });
      if (repeat && rule.backoff !== undefined) {
        ks.realertMs = Math.min(ks.realertMs * rule.backoff.factor, rule.backoff.maxMs);
      }
      ks.notified = true;
      ks.lastNotifiedAt = now;
    } else {
      suppressed += 1;
    }
    ks.last = {
      value: match.value,
      threshold: match.threshold,
      ...(match.window ? { window: match.window } : {}),
    };
    keys[match.key] = ks;
  }

  for (const [key, ks] of Object.entries(keys)) {
    if (matched.has(key)) continue;
    if (ks.firing) {
      if (ks.notified && rule.resolve) {
        const last = ks.last ?? { value: '', threshold: '' };
        events.push({
          rule: rule.name,
          key,
          status: 'resolved',
          since: ks.since,
          at: now,
          repeat: false,
          match: {
            key,
            value: last.value,
            threshold: last.threshold,
            ...(last.window ? { window: last.window } : {}),
            samples: [],
          },
        });
      }
      ks.firing = false;
      ks.notified = false;
      ks.realertMs = rule.realertMs;
    }
    // Forget a quiet key once its realert interval is over: nothing left to suppress.
    if (!ks.firing && (ks.lastNotifiedAt === undefined || now - ks.lastNotifiedAt >= rule.realertMs)) {
      delete keys[key];
    }
  }

  const pending = [...(previous?.pending ?? []), ...events];
  let pendingSince = previous?.pendingSince;
  if (pendingSince === undefined && events.length > 0) pendingSince = now;
  const flush =
    pending.length > 0 && (rule.aggregationMs <= 0 || now - (pendingSince ?? now) >= rule.aggregationMs);
  if (flush) {
    return {
      ruleState: { keys, pending: [] },
      notification: { rule: rule.name, notify: rule.notify, events: pending },
      suppressed,
    };
  }
  const ruleState: RuleState = { keys, pending };
  if (pending.length > 0 && pendingSince !== undefined) ruleState.pendingSince = pendingSince;
  return { ruleState, suppressed };
}

/** Drops the state of rules no longer configured. */
export function pruneState(state: AlertState, ruleNames: Iterable<string>): AlertState {
  const keep = new Set(ruleNames);
  const rules: Record<string, RuleState> = Object.create(null);
  for (const [name, rule] of Object.entries(state.rules)) if (keep.has(name)) rules[name] = rule;
  return { version: 1, rules };
}
