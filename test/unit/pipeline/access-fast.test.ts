// The access-log byte path against the parser path: for any line, an nginx pipeline must give the
// same bulk item, byte for byte (document members in the same order), the same index and id and
// the same counters with access-fast.ts on (default) and off (`noAccessBytes`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PreparedRecord } from '../../../functions/core/bulk/types.ts';
import { fastAccessPlan, writeAccessItem } from '../../../functions/core/pipeline/access-fast.ts';
import { parsePipelineConfig, selectPipeline } from '../../../functions/core/pipeline/config.ts';
import { createPrepareCounters, prepareRecord } from '../../../functions/core/pipeline/prepare.ts';
import { kafkaRecord } from './helpers.ts';

const nginx = {
  codec: 'text',
  parsers: ['nginx_access'],
  timestamp: { fields: ['@timestamp'], formats: ['httpdate'], timezone: 'UTC' },
  route: { index: 'logs-{service.name}-{yyyy.MM.dd}', fallback: 'logs-unrouted' },
  id: { type: 'coordinates' },
  action: 'create',
  service: 'nginx',
};
const config = parsePipelineConfig({
  topics: [
    { match: 'nginx', pipeline: 'nginx' },
    { match: 'small', pipeline: 'small' },
    { match: 'tight', pipeline: 'tight' },
  ],
  pipelines: {
    nginx,
    small: { ...nginx, limits: { max_field_bytes: 60 } },
    // Room for 6 of the event's leaves: a full access document overflows.
    tight: { ...nginx, limits: { max_fields: 16 } },
  },
});

function prepared(line: string | Buffer, noAccessBytes: boolean, topic = 'nginx') {
  const counters = createPrepareCounters();
  const record = prepareRecord(kafkaRecord(line, { topic, key: Buffer.from('k') }), config, counters, {
    now: 1,
    noAccessBytes,
  });
  return { record, counters };
}

function bytesOf(record: PreparedRecord) {
  if (record.kind !== 'write') return record;
  return {
    index: record.index,
    id: record.id,
    action: record.action,
    item: record.item?.toString('utf8'),
    source: Buffer.isBuffer(record.source) ? record.source.toString('utf8') : record.source,
  };
}

function expectSame(line: string | Buffer, topic = 'nginx'): PreparedRecord {
  const fast = prepared(line, false, topic);
  const slow = prepared(line, true, topic);
  expect(bytesOf(fast.record)).toEqual(bytesOf(slow.record));
  expect(fast.counters).toEqual(slow.counters);
  return fast.record;
}

/** Whether the byte path itself takes the line (rather than handing it to the parser). */
function takenOnBytes(line: string): boolean {
  const pipeline = selectPipeline(config, 'nginx')!;
  const record = kafkaRecord(line, { topic: 'nginx' });
  const plan = fastAccessPlan(pipeline)!;
  return writeAccessItem(record.value!, record, pipeline, plan, createPrepareCounters());
}

const fixtures = readFileSync(
  path.resolve(import.meta.dirname, '../../fixtures/logs/nginx_access.log'),
  'utf8',
)
  .split('\n')
  .filter((line) => line !== '');

