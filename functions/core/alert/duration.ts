// Durations in alerts.yaml: `90s`, `5m`, `1h`, `2d`, `500ms`, or ElastAlert's `{ minutes: 5 }`.

const UNIT_MS = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
} as const;

const OBJECT_UNITS = {
  milliseconds: UNIT_MS.ms,
  seconds: UNIT_MS.s,
  minutes: UNIT_MS.m,
  hours: UNIT_MS.h,
  days: UNIT_MS.d,
  weeks: UNIT_MS.w,
} as const;

const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;

/** Milliseconds of a duration, or undefined when the value is not one (or not positive). */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'string') {
    const match = PATTERN.exec(value.trim());
    if (!match) return undefined;
    const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    return ms > 0 ? Math.round(ms) : undefined;
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    let total = 0;
    const entries = Object.entries(value);
    if (entries.length === 0) return undefined;
    for (const [unit, amount] of entries) {
      if (!Object.hasOwn(OBJECT_UNITS, unit) || typeof amount !== 'number' || amount < 0) return undefined;
      total += amount * OBJECT_UNITS[unit as keyof typeof OBJECT_UNITS];
    }
    return total > 0 ? Math.round(total) : undefined;
  }
  return undefined;
}

/** A compact human form for messages: `1h`, `15m`, `90s`. */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [
    ['d', UNIT_MS.d],
    ['h', UNIT_MS.h],
    ['m', UNIT_MS.m],
    ['s', UNIT_MS.s],
  ] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
