import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AlertEvent,
  emptyState,
  parseState,
  pruneState,
  type RuleState,
  stepRule,
} from '../../../functions/core/alert/state.ts';
import type { LogRule, Match } from '../../../functions/core/alert/types.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-03-01T12:00:00.000Z');

const rule = (overrides: Partial<LogRule> = {}): LogRule =>
  ({
    kind: 'log',
    name: 'r',
    type: 'frequency',
    numEvents: 1,
    index: 'logs-*',
    timestampField: '@timestamp',
    filter: [],
    filterText: '',
    maxKeys: 100,
    timeframeMs: 5 * MIN,
    delayMs: 0,
    sampleSize: 3,
    realertMs: 10 * MIN,
    aggregationMs: 0,
    resolve: true,
    notify: ['hook'],
    ...overrides,
  }) as LogRule;

const match = (key: string, value = 1): Match => ({ key, value, threshold: '>= 1 events', samples: [] });

/** Runs a sequence of (minute, matching keys) steps; returns every notification's events. */
function simulate(
  r: LogRule,
  steps: Array<[number, string[]]>,
): { events: AlertEvent[][]; state: RuleState | undefined; suppressed: number } {
  let state: RuleState | undefined;
  const events: AlertEvent[][] = [];
  let suppressed = 0;
  for (const [minute, keys] of steps) {
    const result = stepRule(
      state,
      r,
      keys.map((k) => match(k)),
      T0 + minute * MIN,
    );
    state = result.ruleState;
    suppressed += result.suppressed;
    events.push(result.notification?.events ?? []);
  }
  return { events, state, suppressed };
}

const brief = (events: AlertEvent[][]) =>
  events.map((list) =>
    list
      .map((e) => `${e.key}:${e.status === 'resolved' ? 'resolved' : e.repeat ? 'repeat' : 'fire'}`)
      .join(','),
  );

describe('stepRule', () => {
  it.each<[string, Partial<LogRule>, Array<[number, string[]]>, string[]]>([
    [
      'fires once, then silent within realert',
      {},
      [
        [0, ['a']],
        [1, ['a']],
        [5, ['a']],
      ],
      ['a:fire', '', ''],
    ],
    [
      'repeats once realert has passed',
      {},
      [
        [0, ['a']],
        [9, ['a']],
        [10, ['a']],
        [15, ['a']],
        [20, ['a']],
      ],
      ['a:fire', '', 'a:repeat', '', 'a:repeat'],
    ],
    [
      'resolves once when the key clears',
      {},
      [
        [0, ['a']],
        [1, []],
        [2, []],
        [3, []],
      ],
      ['a:fire', 'a:resolved', '', ''],
    ],
    [
      'no resolve when resolve is off',
      { resolve: false },
      [
        [0, ['a']],
        [1, []],
      ],
      ['a:fire', ''],
    ],
    [
      'keys are independent',
      {},
      [
        [0, ['a']],
        [1, ['a', 'b']],
        [2, ['b']],
      ],
      ['a:fire', 'b:fire', 'a:resolved'],
    ],
    [
      'a flap inside realert is suppressed, and its clear sends no resolve',
      {},
      [
        [0, ['a']],
        [1, []],
        [2, ['a']],
        [3, []],
        [12, ['a']],
      ],
      ['a:fire', 'a:resolved', '', '', 'a:fire'],
    ],
    [
      'back-off doubles the interval while firing: 0, 10, 30, 70 (capped at 40 → 70, 110)',
      { backoff: { factor: 2, maxMs: 40 * MIN } },
      [
        [0, ['a']],
        [10, ['a']],
        [29, ['a']],
        [30, ['a']],
        [69, ['a']],
        [70, ['a']],
        [109, ['a']],
        [110, ['a']],
      ],
      ['a:fire', 'a:repeat', '', 'a:repeat', '', 'a:repeat', '', 'a:repeat'],
    ],
    [
      'back-off resets after a resolve',
      { backoff: { factor: 2, maxMs: 40 * MIN } },
      [
        [0, ['a']],
        [10, ['a']],
        [11, []],
        [30, ['a']],
        [40, ['a']],
      ],
      ['a:fire', 'a:repeat', 'a:resolved', 'a:fire', 'a:repeat'],
    ],
    [
      'aggregation holds events and sends them together',
      { aggregationMs: 5 * MIN },
      [
        [0, ['a']],
        [2, ['a', 'b']],
        [4, ['b']],
        [5, ['b']],
        [6, []],
      ],
      ['', '', '', 'a:fire,b:fire,a:resolved', ''],
    ],
  ])('%s', (_, overrides, steps, expected) => {
    expect(brief(simulate(rule(overrides), steps).events)).toEqual(expected);
  });

  it('counts suppressed matches and forgets quiet keys after realert', () => {
    const { suppressed, state } = simulate(rule(), [
      [0, ['a']],
      [1, ['a']],
      [2, ['a']],
      [3, []],
      [20, []],
    ]);
    expect(suppressed).toBe(2);
    expect(state?.keys).toEqual({});
  });

  it('a notification carries the rule, its notifiers and the match', () => {
    const result = stepRule(undefined, rule(), [match('a', 42)], T0);
    expect(result.notification).toEqual({
      rule: 'r',
      notify: ['hook'],
      events: [
        { rule: 'r', key: 'a', status: 'firing', since: T0, at: T0, repeat: false, match: match('a', 42) },
      ],
    });
  });

  it('state survives a JSON round trip (it is stored in S3)', () => {
    const r = rule({ backoff: { factor: 2, maxMs: 40 * MIN } });
    const first = stepRule(undefined, r, [match('a')], T0);
    const state = emptyState();
    state.rules.r = first.ruleState;
    const reloaded = parseState(JSON.parse(JSON.stringify(state)));
    expect(reloaded).toEqual(state);
    // After the reload the key is still within realert: silent.
    expect(stepRule(reloaded.rules.r, r, [match('a')], T0 + MIN).notification).toBeUndefined();
  });

  it('parseState starts afresh on garbage; pruneState drops unknown rules', () => {
    expect(parseState({ version: 7 })).toEqual(emptyState());
    expect(parseState('x')).toEqual(emptyState());
    const state = emptyState();
    state.rules.gone = { keys: {}, pending: [] };
    state.rules.kept = { keys: {}, pending: [] };
    expect(Object.keys(pruneState(state, ['kept']).rules)).toEqual(['kept']);
  });
});

