import { describe, expect, it } from 'vitest';
import { baseMediaType, parseBody } from '../../conformance/http.ts';

describe('response bodies', () => {
  it.each([
    ['application/json; charset=UTF-8', 'application/json'],
    ['text/plain;charset=utf-8', 'text/plain'],
    ['Application/YAML', 'application/yaml'],
    [undefined, undefined],
    ['', undefined],
  ])('baseMediaType(%j) = %j', (header, base) => {
    expect(baseMediaType(header)).toBe(base);
  });

  it.each([
    ['application/json', Buffer.from('{"a":[1,true,null]}'), { a: [1, true, null] }],
    ['application/vnd.opensearch+json', Buffer.from('{"a":1}'), { a: 1 }],
    [
      'application/yaml',
      Buffer.from('---\n- health: green\n  status: open\n'),
      [{ health: 'green', status: 'open' }],
    ],
    ['text/plain', Buffer.from('green open books\n'), 'green open books\n'],
    ['application/cbor', Buffer.from('a1616101', 'hex'), { a: 1 }],
    ['application/smile', Buffer.from('3a290a00fa8061c2fb', 'hex'), { a: 1 }],
    [undefined, Buffer.from('plain'), 'plain'],
    ['application/json', Buffer.alloc(0), undefined],
  ])('parses %s', (type, raw, payload) => {
    const parsed = parseBody(raw, type);
    expect(parsed.payload).toEqual(payload);
    expect(parsed.parseError).toBeUndefined();
  });

  it('keeps the text and reports a body that does not parse as its declared type', () => {
    const parsed = parseBody(Buffer.from('{"a":'), 'application/json');
    expect(parsed.payload).toBe('{"a":');
    expect(parsed.parseError).toMatch(/^application\/json body does not parse: /);
  });
});
