import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileGrok,
  fieldPath,
  GROK_PATTERNS,
  GrokError,
} from '../../../../functions/core/pipeline/grok/index.ts';

describe('grok pattern library', () => {
  it.each(Object.keys(GROK_PATTERNS))('%s compiles to a JS regex', (name) => {
    expect(() => compileGrok(`%{${name}:value}`)).not.toThrow();
  });

  // Whole-value matches (anchored): [pattern, accepted, rejected]
  it.each([
    ['INT', ['0', '-12', '+7'], ['1.5', 'a']],
    ['NUMBER', ['1.5', '-0.25', '42', '.5'], ['1.2.3', 'x']],
    ['POSINT', ['1', '3000'], ['0', '-1', '01']],
    ['WORD', ['hello_1'], ['two words', '']],
    ['IPV4', ['10.0.0.1', '255.255.255.255'], ['256.1.1.1', '1.2.3', '1.2.3.4.5']],
    ['IPV6', ['::1', '2001:db8::ff00:42:8329', 'fe80::1%eth0', '::ffff:192.0.2.128'], ['1:2:3', 'gggg::1']],
    ['IP', ['192.0.2.1', '2001:db8::1'], ['example.com']],
    ['HOSTNAME', ['example.com', 'web-1.eu.example.org'], ['-bad.com', 'a b']],
    ['IPORHOST', ['10.1.1.1', 'localhost'], ['a/b']],
    ['HOSTPORT', ['example.com:8080', '10.0.0.1:443'], ['example.com']],
    ['UUID', ['123e4567-e89b-12d3-a456-426614174000'], ['123e4567-e89b-12d3-a456']],
    ['MAC', ['00:1A:2b:3C:4d:5E', '00-1a-2b-3c-4d-5e', '001a.2b3c.4d5e'], ['00:1A:2b']],
    ['QUOTEDSTRING', ['"a \\"quoted\\" word"', "'single'", '""'], ['"open', 'bare']],
    ['QS', ['"GET / HTTP/1.1"'], ['GET']],
    ['UNIXPATH', ['/var/log/nginx/access.log'], ['relative/path']],
    ['PATH', ['/etc/hosts', 'C:\\Windows\\System32'], ['hosts']],
    ['URIPATH', ['/a/b/c.html'], ['a/b']],
    ['URIPARAM', ['?a=1&b=2'], ['a=1']],
    ['URI', ['https://user@example.com:8443/path?q=1', 'ftp://10.0.0.1/file'], ['example.com/path']],
    ['MONTH', ['Jan', 'September', 'Dez', 'Okt'], ['Foo']],
    ['MONTHNUM', ['1', '09', '12'], ['13', '00']],
    ['MONTHDAY', ['1', '09', '31'], ['32', '00']],
    ['DAY', ['Mon', 'Thursday'], ['Thr']],
    ['YEAR', ['2024', '24'], ['202']],
    ['TIME', ['13:55:36', '06:06:20.123', '23:59:60'], ['24:00:00', '12:60:00']],
    ['DATE_US', ['10/31/2024', '1-2-24'], ['31/10/2024']],
    ['DATE_EU', ['31.10.2024', '01/02/2024'], ['2024-10-31']],
    ['ISO8601_TIMEZONE', ['Z', '+02:00', '-0700'], ['+2']],
    [
      'TIMESTAMP_ISO8601',
      ['2024-03-01T10:00:00Z', '2015-10-18 18:01:47,978', '2024-03-01T10:00:00.123+02:00'],
      ['2024/03/01'],
    ],
    ['DATESTAMP', ['10/31/2024 13:55:36'], ['2024-10-31 13:55:36']],
    ['HTTPDATE', ['10/Oct/2000:13:55:36 -0700'], ['10/Oct/2000 13:55:36']],
    ['SYSLOGTIMESTAMP', ['Jun  9 06:06:20', 'Dec 10 06:55:46'], ['2024-06-09 06:06:20']],
    ['LOGLEVEL', ['INFO', 'warn', 'Warning', 'ERROR', 'debug', 'FATAL', 'notice'], ['loud']],
    ['USERNAME', ['frank', 'svc.deploy-1'], ['a b']],
  ])('%s', (name, accepted, rejected) => {
    const parse = compileGrok(`%{${name}:v}`, {}, { anchored: true });
    for (const text of accepted) expect(parse(text), `${name} accepts ${text}`).toEqual({ v: text });
    for (const text of rejected) expect(parse(text), `${name} rejects ${text}`).toBeUndefined();
  });
});

