import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fields } from '../../../functions/core/pipeline/fields.ts';
import { type FieldLimits, guardFields } from '../../../functions/core/pipeline/limits.ts';

/** Property runs share the CPU with the rest of the suite. */
const PROPERTY_TIMEOUT = 60_000;

const limits: FieldLimits = { maxFields: 1000, maxDepth: 20, maxFieldBytes: 32766 };

function counters() {
  return { overflowedFields: 0, renamedKeys: 0, truncated: 0 };
}

describe('guardFields', () => {
  it('copies a document within the limits unchanged', () => {
    const input = { a: 1, b: { c: 'x', d: [1, 2], e: [{ f: true }] }, g: null };
    const c = counters();
    const out = guardFields(input, limits, c);
    expect(out).toEqual({ fields: input, overflow: undefined });
    expect(out.fields).not.toBe(input);
    expect(c).toEqual(counters());
  });

  it.each<[string, FieldLimits, Fields, Fields, Fields | undefined, number]>([
    [
      'too many fields',
      { ...limits, maxFields: 2 },
      { a: 1, b: 2, c: 3, d: { e: 4 } },
      { a: 1, b: 2, d: {} },
      { c: 3, 'd.e': 4 },
      2,
    ],
    [
      'an array of scalars is one field',
      { ...limits, maxFields: 2 },
      { a: [1, 2, 3], b: ['x'], c: 1 },
      { a: [1, 2, 3], b: ['x'] },
      { c: 1 },
      1,
    ],
    [
      'too deep',
      { ...limits, maxDepth: 2 },
      { a: { b: { c: 1 } }, x: { y: 2 } },
      { a: {}, x: { y: 2 } },
      { 'a.b': { c: 1 } },
      1,
    ],
    [
      'dotted keys count as depth',
      { ...limits, maxDepth: 2 },
      { 'a.b': { c: 1 } },
      {},
      { 'a.b': { c: 1 } },
      1,
    ],
    [
      'objects inside arrays',
      { ...limits, maxDepth: 2 },
      { a: [{ b: { c: 1 } }] },
      { a: [{}] },
      { 'a[0].b': { c: 1 } },
      1,
    ],
  ])('%s', (_name, lim, input, fields, overflow, overflowed) => {
    const c = counters();
    expect(guardFields(input, lim, c)).toEqual({ fields, overflow });
    expect(c.overflowedFields).toBe(overflowed);
  });

  it('keeps reserved room for the fields the document adds', () => {
    const out = guardFields({ a: 1, b: 2, c: 3 }, { ...limits, maxFields: 3 }, counters(), 2);
    expect(out.fields).toEqual({ a: 1 });
  });

  it.each([
    ['', '_empty'],
    ['...', '_empty'],
    ['  ', '_empty'],
    ['.a', 'a'],
    ['a.', 'a'],
    ['a..b', 'a.b'],
    ['a. .b', 'a.b'],
  ])('renames the key %j to %j', (key, renamed) => {
    const c = counters();
    const out = guardFields(JSON.parse(`{${JSON.stringify(key)}: 1}`), limits, c);
    expect(out.fields).toEqual({ [renamed]: 1 });
    expect(c.renamedKeys).toBe(1);
  });

  it('does not clobber a kept key when renaming', () => {
    const out = guardFields({ _empty: 1, '': 2, '.': 3 }, limits, counters());
    expect(out.fields).toEqual({ _empty: 1, _empty_2: 2, _empty_3: 3 });
    const later = guardFields({ '': 1, _empty: 2 }, limits, counters());
    expect(later.fields).toEqual({ _empty: 1, _empty_2: 2 });
  });

  it('keeps both values when two overflowed fields share a path', () => {
    const input = { 'a.b': 1, a: { b: 2 }, c: [{ d: 3 }, { d: 4 }] };
    const out = guardFields(input, { ...limits, maxFields: 1 }, counters(), 1);
    expect(out.fields).toEqual({ a: {}, c: [{}, {}] });
    expect(out.overflow).toEqual({ 'a.b': 1, 'a.b#2': 2, 'c[0].d': 3, 'c[1].d': 4 });
  });

  it('cuts long strings at a character boundary and counts them', () => {
    const c = counters();
    const out = guardFields({ m: 'aé€', n: ['ééé'] }, { ...limits, maxFieldBytes: 4 }, c);
    expect(out.fields).toEqual({ m: 'aé', n: ['éé'] });
    expect(c.truncated).toBe(2);
  });

  it('keeps __proto__ and constructor as plain data', () => {
    const input = JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"x": 1}}}');
    const out = guardFields(input, limits, counters());
    expect(Object.getPrototypeOf(out.fields)).toBe(Object.prototype);
    expect(JSON.stringify(out.fields)).toBe(
      '{"__proto__":{"polluted":1},"constructor":{"prototype":{"x":1}}}',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it(
    'every leaf is kept or overflowed, never both, never lost',
    () => {
      const json = fc.jsonValue({ maxDepth: 6 });
      const doc = fc.dictionary(
        fc.string({ minLength: 1, maxLength: 4 }).filter((k) => !/^[\s.]|[\s.]$|\.\.|^\s*$/.test(k)),
        json,
      );
      fc.assert(
        fc.property(
          doc,
          fc.integer({ min: 1, max: 8 }),
          fc.integer({ min: 1, max: 5 }),
          (input, maxFields, maxDepth) => {
            const c = counters();
            const out = guardFields(input, { maxFields, maxDepth, maxFieldBytes: 1 << 20 }, c);
            // Nothing lost: every scalar is either kept or in the overflow.
            expect(scalars(out.fields) + scalars(out.overflow ?? {})).toBe(scalars(input));
            expect(Object.keys(out.overflow ?? {}).length).toBe(c.overflowedFields);
            expect(leaves(out.fields)).toBeLessThanOrEqual(maxFields);
            expect(depth(out.fields)).toBeLessThanOrEqual(maxDepth);
          },
        ),
      );
    },
    PROPERTY_TIMEOUT,
  );
});

function scalars(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 1;
  return Object.values(value).reduce((n: number, v) => n + scalars(v), 0);
}

function leaves(value: unknown): number {
  if (Array.isArray(value)) {
    const objects = value.filter((v) => typeof v === 'object' && v !== null);
    return objects.reduce((n: number, v) => n + leaves(v), 0) + (objects.length < value.length ? 1 : 0);
  }
  if (typeof value === 'object' && value !== null) {
    return Object.values(value).reduce((n: number, v) => n + leaves(v), 0);
  }
  return 1;
}

/** Object nesting: a top-level scalar is at depth 1, `{a: {b: 1}}` has `a` at depth 1 holding an object. */
function depth(value: unknown, level = 0): number {
  if (Array.isArray(value)) return Math.max(level, ...value.map((v) => depth(v, level)));
  if (typeof value === 'object' && value !== null) {
    return Math.max(
      level,
      ...Object.entries(value).map(([k, v]) => depth(v, level + 1 + (k.split('.').length - 1))),
    );
  }
  return level;
}
