// Proleptic Gregorian calendar arithmetic in UTC (Howard Hinnant's `days_from_civil` and
// `civil_from_days`), for years 0000–9999. A `Date` made, set and formatted per record cost about
// 1 µs here (`toISOString` alone most of it); records whose times fall in a new second each, as
// lines of sparse logs do, paid it every time.

/** Years 0000–9999 in epoch ms: the range `toISOString` writes as `yyyy-…`. */
export const MIN_CIVIL_MS = -62_167_219_200_000;
export const MAX_CIVIL_MS = 253_402_300_799_999;

const DAY_SECONDS = 86_400;
/** Days from 0000-03-01 to 1970-01-01. */
const EPOCH_SHIFT = 719_468;
const ERA_DAYS = 146_097;

/** `00`–`99`. */
const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, n) => (n < 10 ? `0${n}` : `${n}`));

/**
 * Days since 1970-01-01 of a valid date (month 1–12, day within the month), any year 0–9999 as
 * written (no mapping of years 0–99 to 1900–1999, unlike `Date.UTC`).
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = month > 2 ? month - 3 : month + 9;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * ERA_DAYS + doe - EPOCH_SHIFT;
}

/** `yyyy-MM-ddTHH:mm:ss` of a second since the epoch, as `toISOString` writes it (years 0000–9999). */
export function isoSecond(second: number): string {
  const days = Math.floor(second / DAY_SECONDS);
  let rest = second - days * DAY_SECONDS;
  const z = days + EPOCH_SHIFT;
  const era = Math.floor(z / ERA_DAYS);
  const doe = z - era * ERA_DAYS;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const hour = Math.floor(rest / 3600);
  rest -= hour * 3600;
  const minute = Math.floor(rest / 60);
  const sec = rest - minute * 60;
  return `${TWO_DIGITS[Math.floor(year / 100)]}${TWO_DIGITS[year % 100]}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T${TWO_DIGITS[hour]}:${TWO_DIGITS[minute]}:${TWO_DIGITS[sec]}`;
}
