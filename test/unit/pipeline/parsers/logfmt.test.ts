import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseLogfmt } from '../../../../functions/core/pipeline/parsers/logfmt.ts';

describe('logfmt parser', () => {
  it.each([
    // Heroku router log (devcenter.heroku.com/articles/http-routing)
    [
      'at=info method=GET path="/" host=myapp.herokuapp.com request_id=8601b555-6a83-4c12-8269-97c8e32cdb22 fwd="204.204.204.204" dyno=web.1 connect=1ms service=18ms status=200 bytes=13 protocol=https',
      {
        at: 'info',
        method: 'GET',
        path: '/',
        host: 'myapp.herokuapp.com',
        request_id: '8601b555-6a83-4c12-8269-97c8e32cdb22',
        fwd: '204.204.204.204',
        dyno: 'web.1',
        connect: '1ms',
        service: '18ms',
        status: '200',
        bytes: '13',
        protocol: 'https',
      },
    ],
    // Grafana Loki's own log line
    [
      'level=info ts=2021-10-18T12:59:39.150Z caller=main.go:112 msg="Starting Loki" version="(version=2.4.0, branch=HEAD, revision=b1c9f5c1)"',
      {
        level: 'info',
        ts: '2021-10-18T12:59:39.150Z',
        caller: 'main.go:112',
        msg: 'Starting Loki',
        version: '(version=2.4.0, branch=HEAD, revision=b1c9f5c1)',
      },
    ],
    // Brandur's logfmt examples: bare keys are true, empty values are empty strings
    [
      'foo=bar a=14 baz="hello kitty" cool%story=bro f %^asdf',
      {
        foo: 'bar',
        a: '14',
        baz: 'hello kitty',
        'cool%story': 'bro',
        f: true,
        '%^asdf': true,
      },
    ],
    ['key= other="" esc="say \\"hi\\"\\n"', { key: '', other: '', esc: 'say "hi"\n' }],
    ['service.name=api log.level=warn', { service: { name: 'api' }, log: { level: 'warn' } }],
    ['  padded=yes\t', { padded: 'yes' }],
  ])('%s', (line, expected) => {
    expect(parseLogfmt(line)).toEqual(expected);
  });

  it.each([
    'just some free text',
    'authentication failure; logname= uid=0 euid=0',
    'flag key=value',
    '{"json":true}',
    '=value',
    'key="unterminated',
    'key="a"b',
    'a=b"c',
    '',
    '   ',
  ])('rejects %j', (line) => {
    expect(parseLogfmt(line)).toBeUndefined();
  });

  it('keys such as __proto__ stay data', () => {
    const fields = parseLogfmt('__proto__.polluted=yes constructor.prototype.x=1');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(fields)).toBe(
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"x":"1"}}}',
    );
  });

  const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_-]{0,11}$/);
  const value = fc.string({ maxLength: 20 });
  const encode = (v: string): string =>
    v !== '' && /^[^\s="\\]+$/.test(v)
      ? v
      : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r')}"`;

  it('round-trips generated key/values', () => {
    fc.assert(
      fc.property(fc.dictionary(key, value, { minKeys: 1, maxKeys: 8 }), (pairs) => {
        const line = Object.entries(pairs)
          .map(([k, v]) => `${k}=${encode(v)}`)
          .join(' ');
        expect(parseLogfmt(line)).toEqual(pairs);
      }),
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), (line) => {
        const result = parseLogfmt(line);
        expect(result === undefined || typeof result === 'object').toBe(true);
      }),
    );
  });
});
