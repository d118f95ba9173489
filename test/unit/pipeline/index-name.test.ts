import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileDateFormat,
  formatDate,
  isValidIndexName,
  parseTemplate,
  renderTemplate,
  sanitizeIndexName,
  sanitizeIndexValue,
  TemplateSyntaxError,
} from '../../../functions/core/pipeline/index-name.ts';
import { type CompiledRoute, routeDocument } from '../../../functions/core/pipeline/route.ts';

/** Property runs share the CPU with the rest of the suite. */
const PROPERTY_TIMEOUT = 60_000;

const MAY_1 = Date.UTC(2024, 4, 1, 13, 45, 0);

describe('isValidIndexName', () => {
  it.each([
    ['logs-api-2024.05.01', true],
    ['logs-café', true],
    ['Logs', false],
    ['', false],
    ['.', false],
    ['..', false],
    ['-logs', false],
    ['_logs', false],
    ['+logs', false],
    ['a/b', false],
    ['a*', false],
    ['a,b', false],
    ['a b', false],
    ['a:b', false],
    ['a#b', false],
    ['a'.repeat(255), true],
    ['a'.repeat(256), false],
    ['é'.repeat(128), false],
  ])('%j → %s', (name, valid) => {
    expect(isValidIndexName(name)).toBe(valid);
  });
});

describe('sanitizeIndexValue', () => {
  it.each([
    ['api', 'api'],
    ['Checkout-Service', 'checkout-service'],
    ['../x', 'x'],
    ['../../_all', 'all'],
    ['*', undefined],
    [',', undefined],
    ['a,b', 'a_b'],
    ['a*b', 'a_b'],
    ['_all', 'all'],
    ['-+_x', 'x'],
    ['a/b\\c', 'a_b_c'],
    ['my app', 'my_app'],
    ['Café Ünïcode', 'café_ünïcode'],
    ['日本語', '日本語'],
    ['', undefined],
    ['   ', undefined],
    ['..', undefined],
    ['x'.repeat(100), 'x'.repeat(100)],
    ['x'.repeat(300), undefined],
    [42, '42'],
    [-1.5, '1.5'],
    [true, 'true'],
    [Number.NaN, undefined],
    [null, undefined],
    [undefined, undefined],
    [{ a: 1 }, undefined],
    [['a'], undefined],
  ])('%j → %j', (value, expected) => {
    expect(sanitizeIndexValue(value)).toBe(expected);
  });
});

describe('sanitizeIndexName', () => {
  it.each([
    ['logs-unrouted', 'logs-unrouted'],
    ['Logs Unrouted', 'logs_unrouted'],
    ['_all', 'all'],
    ['-+_x', 'x'],
    ['..', undefined],
    ['', undefined],
    ['a'.repeat(300), 'a'.repeat(255)],
    // 85 three-byte characters = 255 bytes; the 86th does not fit and is not split.
    ['€'.repeat(100), '€'.repeat(85)],
  ])('%j → %j', (name, expected) => {
    expect(sanitizeIndexName(name)).toBe(expected);
  });

  it(
    'gives a valid name or undefined for any string',
    () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 400 }), (name) => {
          const out = sanitizeIndexName(name);
          if (out !== undefined) expect(isValidIndexName(out)).toBe(true);
        }),
        { numRuns: 500 },
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('parseTemplate', () => {
  it('splits literals, fields and dates', () => {
    const t = parseTemplate('logs-{service.name}-{yyyy.MM.dd}');
    expect(t.parts.map((p) => p.kind)).toEqual(['literal', 'field', 'literal', 'date']);
    expect(t.constant).toBe(false);
    expect(parseTemplate('logs-static').constant).toBe(true);
  });

  it.each([
    ['logs-{a', /unclosed/],
    ['logs-a}', /unmatched/],
    ['logs-{{a}}', /nested/],
    ['logs-{}', /neither a field path/],
    ['logs-{a..b}', /neither a field path/],
    ['Logs-{a}', /lowercase/],
    ['logs {a}', /lowercase/],
    ['_x-{a}', /must not start/],
    ['.x-{a}', /must not start/],
    ['', /empty/],
  ])('rejects %j', (source, message) => {
    expect(() => parseTemplate(source)).toThrow(TemplateSyntaxError);
    expect(() => parseTemplate(source)).toThrow(message);
  });
});

