// The syslog byte path against the parser path: for any line, a syslog pipeline must give the same
// bulk item, byte for byte (document members in the same order), the same index and id and the
// same counters with syslog-fast.ts on (default) and off (`noSyslogBytes`).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { PreparedRecord } from '../../../functions/core/bulk/types.ts';
import { parsePipelineConfig, selectPipeline } from '../../../functions/core/pipeline/config.ts';
import { createPrepareCounters, prepareRecord } from '../../../functions/core/pipeline/prepare.ts';
import { fastSyslogPlan, writeSyslogItem } from '../../../functions/core/pipeline/syslog-fast.ts';
import { kafkaRecord } from './helpers.ts';

const syslog = {
  codec: 'text',
  parsers: ['syslog'],
  timestamp: { fields: ['@timestamp'], formats: ['rfc5424', 'syslog'], timezone: 'UTC', year: 2026 },
  route: { index: 'logs-{service.name}-{yyyy.MM.dd}', fallback: 'logs-unrouted' },
  id: { type: 'coordinates' },
  action: 'create',
  service: 'syslog',
};
const config = parsePipelineConfig({
  topics: [
    { match: 'syslog', pipeline: 'syslog' },
    { match: 'small', pipeline: 'small' },
    { match: 'tight', pipeline: 'tight' },
    { match: 'shallow', pipeline: 'shallow' },
  ],
  pipelines: {
    syslog,
    small: { ...syslog, limits: { max_field_bytes: 60 } },
    // Room for 11 of the event's leaves: a document with tag and pid has 12.
    tight: { ...syslog, limits: { max_fields: 16 } },
    shallow: { ...syslog, limits: { max_depth: 4 } },
  },
});

