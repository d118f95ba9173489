import { describe, expect, it } from 'vitest';
import { formatDate, parseDate, parseDateMath } from '../../../../infra/local/opensearch/search/dates.ts';
import { SearchError } from '../../../../infra/local/opensearch/search/errors.ts';
import { NOW } from './harness.ts';

const iso = (ms: number): string => new Date(ms).toISOString();

describe('parseDate', () => {
  it.each<[unknown, string | undefined, string | undefined, string | undefined]>([
    ['2024-01-02T03:04:05.678Z', undefined, undefined, '2024-01-02T03:04:05.678Z'],
    ['2024-01-02T03:04:05Z', undefined, undefined, '2024-01-02T03:04:05.000Z'],
    ['2024-01-02T03:04:05.123456789Z', undefined, undefined, '2024-01-02T03:04:05.123Z'],
    ['2024-01-02T03:04:05+02:00', undefined, undefined, '2024-01-02T01:04:05.000Z'],
    ['2024-01-02T03:04:05', undefined, undefined, '2024-01-02T03:04:05.000Z'],
    ['2024-01-02T03:04:05', undefined, '-05:00', '2024-01-02T08:04:05.000Z'],
    ['2024-07-01T12:00:00', undefined, 'Europe/Paris', '2024-07-01T10:00:00.000Z'],
    ['2024-01-02', undefined, undefined, '2024-01-02T00:00:00.000Z'],
    ['2024-01', undefined, undefined, '2024-01-01T00:00:00.000Z'],
    [1704164645000, undefined, undefined, '2024-01-02T03:04:05.000Z'],
    ['1704164645000', undefined, undefined, '2024-01-02T03:04:05.000Z'],
    ['1704164645', 'epoch_second', undefined, '2024-01-02T03:04:05.000Z'],
    ['02/01/2024 03:04', 'dd/MM/yyyy HH:mm', undefined, '2024-01-02T03:04:00.000Z'],
    ['20240102', 'basic_date', undefined, '2024-01-02T00:00:00.000Z'],
    ['2024-01-02 03:04:05', 'yyyy-MM-dd HH:mm:ss||epoch_millis', undefined, '2024-01-02T03:04:05.000Z'],
    ['Sun Dec 04 04:47:44 2005', 'EEE MMM dd HH:mm:ss yyyy', undefined, '2005-12-04T04:47:44.000Z'],
    ['2024-02-30', undefined, undefined, undefined],
    ['yesterday', undefined, undefined, undefined],
  ])('%s (format %s, zone %s)', (value, format, zone, expected) => {
    const ms = parseDate(value, format, zone);
    expect(ms === undefined ? undefined : iso(ms)).toBe(expected);
  });
});

describe('parseDateMath (now = 2024-05-01T12:00:00Z)', () => {
  it.each<[string, boolean, string | undefined, string]>([
    ['now', false, undefined, '2024-05-01T12:00:00.000Z'],
    ['now-5m', false, undefined, '2024-05-01T11:55:00.000Z'],
    ['now+1h', false, undefined, '2024-05-01T13:00:00.000Z'],
    ['now-1d/d', false, undefined, '2024-04-30T00:00:00.000Z'],
    ['now/d', false, undefined, '2024-05-01T00:00:00.000Z'],
    ['now/d', true, undefined, '2024-05-01T23:59:59.999Z'],
    ['now/w', false, undefined, '2024-04-29T00:00:00.000Z'],
    ['now/M', false, undefined, '2024-05-01T00:00:00.000Z'],
    ['now/y', true, undefined, '2024-12-31T23:59:59.999Z'],
    ['now-1M', false, undefined, '2024-04-01T12:00:00.000Z'],
    ['now-2y+3d-4h', false, undefined, '2022-05-04T08:00:00.000Z'],
    ['now/d', false, '+02:00', '2024-04-30T22:00:00.000Z'],
    ['2024-01-31||+1M', false, undefined, '2024-02-29T00:00:00.000Z'],
    ['2024-01-01||+1M/d', false, undefined, '2024-02-01T00:00:00.000Z'],
    ['2024-01-01T10:20:30Z||/h', true, undefined, '2024-01-01T10:59:59.999Z'],
  ])('%s (round up %s, zone %s)', (expr, roundUp, timeZone, expected) => {
    expect(iso(parseDateMath(expr, { now: NOW, roundUp, timeZone }))).toBe(expected);
  });

  it.each(['now-5x', 'now+', 'now*2', '2024-13-01', 'soon'])('rejects %s', (expr) => {
    expect(() => parseDateMath(expr, { now: NOW })).toThrow(SearchError);
  });
});

describe('formatDate', () => {
  const t = Date.UTC(2024, 0, 2, 3, 4, 5, 6);
  it.each<[string | undefined, string | undefined, string]>([
    [undefined, undefined, '2024-01-02T03:04:05.006Z'],
    [undefined, '+01:00', '2024-01-02T04:04:05.006+01:00'],
    ['yyyy-MM-dd', undefined, '2024-01-02'],
    ['yyyy-MM-dd HH:mm', 'America/New_York', '2024-01-01 22:04'],
    ['epoch_millis', undefined, String(t)],
    ['strict_date', undefined, '2024-01-02'],
    ["dd MMM yyyy'T'HH", undefined, '02 Jan 2024T03'],
    ['EEE MMM dd', undefined, 'Tue Jan 02'],
  ])('format %s zone %s', (format, zone, expected) => {
    expect(formatDate(t, format, zone)).toBe(expected);
  });
});
