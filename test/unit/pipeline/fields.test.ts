import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deletePath, getPath, setPath } from '../../../functions/core/pipeline/fields.ts';

describe('field paths', () => {
  it.each([
    [{ service: { name: 'api' } }, 'service.name', 'api'],
    [{ 'service.name': 'api' }, 'service.name', 'api'],
    [{ http: { 'response.status_code': 200 } }, 'http.response.status_code', 200],
    [{ a: 1 }, 'a.b', undefined],
    [{}, 'missing', undefined],
  ])('getPath(%j, %s) = %j', (obj, path, expected) => {
    expect(getPath(obj, path)).toEqual(expected);
  });

  it('setPath builds nested objects and replaces scalars on the way', () => {
    const doc: Record<string, unknown> = { client: 'x' };
    setPath(doc, 'client.ip', '10.0.0.1');
    setPath(doc, 'log.level', 'info');
    expect(doc).toEqual({ client: { ip: '10.0.0.1' }, log: { level: 'info' } });
  });

  it('keys such as __proto__ stay data and never touch prototypes', () => {
    const doc: Record<string, unknown> = {};
    setPath(doc, '__proto__.polluted', 'yes');
    setPath(doc, 'constructor.prototype.polluted', 'yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(
      JSON.parse('{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}}}'),
    );
    expect(getPath(doc, '__proto__.polluted')).toBe('yes');
  });

  it('deletePath removes nested and literal dotted keys', () => {
    const doc: Record<string, unknown> = { a: { b: 1, c: 2 }, 'x.y': 3 };
    expect(deletePath(doc, 'a.b')).toBe(1);
    expect(deletePath(doc, 'x.y')).toBe(3);
    expect(deletePath(doc, 'nope.nope')).toBeUndefined();
    expect(doc).toEqual({ a: { c: 2 } });
  });

  it('what setPath writes, getPath reads back (property)', () => {
    const segment = fc.stringMatching(/^[a-z_]{1,8}$/).filter((s) => s !== '__proto__');
    fc.assert(
      fc.property(fc.array(segment, { minLength: 1, maxLength: 5 }), fc.jsonValue(), (segments, value) => {
        const doc: Record<string, unknown> = {};
        const path = segments.join('.');
        setPath(doc, path, value);
        expect(getPath(doc, path)).toEqual(value);
      }),
    );
  });
});