describe('renderTemplate', () => {
  const doc = {
    service: { name: 'Checkout' },
    kafka: { topic: 'App.Logs', partition: 4 },
    bad: '../_all',
    star: '*',
    long: 'x'.repeat(300),
    nested: { 'dotted.key': 'v' },
  };
  it.each([
    ['logs-{service.name}-{yyyy.MM.dd}', 'logs-checkout-2024.05.01'],
    ['logs-{kafka.topic}-{kafka.partition}', 'logs-app.logs-4'],
    ['logs-{yyyy-MM}', 'logs-2024-05'],
    ['logs-{yy.MM.dd.HH}', 'logs-24.05.01.13'],
    ['logs-{yyyyMMdd}', 'logs-20240501'],
    ['logs-{bad}', 'logs-all'],
    ['{service.name}', 'checkout'],
    ['logs-{nested.dotted.key}', 'logs-v'],
    ['logs-{star}', undefined],
    ['logs-{missing}', undefined],
    ['logs-{long}', undefined],
    ['logs-{service}', undefined],
    ['{long}{long}', undefined],
  ])('%s → %j', (source, expected) => {
    expect(renderTemplate(parseTemplate(source), doc, MAY_1)).toBe(expected);
  });

  it('rejects a rendered name over 255 bytes rather than cut the date off', () => {
    const long = { a: 'a'.repeat(100), b: 'b'.repeat(100) };
    expect(renderTemplate(parseTemplate('logs-{a}-{b}-{a}-{yyyy.MM.dd}'), long, MAY_1)).toBeUndefined();
    expect(renderTemplate(parseTemplate('logs-{a}-{b}-{yyyy.MM.dd}'), long, MAY_1)).toHaveLength(217);
  });
});

describe('formatDate', () => {
  it.each([
    ['yyyy.MM.dd', Date.UTC(2024, 0, 9, 23, 59, 59, 999), '2024.01.09'],
    ['yyyy.MM.dd', Date.UTC(2024, 0, 10), '2024.01.10'],
    ['yyyy.MM.dd.HH', Date.UTC(2024, 11, 31, 7), '2024.12.31.07'],
    ['yy-MM', Date.UTC(2009, 1, 1), '09-02'],
    ['yyyy', Date.UTC(1969, 11, 31, 23), '1969'],
    ['yyyy.MM.dd', -1, '1969.12.31'],
  ])('%s at %d → %s', (pattern, ms, expected) => {
    expect(formatDate(compileDateFormat(pattern), ms)).toBe(expected);
  });

  it(
    'caches per UTC day and agrees with an uncached format',
    () => {
      const format = compileDateFormat('yyyy.MM.dd');
      fc.assert(
        fc.property(fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }), (ms) => {
          const cached = formatDate(format, ms);
          expect(cached).toBe(new Date(ms).toISOString().slice(0, 10).replaceAll('-', '.'));
        }),
      );
      expect(format.cache.size).toBeGreaterThan(0);
      expect(format.cache.size).toBeLessThanOrEqual(1024);
    },
    PROPERTY_TIMEOUT,
  );
});

describe('routeDocument', () => {
  const route: CompiledRoute = {
    kind: 'index',
    template: parseTemplate('logs-{service.name}-{yyyy.MM.dd}'),
    fallback: 'logs-unrouted',
    action: 'create',
  };

  it('routes to the template or to the fallback, counting the latter', () => {
    const counters = { routedToFallback: 0 };
    expect(routeDocument(route, { service: { name: 'api' } }, MAY_1, counters)).toBe('logs-api-2024.05.01');
    expect(routeDocument(route, { service: { name: '*' } }, MAY_1, counters)).toBe('logs-unrouted');
    expect(routeDocument(route, {}, MAY_1, counters)).toBe('logs-unrouted');
    expect(counters.routedToFallback).toBe(2);
  });

  it(
    'any value gives a valid index name that keeps the template shape, or the fallback',
    () => {
      const value = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.constantFrom('../x', '*', ',', '_all', 'A,B', '-x', '+x', '.', '..', 'x/../../y', '%2e%2e'),
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.constant(null),
      );
      fc.assert(
        fc.property(value, (name) => {
          const counters = { routedToFallback: 0 };
          const index = routeDocument(route, { service: { name } }, MAY_1, counters);
          expect(isValidIndexName(index)).toBe(true);
          if (counters.routedToFallback === 0) {
            // The value stayed in its place: one segment, no path, wildcard or list separator.
            expect(index).toMatch(/^logs-[^\\/*?"<>|,#:\s]+-2024\.05\.01$/u);
            expect(index.slice(5, -11)).toBe(sanitizeIndexValue(name));
          } else expect(index).toBe('logs-unrouted');
        }),
        { numRuns: 1000 },
      );
    },
    PROPERTY_TIMEOUT,
  );
});
