import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  daysFromCivil,
  isoSecond,
  MAX_CIVIL_MS,
  MIN_CIVIL_MS,
} from '../../../functions/core/pipeline/civil.ts';

const DAY_MS = 86_400_000;

/** The reference: a Date set field by field (setUTCFullYear keeps years 0–99 as written). */
function dateDays(year: number, month: number, day: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getTime() / DAY_MS;
}

describe('isoSecond', () => {
  it.each([
    [0, '1970-01-01T00:00:00'],
    [-1, '1969-12-31T23:59:59'],
    [951_782_400, '2000-02-29T00:00:00'],
    [4_107_542_399, '2100-02-28T23:59:59'],
    [MIN_CIVIL_MS / 1000, '0000-01-01T00:00:00'],
    [Math.floor(MAX_CIVIL_MS / 1000), '9999-12-31T23:59:59'],
  ])('second %d is %s', (second, text) => {
    expect(isoSecond(second)).toBe(text);
  });

  it('writes what toISOString writes, for every second of years 0000–9999', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MIN_CIVIL_MS / 1000, max: Math.floor(MAX_CIVIL_MS / 1000) }),
        (second) => {
          expect(isoSecond(second)).toBe(new Date(second * 1000).toISOString().slice(0, 19));
        },
      ),
      { numRuns: 5000 },
    );
  });
});

describe('daysFromCivil', () => {
  it.each([
    [1970, 1, 1, 0],
    [1969, 12, 31, -1],
    [2000, 3, 1, 11_017],
    [1, 1, 1, -719_162],
    [0, 2, 29, -719_469],
  ])('%d-%d-%d is day %d', (year, month, day, days) => {
    expect(daysFromCivil(year, month, day)).toBe(days);
    expect(dateDays(year, month, day)).toBe(days);
  });

  it('counts the days a Date counts, years 0–9999 as written', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
        (year, month, day) => {
          expect(daysFromCivil(year, month, day)).toBe(dateDays(year, month, day));
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('is the inverse of isoSecond, month ends and leap days included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: MIN_CIVIL_MS / DAY_MS, max: Math.floor(MAX_CIVIL_MS / DAY_MS) }),
        (days) => {
          const text = isoSecond(days * 86_400);
          const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
          expect(daysFromCivil(year, month, day)).toBe(days);
        },
      ),
      { numRuns: 5000 },
    );
  });
});
