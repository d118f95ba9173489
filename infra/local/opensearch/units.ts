// OpenSearch time values ("30m", "1d", "500ms") and byte sizes ("5gb") as numbers.
import { illegalArgument, parseError } from './errors.ts';

const TIME_UNITS: Record<string, number> = {
  nanos: 1e-6,
  micros: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses a time value to milliseconds; `-1` stays -1 (OpenSearch's "disabled"). */
export function parseTimeValue(value: unknown, setting: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const text = String(value).trim();
  if (text === '-1') return -1;
  if (text === '0') return 0;
  const match = /^(\d+(?:\.\d+)?)\s*(nanos|micros|ms|s|m|h|d)$/i.exec(text);
  const unit = match?.[2]?.toLowerCase();
  if (!match || unit === undefined) {
    throw parseError(
      `failed to parse setting [${setting}] with value [${text}] as a time value: unit is missing or unrecognized`,
    );
  }
  return Number(match[1]) * (TIME_UNITS[unit] ?? 1);
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
  pb: 1024 ** 5,
};

export function parseByteSize(value: unknown, setting: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  const text = String(value).trim().toLowerCase();
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb|pb)$/.exec(text);
  const unit = match?.[2];
  if (!match || unit === undefined) {
    throw illegalArgument(
      `failed to parse setting [${setting}] with value [${text}] as a size in bytes: unit is missing or unrecognized`,
    );
  }
  return Number(match[1]) * (BYTE_UNITS[unit] ?? 1);
}

/** `{"advance": "1d" | "30m" | 5000}` for the controllable clock. */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  return parseTimeValue(value, 'advance');
}

export function formatBytes(bytes: number): string {
  const units = ['b', 'kb', 'mb', 'gb', 'tb'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${v}b` : `${Number(v.toFixed(1))}${units[i]}`;
}