describe('stepRule properties', () => {
  const arbitraryRun = fc.record({
    realert: fc.integer({ min: 1, max: 30 }),
    backoff: fc.option(
      fc.record({ factor: fc.integer({ min: 1, max: 4 }), max: fc.integer({ min: 30, max: 120 }) }),
      { nil: undefined },
    ),
    resolve: fc.boolean(),
    steps: fc.array(fc.tuple(fc.integer({ min: 0, max: 15 }), fc.subarray(['a', 'b', 'c'])), {
      minLength: 1,
      maxLength: 60,
    }),
  });

  it('never two firing notifications for the same key within realert; a resolve only after a fire', () => {
    fc.assert(
      fc.property(arbitraryRun, ({ realert, backoff, resolve, steps }) => {
        const r = rule({
          realertMs: realert * MIN,
          resolve,
          ...(backoff
            ? { backoff: { factor: backoff.factor, maxMs: Math.max(backoff.max, realert) * MIN } }
            : {}),
        });
        let state: RuleState | undefined;
        let minute = 0;
        const lastFire = new Map<string, number>();
        const open = new Set<string>(); // fired and not yet resolved
        for (const [gap, keys] of steps) {
          minute += gap;
          const now = T0 + minute * MIN;
          const result = stepRule(
            state,
            r,
            keys.map((k) => match(k)),
            now,
          );
          state = result.ruleState;
          const seen = new Set<string>();
          for (const event of result.notification?.events ?? []) {
            expect(seen.has(event.key)).toBe(false); // one event per key per run
            seen.add(event.key);
            if (event.status === 'firing') {
              const last = lastFire.get(event.key);
              if (last !== undefined) expect(now - last).toBeGreaterThanOrEqual(r.realertMs);
              lastFire.set(event.key, now);
              open.add(event.key);
            } else {
              expect(resolve).toBe(true);
              expect(open.has(event.key)).toBe(true);
              expect(keys).not.toContain(event.key);
              open.delete(event.key);
            }
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('while a key keeps matching, it is notified at least once per maximum interval', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 20, max: 200 }), (realert, span) => {
        const r = rule({ realertMs: realert * MIN });
        const { events } = simulate(
          r,
          Array.from({ length: span }, (_, i) => [i, ['a']] as [number, string[]]),
        );
        const minutes = events.flatMap((list, i) => (list.length > 0 ? [i] : []));
        expect(minutes[0]).toBe(0);
        for (let i = 1; i < minutes.length; i += 1)
          expect((minutes[i] ?? 0) - (minutes[i - 1] ?? 0)).toBe(realert);
      }),
    );
  });
});
