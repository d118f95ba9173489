import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArchiveLineError } from '../../../functions/core/archive/errors.ts';
import {
  decodeArchiveLine,
  decodeDeadLetterLine,
  encodeArchiveLine,
} from '../../../functions/core/archive/line.ts';
import { record, recordArb } from './arbitraries.ts';

describe('archive lines', () => {
  it('decode(encode(record)) is the record: bytes, coordinates, timestamp and headers survive', () => {
    fc.assert(
      fc.property(recordArb, (r) => {
        const text = encodeArchiveLine(r);
        expect(text).not.toContain('\n');
        expect(decodeArchiveLine(text)).toEqual(r);
      }),
    );
  });

  it('writes the documented shape', () => {
    const r = record(7, { key: Buffer.from('k'), headers: { trace: 'abc' } });
    expect(JSON.parse(encodeArchiveLine(r))).toEqual({
      topic: 'app-logs',
      partition: 0,
      offset: 7,
      timestamp: Date.UTC(2026, 10, 20, 12, 0, 0) + 7,
      key: 'aw==',
      value: Buffer.from('{"message":"line 7"}').toString('base64'),
      headers: { trace: 'abc' },
    });
  });

  it('keeps a `__proto__` header as an own property', () => {
    const decoded = decodeArchiveLine(
      '{"topic":"t","partition":0,"offset":1,"timestamp":5,"key":null,"value":null,"headers":{"__proto__":"x"}}',
    );
    expect(Object.keys(decoded.headers)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it.each([
    ['not JSON', '{"topic":', /not JSON/],
    ['an array', '[1]', /JSON object/],
    ['empty topic', '{"topic":"","partition":0,"offset":0,"timestamp":0}', /topic/],
    ['negative partition', '{"topic":"t","partition":-1,"offset":0,"timestamp":0}', /partition/],
    ['fractional offset', '{"topic":"t","partition":0,"offset":1.5,"timestamp":0}', /offset/],
    ['missing timestamp', '{"topic":"t","partition":0,"offset":0}', /timestamp/],
    ['value not base64', '{"topic":"t","partition":0,"offset":0,"timestamp":0,"value":"a*b="}', /value/],
    ['value a number', '{"topic":"t","partition":0,"offset":0,"timestamp":0,"value":5}', /value/],
    [
      'header not a string',
      '{"topic":"t","partition":0,"offset":0,"timestamp":0,"headers":{"a":1}}',
      /header/,
    ],
  ])('rejects %s', (_name, text, message) => {
    expect(() => decodeArchiveLine(text)).toThrow(ArchiveLineError);
    expect(() => decodeArchiveLine(text)).toThrow(message);
  });
});

describe('dead-letter lines', () => {
  const entry = {
    topic: 'it-conflict',
    partition: 2,
    offset: 5,
    pipeline: 'app-json',
    index: 'logs-x-2026.11.20',
    status: 400,
    errorType: 'mapper_parsing_exception',
    reason: 'failed to parse',
    original: Buffer.from('{"a":1}').toString('base64'),
    time: '2026-11-20T12:00:00.000Z',
  };

  it('rebuilds the record from original and coordinates; no Kafka timestamp → -1', () => {
    const { record: r, entry: e } = decodeDeadLetterLine(JSON.stringify(entry));
    expect(r).toEqual({
      topic: 'it-conflict',
      partition: 2,
      offset: 5,
      timestamp: -1,
      key: null,
      value: Buffer.from('{"a":1}'),
      headers: {},
    });
    expect(e.pipeline).toBe('app-json');
  });

  it('uses a Kafka timestamp when the entry carries one, and a null original is a null value', () => {
    const { record: r } = decodeDeadLetterLine(JSON.stringify({ ...entry, original: null, timestamp: 1234 }));
    expect(r.value).toBeNull();
    expect(r.timestamp).toBe(1234);
  });

  it.each([
    ['no pipeline', { ...entry, pipeline: undefined }, /pipeline/],
    ['no errorType', { ...entry, errorType: 3 }, /errorType/],
    ['bad original', { ...entry, original: '***' }, /original/],
    ['no offset', { ...entry, offset: undefined }, /offset/],
  ])('rejects %s', (_name, value, message) => {
    expect(() => decodeDeadLetterLine(JSON.stringify(value))).toThrow(message);
  });
});

describe('dead-letter lines with optional record fields', () => {
  it('reads key and headers when an entry carries them', () => {
    const text = JSON.stringify({
      topic: 't',
      partition: 0,
      offset: 1,
      pipeline: '',
      errorType: 'x',
      original: null,
      key: 'aw==',
      headers: { h: 'v' },
    });
    const { record: r } = decodeDeadLetterLine(text);
    expect(r.key).toEqual(Buffer.from('k'));
    expect(r.headers).toEqual({ h: 'v' });
  });
});
