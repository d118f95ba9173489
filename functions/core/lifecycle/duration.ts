// OpenSearch time and byte-size units (`30d`, `12h`, `30gb`), as ISM and SM accept them.

const TIME_UNITS = {
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
  micros: 0.001,
  nanos: 0.000001,
} as const;
const SIZE_UNITS = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4, pb: 1024 ** 5 } as const;

const TIME_RE = /^(\d+)(d|h|m|s|ms|micros|nanos)$/;
const SIZE_RE = /^(\d+(?:\.\d+)?)(b|kb|mb|gb|tb|pb)$/;

/** Milliseconds of an OpenSearch time value, or `undefined` when it is not one. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = TIME_RE.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * TIME_UNITS[match[2] as keyof typeof TIME_UNITS];
}

/** Bytes of an OpenSearch byte-size value, or `undefined` when it is not one. */
export function parseByteSize(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const match = SIZE_RE.exec(value);
  if (!match) return undefined;
  return Number(match[1]) * SIZE_UNITS[match[2] as keyof typeof SIZE_UNITS];
}

export const DAY_MS = TIME_UNITS.d;

/** `yyyy-MM-dd` of an epoch-ms instant, in UTC. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Start (epoch ms, UTC midnight) of the day of `ms`. */
export function startOfUtcDay(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
