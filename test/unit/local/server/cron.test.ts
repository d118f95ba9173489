import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CronError,
  localFields,
  nextCronTime,
  parseCron,
} from '../../../../infra/local/opensearch/lifecycle/cron.ts';

const at = (iso: string) => Date.parse(iso);

describe('nextCronTime', () => {
  it.each([
    ['0 8 * * *', 'UTC', '2026-01-01T00:00:00Z', '2026-01-01T08:00:00.000Z'],
    ['0 8 * * *', 'UTC', '2026-01-01T08:00:00Z', '2026-01-02T08:00:00.000Z'],
    ['0 1 * * *', 'America/Los_Angeles', '2026-01-01T00:00:00Z', '2026-01-01T09:00:00.000Z'],
    // After the spring DST change Los Angeles is UTC-7.
    ['0 1 * * *', 'America/Los_Angeles', '2026-03-10T00:00:00Z', '2026-03-10T08:00:00.000Z'],
    ['*/15 * * * *', 'UTC', '2026-01-01T10:07:30Z', '2026-01-01T10:15:00.000Z'],
    ['5-10/5 * * * *', 'UTC', '2026-01-01T10:06:00Z', '2026-01-01T10:10:00.000Z'],
    // Day of month and day of week both restricted: either one (Friday 6 Feb comes first).
    ['0 0 13 * 5', 'UTC', '2026-02-01T00:00:00Z', '2026-02-06T00:00:00.000Z'],
    ['0 0 * * SUN', 'UTC', '2026-01-01T00:00:00Z', '2026-01-04T00:00:00.000Z'],
    ['0 0 * * 7', 'UTC', '2026-01-01T00:00:00Z', '2026-01-04T00:00:00.000Z'],
    ['0 12 1 JUN *', 'UTC', '2026-01-01T00:00:00Z', '2026-06-01T12:00:00.000Z'],
    ['0 0 29 2 *', 'UTC', '2026-01-01T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['30 9 * * 1-5', 'Europe/Paris', '2026-01-02T09:00:00Z', '2026-01-05T08:30:00.000Z'],
  ])('%s in %s after %s is %s', (expression, tz, after, expected) => {
    const next = nextCronTime(parseCron(expression), at(after), tz);
    expect(next === undefined ? undefined : new Date(next).toISOString()).toBe(expected);
  });

  it('never fires for an impossible date', () => {
    expect(nextCronTime(parseCron('0 0 31 2 *'), at('2026-01-01T00:00:00Z'), 'UTC')).toBeUndefined();
  });

  it.each([
    ['0 8 * *', '5 fields'],
    ['60 * * * *', 'out of range'],
    ['* 24 * * *', 'out of range'],
    ['* * * FOO *', 'invalid value'],
    ['*/0 * * * *', 'invalid step'],
  ])('rejects %s', (expression, message) => {
    expect(() => parseCron(expression)).toThrow(CronError);
    expect(() => parseCron(expression)).toThrow(message);
  });

  it('rejects an unknown time zone', () => {
    expect(() => localFields(0, 'Mars/Olympus')).toThrow(CronError);
  });

  it('finds the first matching minute: strictly later, whole minute, matching, none earlier', () => {
    const field = (max: number) =>
      fc.uniqueArray(fc.integer({ min: 0, max }), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(
        field(59),
        field(23),
        fc.integer({ min: at('2025-01-01T00:00:00Z'), max: at('2027-01-01T00:00:00Z') }),
        fc.constantFrom('UTC', 'America/Los_Angeles', 'Asia/Kolkata'),
        (minutes, hours, after, tz) => {
          const schedule = parseCron(`${minutes.join(',')} ${hours.join(',')} * * *`);
          const next = nextCronTime(schedule, after, tz);
          expect(next).toBeDefined();
          const n = next as number;
          expect(n).toBeGreaterThan(after);
          expect(n % 60_000).toBe(0);
          const f = localFields(n, tz);
          expect(minutes).toContain(f.minute);
          expect(hours).toContain(f.hour);
          for (let t = Math.floor(after / 60_000) * 60_000 + 60_000; t < n; t += 60_000) {
            const g = localFields(t, tz);
            expect(minutes.includes(g.minute) && hours.includes(g.hour)).toBe(false);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
