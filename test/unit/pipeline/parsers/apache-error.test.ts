import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseApacheError } from '../../../../functions/core/pipeline/parsers/apache-error.ts';

describe('apache error parser', () => {
  it.each([
    // httpd 2.2 docs
    [
      '[Wed Oct 11 14:32:52 2000] [error] [client 127.0.0.1] client denied by server configuration: /export/home/live/ap/htdocs/test',
      {
        '@timestamp': 'Wed Oct 11 14:32:52 2000',
        log: { level: 'error' },
        source: { ip: '127.0.0.1' },
        message: 'client denied by server configuration: /export/home/live/ap/htdocs/test',
      },
    ],
    // Loghub Apache sample (2.0/2.2 form without client)
    [
      '[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties',
      {
        '@timestamp': 'Sun Dec 04 04:47:44 2005',
        log: { level: 'notice' },
        message: 'workerEnv.init() ok /etc/httpd/conf/workers2.properties',
      },
    ],
    // httpd 2.4 docs
    [
      '[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico',
      {
        '@timestamp': 'Fri Sep 09 10:42:29.902022 2011',
        log: { level: 'error' },
        apache: { error: { module: 'core' } },
        process: { pid: 35708, thread: { id: 4328636416 } },
        source: { ip: '72.15.99.187' },
        message: 'File does not exist: /usr/local/apache2/htdocs/favicon.ico',
      },
    ],
    // httpd 2.4 with client port (IPv6) and an AH error code
    [
      '[Thu May 12 08:28:57.652118 2011] [core:error] [pid 8777:tid 4326490112] [client ::1:58619] AH00128: File does not exist: /usr/local/apache2/htdocs/favicon.ico',
      {
        '@timestamp': 'Thu May 12 08:28:57.652118 2011',
        log: { level: 'error' },
        apache: { error: { module: 'core' } },
        process: { pid: 8777, thread: { id: 4326490112 } },
        source: { ip: '::1', port: 58619 },
        error: { code: 'AH00128' },
        message: 'File does not exist: /usr/local/apache2/htdocs/favicon.ico',
      },
    ],
    // httpd 2.4 startup, no client, no tid
    [
      '[Mon Jan 01 00:00:00.123456 2024] [mpm_event:notice] [pid 1] AH00489: Apache/2.4.58 (Unix) configured -- resuming normal operations',
      {
        '@timestamp': 'Mon Jan 01 00:00:00.123456 2024',
        log: { level: 'notice' },
        apache: { error: { module: 'mpm_event' } },
        process: { pid: 1 },
        error: { code: 'AH00489' },
        message: 'Apache/2.4.58 (Unix) configured -- resuming normal operations',
      },
    ],
  ])('%s', (line, expected) => {
    expect(parseApacheError(line)).toEqual(expected);
  });

  it.each([
    '',
    '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
    '[not a date] [error] message',
    'Sun Dec 04 04:47:44 2005 [notice] no brackets',
  ])('rejects %j', (line) => {
    expect(parseApacheError(line)).toBeUndefined();
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string(), (line) => {
        const result = parseApacheError(line);
        expect(result === undefined || typeof result === 'object').toBe(true);
      }),
    );
  });
});
