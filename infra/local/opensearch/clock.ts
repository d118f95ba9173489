// The server's clock: follows real time until set, then only moves when told. Every time read of
// the server (creation_date, date math `now`, refresh interval, rollover max_age) goes through it.

export interface Clock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): void;
  /** True once set: the clock no longer follows real time. */
  readonly manual: boolean;
}

export function createClock(initial?: number, realNow: () => number = Date.now): Clock {
  let manual = initial !== undefined;
  let current = initial ?? 0;
  return {
    now: () => (manual ? current : realNow()),
    set(ms: number) {
      manual = true;
      current = ms;
    },
    advance(ms: number) {
      if (!manual) {
        manual = true;
        current = realNow();
      }
      current += ms;
    },
    get manual() {
      return manual;
    },
  };
}
