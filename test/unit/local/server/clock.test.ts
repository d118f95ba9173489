import { describe, expect, it } from 'vitest';
import { createClock } from '../../../../infra/local/opensearch/clock.ts';
import { parseByteSize, parseDuration, parseTimeValue } from '../../../../infra/local/opensearch/units.ts';

describe('createClock', () => {
  it('follows real time until set, then moves only when told', () => {
    let real = 1_000;
    const clock = createClock(undefined, () => real);
    expect(clock.now()).toBe(1_000);
    real = 2_000;
    expect(clock.now()).toBe(2_000);
    expect(clock.manual).toBe(false);
    clock.set(50);
    real = 9_000;
    expect(clock.now()).toBe(50);
    clock.advance(25);
    expect(clock.now()).toBe(75);
  });

  it('advance on a real-time clock freezes it at real time plus the step', () => {
    const clock = createClock(undefined, () => 10_000);
    clock.advance(500);
    expect(clock.now()).toBe(10_500);
    expect(clock.manual).toBe(true);
  });

  it('an initial time makes it manual from the start', () => {
    const clock = createClock(123, () => 999);
    expect(clock.now()).toBe(123);
  });
});

describe('units', () => {
  it.each([
    ['1d', 86_400_000],
    ['30m', 1_800_000],
    ['1.5s', 1_500],
    ['500ms', 500],
    ['-1', -1],
    ['0', 0],
    [2000, 2000],
  ])('time %j = %i ms', (value, ms) => {
    expect(parseTimeValue(value, 'x')).toBe(ms);
    expect(parseDuration(value)).toBe(ms);
  });

  it.each([
    ['5gb', 5 * 1024 ** 3],
    ['10mb', 10 * 1024 ** 2],
    ['1kb', 1024],
    ['7b', 7],
  ])('size %s', (value, bytes) => {
    expect(parseByteSize(value, 'x')).toBe(bytes);
  });

  it('rejects values without a unit', () => {
    expect(() => parseTimeValue('10', 'refresh_interval')).toThrowError(
      /failed to parse setting \[refresh_interval\]/,
    );
    expect(() => parseByteSize('10', 'max_size')).toThrowError(/failed to parse setting \[max_size\]/);
  });
});