describe('compileGrok', () => {
  it.each([
    [
      '%{SYSLOGBASE} %{GREEDYDATA:message}',
      'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0',
      {
        '@timestamp': 'Jun 14 15:16:01',
        host: { hostname: 'combo' },
        process: { name: 'sshd(pam_unix)', pid: 19939 },
        message: 'authentication failure; logname= uid=0',
      },
    ],
    [
      '%{COMBINEDAPACHELOG}',
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
      {
        source: { address: '127.0.0.1' },
        user: { name: 'frank' },
        '@timestamp': '10/Oct/2000:13:55:36 -0700',
        http: {
          request: { method: 'GET', referrer: 'http://www.example.com/start.html' },
          version: '1.0',
          response: { status_code: 200, body: { bytes: 2326 } },
        },
        url: { original: '/apache_pb.gif' },
        user_agent: { original: 'Mozilla/4.08 [en] (Win98; I ;Nav)' },
      },
    ],
    [
      '%{HTTPD_ERRORLOG}',
      '[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico',
      {
        '@timestamp': 'Fri Sep 09 10:42:29.902022 2011',
        apache: { error: { module: 'core' } },
        log: { level: 'error' },
        process: { pid: 35708, thread: { id: 4328636416 } },
        source: { address: '72.15.99.187' },
        message: 'File does not exist: /usr/local/apache2/htdocs/favicon.ico',
      },
    ],
    ['%{NUMBER:duration:float}s %{INT:count:int}', 'took 1.25s 42 items', { duration: 1.25, count: 42 }],
    [
      '%{WORD:[http][request][method]} %{URIPATHPARAM:[url][original]}',
      'GET /a?b=1',
      {
        http: { request: { method: 'GET' } },
        url: { original: '/a?b=1' },
      },
    ],
    [
      '(?<event.code>E\\d+) (?<@timestamp>\\d{6})',
      'E42 081109',
      { event: { code: 'E42' }, '@timestamp': '081109' },
    ],
    [
      '%{ORDER:order.id} by %{USER:user.name}',
      'order A-17 by bob',
      { order: { id: 'A-17' }, user: { name: 'bob' } },
    ],
  ])('%s', (pattern, line, expected) => {
    const parse = compileGrok(pattern, { ORDER: '[A-Z]-\\d+' });
    expect(parse(line)).toEqual(expected);
  });

  it('searches by default and matches whole lines when anchored', () => {
    expect(compileGrok('%{INT:n}')('abc 12 def')).toEqual({ n: '12' });
    expect(compileGrok('%{INT:n}', {}, { anchored: true })('abc 12 def')).toBeUndefined();
    expect(compileGrok('%{INT:n}', {}, { anchored: true })('12')).toEqual({ n: '12' });
  });

  it('returns {} for a match without named captures, undefined for no match', () => {
    expect(compileGrok('%{INT}')('x 1')).toEqual({});
    expect(compileGrok('%{INT}')('none')).toBeUndefined();
  });

  it('drops empty captures unless keepEmpty, and keeps the first of alternative captures', () => {
    expect(compileGrok('a=%{DATA:a};')('a=;')).toEqual({});
    expect(compileGrok('a=%{DATA:a};', {}, { keepEmpty: true })('a=;')).toEqual({ a: '' });
    expect(compileGrok('(?:%{INT:v}|%{WORD:v})')('abc')).toEqual({ v: 'abc' });
    // Both captures match: the first one written stays.
    expect(compileGrok('%{INT:v} %{WORD:v}')('12 ab')).toEqual({ v: '12' });
    // First in the pattern's text, whichever way each capture is written.
    expect(compileGrok('%{WORD:v} (?<v>\\d+)')('ab 12')).toEqual({ v: 'ab' });
    expect(compileGrok('(?<v>\\d+) %{WORD:v}')('12 ab')).toEqual({ v: '12' });
    expect(compileGrok('%{PAIR} (?<v>\\d+)', { PAIR: '(?<k>\\w+)=%{WORD:v}' })('a=b 7')).toEqual({
      k: 'a',
      v: 'b',
    });
  });

  it('custom definitions override and extend the library', () => {
    expect(compileGrok('%{INT:n}', { INT: '[a-z]+' })('123 abc')).toEqual({ n: 'abc' });
  });

  it.each([
    ['%{NOPE:x}', {}, 'NOPE'],
    ['%{A}', { A: 'x%{B}', B: 'y%{A}' }, 'A'],
    ['%{SELF}', { SELF: '%{SELF}' }, 'SELF'],
  ])('%s throws a GrokError naming the pattern', (pattern, definitions, name) => {
    let error: unknown;
    try {
      compileGrok(pattern, definitions);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GrokError);
    expect((error as GrokError).pattern).toBe(name);
    expect((error as GrokError).message).toContain(name);
  });

  it('an invalid regex is a GrokError with the cause kept', () => {
    let error: unknown;
    try {
      compileGrok('(unclosed');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(GrokError);
    expect((error as GrokError).cause).toBeInstanceOf(SyntaxError);
  });

  it('field names from the data side cannot pollute prototypes', () => {
    const fields = compileGrok('%{WORD:__proto__.polluted} %{WORD:constructor.prototype.x}')('yes no');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(fields)).toBe(
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"x":"no"}}}',
    );
  });

  it.each([
    ['[a][b]', 'a.b'],
    ['[http][request][method]', 'http.request.method'],
    ['a.b', 'a.b'],
    ['@timestamp', '@timestamp'],
  ])('fieldPath(%s) = %s', (name, expected) => {
    expect(fieldPath(name)).toBe(expected);
  });

  it('never throws on arbitrary input and returns fields or undefined', () => {
    const patterns = [
      compileGrok('%{SYSLOGBASE} %{GREEDYDATA:message}'),
      compileGrok('%{COMBINEDAPACHELOG}'),
      compileGrok('%{HTTPD_ERRORLOG}'),
      compileGrok('%{IP:ip} %{NUMBER:n:float} %{QS:q}', {}, { anchored: true }),
    ];
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'grapheme' })), (line) => {
        for (const parse of patterns) {
          const result = parse(line);
          expect(result === undefined || typeof result === 'object').toBe(true);
        }
      }),
    );
  });
});
