// The server's clock: follows real time until set, then only moves when told. Every time read of
// the server (creation_date, date math `now`, refresh interval, rollover max_age) goes through it.

export interface Clock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): void;
  /** True once set: the clock no longer follows real time. */
  readonly manual: boolean;
  /** Called after every set/advance (the lifecycle jobs run on clock moves). */
  onChange(listener: (now: number, previous: number) => void): void;
}

export function createClock(initial?: number, realNow: () => number = Date.now): Clock {
  let manual = initial !== undefined;
  let current = initial ?? 0;
  const listeners: Array<(now: number, previous: number) => void> = [];
  const notify = (previous: number) => {
    for (const listener of listeners) listener(current, previous);
  };
  return {
    now: () => (manual ? current : realNow()),
    set(ms: number) {
      const previous = manual ? current : realNow();
      manual = true;
      current = ms;
      notify(previous);
    },
    advance(ms: number) {
      if (!manual) {
        manual = true;
        current = realNow();
      }
      const previous = current;
      current += ms;
      notify(previous);
    },
    onChange(listener) {
      listeners.push(listener);
    },
    get manual() {
      return manual;
    },
  };
}
