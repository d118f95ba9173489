import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileTimestampParser, TimestampError } from '../../../functions/core/pipeline/timestamp.ts';

const REFERENCE = Date.UTC(2026, 0, 1, 12); // 2026-01-01T12:00:00Z
const iso = (ms: number | undefined): string | undefined =>
  ms === undefined ? undefined : new Date(ms).toISOString();

describe('compileTimestampParser', () => {
  it.each([
    // named formats
    ['iso8601', '2024-03-01T10:00:00Z', '2024-03-01T10:00:00.000Z'],
    ['iso8601', '2024-03-01T10:00:00.123456+02:00', '2024-03-01T08:00:00.123Z'],
    ['iso8601', '2024-03-01T10:00:00,5-0130', '2024-03-01T11:30:00.500Z'],
    ['iso8601', '2024-03-01 10:00:00', '2024-03-01T10:00:00.000Z'],
    ['iso8601', '2024-03-01', '2024-03-01T00:00:00.000Z'],
    ['iso8601', '20240301T100000Z', '2024-03-01T10:00:00.000Z'],
    ['iso8601', '2024-02-29T23:59:59.999z', '2024-02-29T23:59:59.999Z'],
    ['rfc5424', '2003-10-11T22:14:15.003Z', '2003-10-11T22:14:15.003Z'],
    ['rfc5424', '2003-08-24T05:14:15.000003-07:00', '2003-08-24T12:14:15.000Z'],
    ['epoch_ms', '1700000000123', '2023-11-14T22:13:20.123Z'],
    ['epoch_s', '1700000000', '2023-11-14T22:13:20.000Z'],
    ['epoch_s', '1700000000.25', '2023-11-14T22:13:20.250Z'],
    ['httpdate', '10/Oct/2000:13:55:36 -0700', '2000-10-10T20:55:36.000Z'],
    ['syslog', 'Jun  9 06:06:20', '2025-06-09T06:06:20.000Z'],
    ['syslog', 'Dec 31 23:59:59', '2025-12-31T23:59:59.000Z'],
    ['syslog', 'Jan  2 10:00:00', '2026-01-02T10:00:00.000Z'],
    // Joda patterns from real logs (Loghub systems)
    ['yyMMdd HHmmss', '081109 203615', '2008-11-09T20:36:15.000Z'],
    ['yyyy-MM-dd HH:mm:ss,SSS', '2015-10-18 18:01:47,978', '2015-10-18T18:01:47.978Z'],
    ['yyyyMMdd-H:m:s:SSS', '20171223-22:15:29:606', '2017-12-23T22:15:29.606Z'],
    ['yyyyMMdd-H:m:s:SSS', '20171223-23:1:5:7', '2017-12-23T23:01:05.007Z'],
    ['MM-dd HH:mm:ss.SSS', '03-17 16:13:38.811', '2025-03-17T16:13:38.811Z'],
    ['EEE MMM dd HH:mm:ss yyyy', 'Sun Dec 04 04:47:44 2005', '2005-12-04T04:47:44.000Z'],
    ['EEE MMM dd HH:mm:ss.SSSSSS yyyy', 'Fri Sep 09 10:42:29.902022 2011', '2011-09-09T10:42:29.902Z'],
    ['dd/MMM/yyyy:HH:mm:ss Z', '10/Oct/2000:13:55:36 +0000', '2000-10-10T13:55:36.000Z'],
    ["yyyy-MM-dd'T'HH:mm:ssXXX", '2024-05-06T07:08:09+05:30', '2024-05-06T01:38:09.000Z'],
    ['dd MMMM yyyy hh:mm a', '06 September 2024 12:30 am', '2024-09-06T00:30:00.000Z'],
    ['dd MMMM yyyy hh:mm a', '06 September 2024 01:30 PM', '2024-09-06T13:30:00.000Z'],
  ])('%s: %s', (format, value, expected) => {
    expect(iso(compileTimestampParser([format], { now: () => REFERENCE })(value))).toBe(expected);
  });

  it('epoch formats take numbers as well as strings', () => {
    expect(iso(compileTimestampParser(['epoch_ms'])(1700000000123))).toBe('2023-11-14T22:13:20.123Z');
    expect(iso(compileTimestampParser(['epoch_s'])(1700000000.5))).toBe('2023-11-14T22:13:20.500Z');
    expect(compileTimestampParser(['iso8601'])(1700000000)).toBeUndefined();
  });

  it.each([
    ['iso8601', '2024-13-01T00:00:00Z'],
    ['iso8601', '2023-02-29T00:00:00Z'],
    ['iso8601', '0000-01-01T00:00:00Z'],
    ['iso8601', '10000-01-01T00:00:00Z'],
    ['iso8601', '2024-01-01T24:00:00Z'],
    ['iso8601', '2024-01-01T10:61:00Z'],
    ['iso8601', 'yesterday'],
    ['iso8601', ''],
    ['epoch_ms', '12abc'],
    ['epoch_s', '1e400'],
    ['epoch_ms', '999999999999999999'],
    ['httpdate', '10/Foo/2000:13:55:36 -0700'],
    ['httpdate', '32/Oct/2000:13:55:36 -0700'],
    ['syslog', 'Jun 31 06:06:20'],
    ['syslog', 'Jux  9 06:06:20'],
    ['yyMMdd HHmmss', '081309 203615'],
    ['dd MMMM yyyy hh:mm a', '06 September 2024 13:30 PM'],
  ])('%s rejects %j', (format, value) => {
    expect(compileTimestampParser([format], { now: () => REFERENCE })(value)).toBeUndefined();
  });

  it('tries formats in order', () => {
    const parse = compileTimestampParser(['epoch_ms', 'iso8601']);
    expect(iso(parse('2024-01-01T00:00:00Z'))).toBe('2024-01-01T00:00:00.000Z');
    expect(iso(parse('0'))).toBe('1970-01-01T00:00:00.000Z');
  });

  it.each([
    ['UTC', '2024-01-15 12:00:00', '2024-01-15T12:00:00.000Z'],
    ['+02:00', '2024-01-15 12:00:00', '2024-01-15T10:00:00.000Z'],
    ['-0530', '2024-01-15 12:00:00', '2024-01-15T17:30:00.000Z'],
    ['Europe/Paris', '2024-01-15 12:00:00', '2024-01-15T11:00:00.000Z'],
    ['Europe/Paris', '2024-07-15 12:00:00', '2024-07-15T10:00:00.000Z'],
    ['America/New_York', '2024-11-03 00:30:00', '2024-11-03T04:30:00.000Z'],
    ['America/New_York', '2024-11-03 03:00:00', '2024-11-03T08:00:00.000Z'],
    ['Asia/Kolkata', '2024-01-15 12:00:00', '2024-01-15T06:30:00.000Z'],
    ['Australia/Sydney', '2024-01-15 12:00:00', '2024-01-15T01:00:00.000Z'],
  ])('zone %s: %s', (timezone, value, expected) => {
    expect(iso(compileTimestampParser(['yyyy-MM-dd HH:mm:ss'], { timezone })(value))).toBe(expected);
  });

  it('an explicit offset in the text wins over the zone option', () => {
    const parse = compileTimestampParser(['iso8601'], { timezone: 'Europe/Paris' });
    expect(iso(parse('2024-01-15T12:00:00Z'))).toBe('2024-01-15T12:00:00.000Z');
    expect(iso(parse('2024-01-15T12:00:00'))).toBe('2024-01-15T11:00:00.000Z');
  });

  it('a wall time in a DST gap still resolves to a nearby instant', () => {
    // 2024-03-31 02:30 does not exist in Paris (clocks jump 02:00 → 03:00).
    const ms = compileTimestampParser(['yyyy-MM-dd HH:mm'], { timezone: 'Europe/Paris' })('2024-03-31 02:30');
    expect(ms).toBeDefined();
    expect(Math.abs((ms ?? 0) - Date.UTC(2024, 2, 31, 1, 0))).toBeLessThanOrEqual(3_600_000);
  });

  it('year-less formats use the year option, else the reference clock, else fail', () => {
    expect(iso(compileTimestampParser(['syslog'], { year: 2005 })('Jun 14 15:16:01'))).toBe(
      '2005-06-14T15:16:01.000Z',
    );
    // Up to a day ahead of the reference stays in the reference year (clock skew).
    const jan1 = compileTimestampParser(['syslog'], { now: () => REFERENCE });
    expect(iso(jan1('Jan  2 11:00:00'))).toBe('2026-01-02T11:00:00.000Z');
    expect(iso(jan1('Jan  2 13:00:00'))).toBe('2025-01-02T13:00:00.000Z');
    expect(compileTimestampParser(['syslog'])('Jun 14 15:16:01')).toBeUndefined();
    // Feb 29 that cannot be in the reference year is read in the year before.
    expect(
      iso(compileTimestampParser(['syslog'], { now: () => Date.UTC(2024, 2, 1) })('Feb 29 00:00:00')),
    ).toBe('2024-02-29T00:00:00.000Z');
    expect(
      iso(compileTimestampParser(['syslog'], { now: () => Date.UTC(2025, 5, 1) })('Feb 29 00:00:00')),
    ).toBe('2024-02-29T00:00:00.000Z');
    expect(
      compileTimestampParser(['syslog'], { now: () => Date.UTC(2026, 5, 1) })('Feb 29 00:00:00'),
    ).toBeUndefined();
  });

  it.each([
    [['iso8601'], { timezone: 'Mars/Olympus_Mons' }],
    [['yyyy-MM-dd QQ'], {}],
    [["yyyy-MM-dd 'unclosed"], {}],
  ])('configuration errors throw TimestampError: %j %j', (formats, options) => {
    expect(() => compileTimestampParser(formats, options)).toThrow(TimestampError);
  });

  it('repeated strings give the same answer (cache)', () => {
    const parse = compileTimestampParser(['iso8601']);
    const first = parse('2024-03-01T10:00:00Z');
    expect(parse('2024-03-01T10:00:00Z')).toBe(first);
    expect(parse('not a date')).toBeUndefined();
    expect(parse('not a date')).toBeUndefined();
  });

  const instants = fc.integer({ min: Date.UTC(1, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) });

  it('iso8601 reads back what Date#toISOString writes', () => {
    const parse = compileTimestampParser(['iso8601']);
    fc.assert(
      fc.property(
        instants.filter((ms) => ms >= Date.UTC(1000, 0, 1)),
        (ms) => {
          expect(parse(new Date(ms).toISOString())).toBe(ms);
        },
      ),
    );
  });

  it('httpdate reads back any instant written with any offset', () => {
    const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
    const parse = compileTimestampParser(['httpdate']);
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1000, 0, 2), max: Date.UTC(9999, 11, 30) }),
        fc.integer({ min: -12 * 60, max: 14 * 60 }),
        (ms, offset) => {
          const seconds = ms - (ms % 1000);
          const local = new Date(seconds + offset * 60_000);
          const sign = offset < 0 ? '-' : '+';
          const abs = Math.abs(offset);
          const text = `${pad(local.getUTCDate())}/${months[local.getUTCMonth()]}/${local.getUTCFullYear()}:${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
          expect(parse(text)).toBe(seconds);
        },
      ),
    );
  });

  it('never throws on arbitrary input', () => {
    const parse = compileTimestampParser(
      ['iso8601', 'epoch_ms', 'httpdate', 'syslog', 'yyyy-MM-dd HH:mm:ss,SSS'],
      {
        now: () => REFERENCE,
        timezone: 'Europe/Berlin',
      },
    );
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double().map(String), fc.double()), (value) => {
        const ms = parse(value);
        expect(ms === undefined || Number.isFinite(ms)).toBe(true);
      }),
    );
  });
});
