import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../../functions/core/pipeline/parsers/syslog.ts';

const priority = (value: number, facility: [number, string], severity: [number, string]) => ({
  priority: value,
  facility: { code: facility[0], name: facility[1] },
  severity: { code: severity[0], name: severity[1] },
});

describe('syslog parser', () => {
  it.each([
    // RFC 5424 §6.5, example 1 (BOM before the message)
    [
      "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \uFEFF'su root' failed for lonvick on /dev/pts/8",
      {
        '@timestamp': '2003-10-11T22:14:15.003Z',
        host: { hostname: 'mymachine.example.com' },
        process: { name: 'su' },
        log: {
          syslog: {
            ...priority(34, [4, 'auth'], [2, 'critical']),
            version: '1',
            appname: 'su',
            msgid: 'ID47',
          },
        },
        message: "'su root' failed for lonvick on /dev/pts/8",
      },
    ],
    // RFC 5424 §6.5, example 2
    [
      "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.",
      {
        '@timestamp': '2003-08-24T05:14:15.000003-07:00',
        host: { hostname: '192.0.2.1' },
        process: { name: 'myproc', pid: 8710 },
        log: {
          syslog: {
            ...priority(165, [20, 'local4'], [5, 'notice']),
            version: '1',
            appname: 'myproc',
            procid: '8710',
          },
        },
        message: "%% It's time to make the do-nuts.",
      },
    ],
    // RFC 5424 §6.5, example 3
    [
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] \uFEFFAn application event log entry...',
      {
        '@timestamp': '2003-10-11T22:14:15.003Z',
        host: { hostname: 'mymachine.example.com' },
        process: { name: 'evntslog' },
        log: {
          syslog: {
            ...priority(165, [20, 'local4'], [5, 'notice']),
            version: '1',
            appname: 'evntslog',
            msgid: 'ID47',
            structured_data: {
              'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
            },
          },
        },
        message: 'An application event log entry...',
      },
    ],
    // RFC 5424 §6.5, example 4: two SD-ELEMENTs, no MSG
    [
      '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"][examplePriority@32473 class="high"]',
      {
        '@timestamp': '2003-10-11T22:14:15.003Z',
        host: { hostname: 'mymachine.example.com' },
        process: { name: 'evntslog' },
        log: {
          syslog: {
            ...priority(165, [20, 'local4'], [5, 'notice']),
            version: '1',
            appname: 'evntslog',
            msgid: 'ID47',
            structured_data: {
              'exampleSDID@32473': { iut: '3', eventSource: 'Application', eventID: '1011' },
              'examplePriority@32473': { class: 'high' },
            },
          },
        },
      },
    ],
    // RFC 5424 escapes in PARAM-VALUE, NILVALUE time and host
    [
      '<14>1 - - app - - [meta@1 q="a \\"b\\" c\\]\\\\"] hi',
      {
        process: { name: 'app' },
        log: {
          syslog: {
            ...priority(14, [1, 'user'], [6, 'informational']),
            version: '1',
            appname: 'app',
            structured_data: { 'meta@1': { q: 'a "b" c]\\' } },
          },
        },
        message: 'hi',
      },
    ],
    // RFC 3164 §5.4, examples
    [
      "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
      {
        '@timestamp': 'Oct 11 22:14:15',
        host: { hostname: 'mymachine' },
        process: { name: 'su' },
        log: { syslog: { ...priority(34, [4, 'auth'], [2, 'critical']), appname: 'su' } },
        message: "'su root' failed for lonvick on /dev/pts/8",
      },
    ],
    [
      '<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!',
      {
        '@timestamp': 'Feb  5 17:32:18',
        host: { hostname: '10.0.0.99' },
        log: { syslog: priority(13, [1, 'user'], [5, 'notice']) },
        message: 'Use the BFG!',
      },
    ],
    // syslogd file lines (no PRI), from Loghub Linux/OpenSSH
    [
      'Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 ',
      {
        '@timestamp': 'Jun 14 15:16:01',
        host: { hostname: 'combo' },
        process: { name: 'sshd(pam_unix)', pid: 19939 },
        log: { syslog: { appname: 'sshd(pam_unix)', procid: '19939' } },
        message: 'authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4',
      },
    ],
    [
      'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186',
      {
        '@timestamp': 'Dec 10 06:55:46',
        host: { hostname: 'LabSZ' },
        process: { name: 'sshd', pid: 24200 },
        log: { syslog: { appname: 'sshd', procid: '24200' } },
        message: 'Invalid user webmaster from 173.234.31.186',
      },
    ],
    // rsyslog with an RFC 3339 time in the BSD format
    [
      '<30>2024-03-01T10:00:00.123456+01:00 web-1 systemd[1]: Started nginx.service.',
      {
        '@timestamp': '2024-03-01T10:00:00.123456+01:00',
        host: { hostname: 'web-1' },
        process: { name: 'systemd', pid: 1 },
        log: {
          syslog: { ...priority(30, [3, 'daemon'], [6, 'informational']), appname: 'systemd', procid: '1' },
        },
        message: 'Started nginx.service.',
      },
    ],
  ])('%s', (line, expected) => {
    expect(parseSyslog(line)).toEqual(expected);
  });

  it.each([
    '',
    'plain text',
    '<192>Oct 11 22:14:15 mymachine su: priority out of range',
    '<999>1 2003-10-11T22:14:15.003Z host app - - - msg',
    '<34>1 2003-10-11T22:14:15.003Z host app - - [broken sd',
    '{"json":1}',
  ])('rejects %j', (line) => {
    expect(parseSyslog(line)).toBeUndefined();
  });

  it('facility and severity always decompose the priority', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 191 }), (pri) => {
        const fields = parseSyslog(`<${pri}>1 - host app - - - x`) as {
          log: { syslog: ReturnType<typeof priority> };
        };
        const { facility, severity } = fields.log.syslog;
        expect(facility.code * 8 + severity.code).toBe(pri);
        expect(typeof facility.name).toBe('string');
        expect(typeof severity.name).toBe('string');
      }),
    );
  });

  it('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `<13>1 ${s}`),
        ),
        (line) => {
          const result = parseSyslog(line);
          expect(result === undefined || typeof result === 'object').toBe(true);
        },
      ),
    );
  });
});