function prepared(line: string | Buffer, noSyslogBytes: boolean, topic = 'syslog') {
  const counters = createPrepareCounters();
  const record = prepareRecord(kafkaRecord(line, { topic, key: Buffer.from('k') }), config, counters, {
    now: 1,
    noSyslogBytes,
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

function expectSame(line: string | Buffer, topic = 'syslog'): PreparedRecord {
  const fast = prepared(line, false, topic);
  const slow = prepared(line, true, topic);
  expect(bytesOf(fast.record)).toEqual(bytesOf(slow.record));
  expect(fast.counters).toEqual(slow.counters);
  return fast.record;
}

/** Whether the byte path itself takes the line (rather than handing it to the parser). */
function takenOnBytes(line: string, topic = 'syslog'): boolean {
  const pipeline = selectPipeline(config, topic)!;
  const record = kafkaRecord(line, { topic });
  const plan = fastSyslogPlan(pipeline);
  return (
    plan !== undefined && writeSyslogItem(record.value!, record, pipeline, plan, createPrepareCounters())
  );
}

const fixtures = readFileSync(path.resolve(import.meta.dirname, '../../fixtures/logs/syslog.log'), 'utf8')
  .split('\n')
  .filter((line) => line !== '');

describe('syslog lines on their bytes', () => {
  it('applies to the shipped syslog pipeline', () => {
    const shipped = parsePipelineConfig(
      parse(readFileSync(path.resolve(import.meta.dirname, '../../../infra/pipelines.yaml'), 'utf8')),
    );
    expect(fastSyslogPlan(selectPipeline(shipped, 'syslog.hosts')!)).toBeDefined();
    expect(fastSyslogPlan(selectPipeline(config, 'syslog')!)).toBeDefined();
  });

  it.each(fixtures.map((line) => [line]))('writes the parser path item for %s', (line) => {
    expect(expectSame(line).kind).toBe('write');
  });

  it.each([
    ['tag and pid', '<38>Nov 20 11:59:59 ip-10-0-0-7 sshd[21970]: Accepted publickey for ec2-user', true],
    ['tag, no pid', '<34>Oct 11 22:14:15 mymachine su: failed for lonvick on /dev/pts/8', true],
    ['no tag', '<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!', true],
    ['one-digit day', '<13>Feb 5 17:32:18 host app: x', true],
    ['tag without the space after the colon', '<13>Feb 15 17:32:18 host app:x', true],
    ['empty message', '<13>Feb 15 17:32:18 host app:', true],
    ['empty pid', '<13>Feb 15 17:32:18 host app[]: x', true],
    ['dash pid', '<13>Feb 15 17:32:18 host app[-]: x', true],
    ['leading zeros', '<013>Feb 15 17:32:18 host app[007]: x', true],
    ['quotes and backslashes in the message', '<13>Feb 15 17:32:18 host app: say "hi" C:\\tmp\\', true],
    ['trailing spaces and CRLF', '<13>Feb 15 17:32:18 host app[1]: done   \r\n', true],
    ['lone CR at the end', '<13>Feb 15 17:32:18 host app: done\r', true],
    ['a bracket with no colon after it', '<13>Feb 15 17:32:18 host app[1] x', true],
    ['a colon inside the message only', '<13>Feb 15 17:32:18 host the app said: x', true],
    ['highest PRI', '<191>Feb 15 17:32:18 host app: x', true],
    ['PRI over 191', '<192>Feb 15 17:32:18 host app: x', false],
    ['four-digit PRI', '<1234>Feb 15 17:32:18 host app: x', false],
    ['no PRI', 'Feb 15 17:32:18 host app: x', false],
    ['RFC 5424', '<34>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - failed', false],
    ['RFC 3339 time', '<34>2026-11-20T11:59:59Z host app: x', false],
    ['dash tag', '<13>Feb 15 17:32:18 host -[1]: x', false],
    ['pid of words', '<13>Feb 15 17:32:18 host app[main thread]: x', false],
    ['quote in the host', '<13>Feb 15 17:32:18 ho"st app: x', false],
    ['backslash in the tag', '<13>Feb 15 17:32:18 host a\\pp: x', false],
    ['tab in the message', '<13>Feb 15 17:32:18 host app: a\tb', false],
    ['non-ASCII message', '<13>Feb 15 17:32:18 host app: café', false],
    ['no message after the host', '<13>Feb 15 17:32:18 host', false],
    ['unreadable time', '<13>Feb 35 17:32:18 host app: x', false],
    ['not syslog', 'hello world', false],
  ])('%s', (_, line, onBytes) => {
    expectSame(line);
    expect(takenOnBytes(line)).toBe(onBytes);
  });

  it('leaves pipelines whose field limits a syslog document can reach to the parser path', () => {
    const line = '<38>Nov 20 11:59:59 ip-10-0-0-7 sshd[21970]: Accepted publickey for ec2-user';
    expect(fastSyslogPlan(selectPipeline(config, 'tight')!)).toBeUndefined();
    expect(fastSyslogPlan(selectPipeline(config, 'shallow')!)).toBeUndefined();
    expectSame(line, 'tight');
    expectSame(line, 'shallow');
  });

  it('leaves a line over the field byte limit to the parser path, which truncates', () => {
    const line = `<38>Nov 20 11:59:59 host sshd[1]: ${'a'.repeat(80)}`;
    expect(takenOnBytes(line, 'small')).toBe(false);
    expectSame(line, 'small');
  });

  it('writes the parser path item for any line built from syslog parts', () => {
    // Mostly pieces the byte path takes, so that its own branches are what the runs compare.
    const word = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('a', 'sshd', 'ip-10-0-0-7', 'CRON', 'kernel', '10.0.0.1') },
      {
        weight: 1,
        arbitrary: fc.constantFrom('-', '', '"', '\\', 'é', '\t', '[', ']', ':', ' ', '[1]', '1'),
      },
      { weight: 1, arbitrary: fc.stringMatching(/^[ -~]{0,6}$/) },
    );
    const pri = fc.constantFrom('<13>', '<0>', '<191>', '<192>', '<013>', '<1234>', '', '<>', '<x>');
    const time = fc.constantFrom(
      'Nov 20 11:59:59',
      'Feb  5 17:32:18',
      'Feb 5 17:32:18',
      'feb 5 17:32:18',
      'Feb 35 17:32:18',
      'Feb 5 7:32:18',
      '2026-11-20T11:59:59Z',
      '1 2003-10-11T22:14:15.003Z',
    );
    const tag = fc.oneof(
      fc.constant(''),
      fc
        .tuple(word, fc.constantFrom('', '[1]', '[]', '[-]', '[007]', '[a b]', '[1', '1]'))
        .map(([t, p]) => `${t}${p}`),
    );
    const colon = fc.constantFrom(': ', ':', ' ', '', ':  ');
    const message = fc.array(word, { maxLength: 5 }).map((words) => words.join(' '));
    const line = fc
      .tuple(pri, time, word, tag, colon, message, fc.constantFrom('', ' ', '\n', '\r\n', '\r', '  '))
      .map(([p, t, h, g, c, m, end]) => `${p}${t} ${h} ${g}${c}${m}${end}`);
    fc.assert(
      fc.property(line, (text) => {
        expectSame(text);
      }),
      { numRuns: 3000 },
    );
  });
});
