import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAccess } from '../../../../functions/core/pipeline/parsers/access.ts';

describe('nginx/apache access parser', () => {
  it.each([
    // Apache docs, Common Log Format
    [
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
      {
        source: { ip: '127.0.0.1' },
        user: { name: 'frank' },
        '@timestamp': '10/Oct/2000:13:55:36 -0700',
        http: {
          request: { method: 'GET' },
          version: '1.0',
          response: { status_code: 200, body: { bytes: 2326 } },
        },
        url: { original: '/apache_pb.gif' },
      },
    ],
    // Apache docs, Combined Log Format
    [
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
      {
        source: { ip: '127.0.0.1' },
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
    // nginx default `combined`
    [
      '93.180.71.3 - - [17/May/2015:08:05:32 +0000] "GET /downloads/product_1 HTTP/1.1" 304 0 "-" "Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)"',
      {
        source: { ip: '93.180.71.3' },
        '@timestamp': '17/May/2015:08:05:32 +0000',
        http: {
          request: { method: 'GET' },
          version: '1.1',
          response: { status_code: 304, body: { bytes: 0 } },
        },
        url: { original: '/downloads/product_1' },
        user_agent: { original: 'Debian APT-HTTP/1.3 (0.8.16~exp12ubuntu10.21)' },
      },
    ],
    // nginx combined + "$http_x_forwarded_for", IPv6 client, HTTP/2.0, query string
    [
      '2001:db8::1 - - [01/Mar/2024:10:00:00 +0100] "POST /api/v1/items?id=7 HTTP/2.0" 201 512 "https://example.com/" "curl/8.5.0" "203.0.113.7, 10.0.0.2"',
      {
        source: { ip: '2001:db8::1' },
        '@timestamp': '01/Mar/2024:10:00:00 +0100',
        http: {
          request: {
            method: 'POST',
            referrer: 'https://example.com/',
            x_forwarded_for: '203.0.113.7, 10.0.0.2',
          },
          version: '2.0',
          response: { status_code: 201, body: { bytes: 512 } },
        },
        url: { original: '/api/v1/items?id=7' },
        user_agent: { original: 'curl/8.5.0' },
      },
    ],
    // `-` bytes, host name client, escaped quote in the user agent
    [
      'proxy.example.net - - [01/Mar/2024:10:00:00 +0000] "HEAD / HTTP/1.1" 204 - "-" "say \\"hi\\""',
      {
        source: { domain: 'proxy.example.net' },
        '@timestamp': '01/Mar/2024:10:00:00 +0000',
        http: { request: { method: 'HEAD' }, version: '1.1', response: { status_code: 204 } },
        url: { original: '/' },
        user_agent: { original: 'say \\"hi\\"' },
      },
    ],
    // A TLS handshake on the plain HTTP port, as nginx logs it
    [
      '198.51.100.9 - - [01/Mar/2024:10:00:00 +0000] "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03" 400 157 "-" "-"',
      {
        source: { ip: '198.51.100.9' },
        '@timestamp': '01/Mar/2024:10:00:00 +0000',
        http: {
          request: { line: '\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03' },
          response: { status_code: 400, body: { bytes: 157 } },
        },
      },
    ],
    // HTTP/0.9 style request without a version
    [
      '10.0.0.1 - - [01/Mar/2024:10:00:00 +0000] "GET /" 200 10',
      {
        source: { ip: '10.0.0.1' },
        '@timestamp': '01/Mar/2024:10:00:00 +0000',
        http: { request: { method: 'GET' }, response: { status_code: 200, body: { bytes: 10 } } },
        url: { original: '/' },
      },
    ],
  ])('%s', (line, expected) => {
    expect(parseAccess(line)).toEqual(expected);
  });

  it.each([
    '',
    'not an access log',
    '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 2000 1',
    '127.0.0.1 - - 10/Oct/2000:13:55:36 -0700 "GET / HTTP/1.0" 200 1',
    '{"remote_addr":"127.0.0.1"}',
    '[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok',
  ])('rejects %j', (line) => {
    expect(parseAccess(line)).toBeUndefined();
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), (line) => {
        const result = parseAccess(line);
        expect(result === undefined || typeof result === 'object').toBe(true);
      }),
    );
  });
});
