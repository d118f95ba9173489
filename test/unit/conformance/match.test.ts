import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeMismatch, findMismatch } from '../../conformance/match.ts';

describe('payload subset match', () => {
  it.each([
    [{ errors: false }, { errors: false, took: 3, items: [] }],
    [
      { version: { distribution: 'opensearch' } },
      { version: { distribution: 'opensearch', number: '2.19.0' } },
    ],
    [
      { items: [{ delete: { status: 404 } }] },
      { items: [{ delete: { status: 404, _id: 'x' } }, { index: {} }] },
    ],
    [
      [1, 2],
      [1, 2, 3],
    ],
    [[], [1]],
    ['green', 'green'],
    ['{"a":1}', { a: 1 }],
    [null, null],
    [0, -0],
  ])('%j ⊆ %j', (expected, actual) => {
    expect(findMismatch(expected, actual)).toBeUndefined();
  });

  it.each([
    [{ errors: false }, { errors: true }, 'errors', 'differs'],
    [{ a: { b: 1 } }, { a: {} }, 'a.b', 'missing'],
    [{ items: [{ s: 1 }, { s: 2 }] }, { items: [{ s: 1 }] }, 'items[1]', 'missing'],
    [{ items: [{ s: 1 }] }, { items: [{ s: 2 }] }, 'items[0].s', 'differs'],
    [[2, 1], [1, 2], '[0]', 'differs'],
    [{ a: 1 }, [1], '', 'expected an object'],
    [{ a: [] }, { a: {} }, 'a', 'expected an array'],
    [{ n: 1 }, { n: '1' }, 'n', 'differs'],
    ['green', 'yellow', '', 'differs'],
    [{ a: null }, { a: 0 }, 'a', 'differs'],
  ])('%j ⊄ %j at %s', (expected, actual, path, reason) => {
    expect(findMismatch(expected, actual)).toMatchObject({ path, reason });
  });

  it('describes where and what differed', () => {
    const m = findMismatch({ hits: { total: { value: 2 } } }, { hits: { total: { value: 1 } } });
    expect(m && describeMismatch(m)).toBe('payload.hits.total.value: differs, expected 2, got 1');
  });

  it('every value contains itself, and any of its own sub-objects (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(findMismatch(v, v)).toBeUndefined();
      }),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.string(), fc.jsonValue()),
        fc.string(),
        fc.jsonValue(),
        (obj, key, extra) => {
          fc.pre(!Object.hasOwn(obj, key));
          expect(findMismatch(obj, { ...obj, [key]: extra })).toBeUndefined();
        },
      ),
    );
  });
});