describe('access lines on their bytes', () => {
  it('applies to the shipped nginx pipeline only as configured', () => {
    expect(fastAccessPlan(selectPipeline(config, 'nginx')!)).toBeDefined();
  });

  it.each(fixtures.map((line) => [line]))('writes the parser path item for %s', (line) => {
    expect(expectSame(line).kind).toBe('write');
  });

  it.each([
    [
      'combined',
      '1.2.3.4 - - [20/Nov/2026:11:58:20 +0000] "GET /login HTTP/1.1" 200 3097 "https://a/" "curl/8"',
      true,
    ],
    [
      'with forwarded-for',
      '1.2.3.4 - bob [20/Nov/2026:11:58:20 +0000] "POST /a?b=c HTTP/2.0" 201 0 "-" "ua" "9.9.9.9"',
      true,
    ],
    [
      'common format',
      'example.com ident frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
      true,
    ],
    ['IPv6 client, no version', '::1 - - [20/Nov/2026:11:58:20 +0000] "GET /x" 404 - "-" "-"', true],
    [
      'HTTP/2 without a minor version',
      '10.0.0.1 - - [20/Nov/2026:11:58:20 +0000] "GET / HTTP/2" 200 12 "" ""',
      true,
    ],
    [
      'no request, referrer kept',
      '10.0.0.1 - - [20/Nov/2026:11:58:20 +0000] "-" 400 0 "http://r/" "-" "8.8.8.8"',
      true,
    ],
    [
      'no request, forwarded-for only',
      '10.0.0.1 - - [20/Nov/2026:11:58:20 +0000] "-" 400 0 "-" "-" "8.8.8.8"',
      true,
    ],
    ['empty request, nothing else', '10.0.0.1 - - [20/Nov/2026:11:58:20 +0000] "" 400 0', true],
    [
      'trailing spaces and CRLF',
      '1.2.3.4 - - [20/Nov/2026:11:58:20 +0000] "GET / HTTP/1.1" 200 1 "-" "x"  \r\n',
      true,
    ],
    ['leading zeros in numbers', '1.2.3.4 - - [20/Nov/2026:11:58:20 +0000] "GET / HTTP/1.1" 099 007', true],
    [
      'probe request line',
      '1.2.3.4 - - [20/Nov/2026:11:58:20 +0000] "\\x16\\x03\\x01" 400 157 "-" "-"',
      false,
    ],
    [
      'escaped quote in the agent',
      '1.2.3.4 - - [20/Nov/2026:11:58:20 +0000] "GET / HTTP/1.1" 200 1 "-" "a\\"b"',
      false,
    ],
    ['non-ASCII agent', '1.2.3.4 - - [20/Nov/2026:11:58:20 +0000] "GET / HTTP/1.1" 200 1 "-" "é"', false],
    ['tab in the line', '1.2.3.4 - - [20/Nov/2026:11:58:20 +0000] "GET / HTTP/1.1" 200 1 "-" "a\tb"', false],
    ['unreadable time', '1.2.3.4 - - [yesterday] "GET / HTTP/1.1" 200 1', false],
    ['no status', '1.2.3.4 - - [20/Nov/2026:11:58:20 +0000] "GET / HTTP/1.1" - -', false],
    ['quote in the client', '1"2 - - [20/Nov/2026:11:58:20 +0000] "GET / HTTP/1.1" 200 1', false],
    [
      'extra words after the request',
      '1.2.3.4 - - [20/Nov/2026:11:58:20 +0000] "GET / HTTP/1.1 x" 200 1',
      false,
    ],
    [
      'size too long for a number',
      '1.2.3.4 - - [20/Nov/2026:11:58:20 +0000] "GET / HTTP/1.1" 200 1234567890123456',
      false,
    ],
    ['not an access line', 'hello world', false],
  ])('%s', (_, line, onBytes) => {
    expectSame(line);
    expect(takenOnBytes(line)).toBe(onBytes);
  });

  it('leaves pipelines whose field limits an access document can reach to the parser path', () => {
    expect(fastAccessPlan(selectPipeline(config, 'tight')!)).toBeUndefined();
    expectSame(fixtures[4]!, 'tight');
  });

  it('leaves a line over the field byte limit to the parser path, which truncates', () => {
    const line = `1.2.3.4 - - [20/Nov/2026:11:58:20 +0000] "GET /${'a'.repeat(80)} HTTP/1.1" 200 1`;
    expectSame(line, 'small');
  });

  it('writes the parser path item for any line built from access-log parts', () => {
    // Mostly pieces the byte path takes, so that its own branches are what the runs compare.
    const piece = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.constantFrom('-', '', 'a', '1.2.3.4', '::1', 'host.example', 'Mozilla/5.0 (X11)'),
      },
      { weight: 1, arbitrary: fc.constantFrom('x"y', 'a\\b', 'é', ' ', '\t', '[', ']', '"') },
      { weight: 1, arbitrary: fc.stringMatching(/^[ -~]{0,8}$/) },
    );
    const request = fc.oneof(
      fc.constantFrom('GET / HTTP/1.1', 'POST /a HTTP/2', 'GET /x', 'GET  /x', 'get /a HTTP/1.', '-', ''),
      fc.tuple(piece, piece, piece).map(([a, b, c]) => `${a} ${b} ${c}`),
    );
    const time = fc.constantFrom(
      '20/Nov/2026:11:58:20 +0000',
      '10/Oct/2000:13:55:36 -0700',
      '32/Nov/2026:11:58:20 +0000',
      '',
    );
    const status = fc.constantFrom('200', '404', '200', '-', '20', '2000', 'abc');
    const size = fc.constantFrom('0', '123', '-', '00', '', 'x');
    const tail = fc.oneof(
      fc.constant(''),
      fc.tuple(piece, piece).map(([r, a]) => ` "${r}" "${a}"`),
      fc.tuple(piece, piece, piece).map(([r, a, f]) => ` "${r}" "${a}" "${f}"`),
      piece,
    );
    const line = fc
      .tuple(
        piece,
        piece,
        piece,
        time,
        request,
        status,
        size,
        tail,
        fc.constantFrom('', ' ', '\n', '\r\n', ' x'),
      )
      .map(([c, i, u, t, r, s, b, rest, end]) => `${c} ${i} ${u} [${t}] "${r}" ${s} ${b}${rest}${end}`);
    fc.assert(
      fc.property(line, (text) => {
        expectSame(text);
      }),
      { numRuns: 3000 },
    );
  });
});
