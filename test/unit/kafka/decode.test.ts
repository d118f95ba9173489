import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64, decodeEvent } from '../../../functions/core/kafka/decode.ts';
import { KafkaError, KafkaEventError } from '../../../functions/core/kafka/errors.ts';

const fixture = (name: string): unknown =>
  JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../fixtures/events', name), 'utf8'));

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function event(records: unknown[], key = 'app-logs-0'): unknown {
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:eu-west-1:1:cluster/c/x',
    records: { [key]: records },
  };
}

const base = {
  topic: 'app-logs',
  partition: 0,
  offset: 7,
  timestamp: 1763731200000,
  timestampType: 'CREATE_TIME',
};

describe('decodeEvent on the ESM samples', () => {
  it('decodes the MSK sample: topics with dashes, schema metadata, headers, a tombstone', () => {
    const { records, errors, malformedHeaders } = decodeEvent(fixture('msk.json'));
    expect(errors).toEqual([]);
    expect(malformedHeaders).toBe(0);
    expect(records.map((r) => [r.topic, r.partition, r.offset])).toEqual([
      ['app-logs', 0, 15],
      ['app-logs', 0, 16],
      ['app-logs', 0, 17],
      ['nginx-access', 3, 1042],
      ['nginx-access', 3, 1043],
    ]);
    const [first, second, tombstone, nginx] = records;
    expect(JSON.parse(first!.value!.toString('utf8'))).toMatchObject({ message: 'order placed' });
    expect(first!.key!.toString('utf8')).toBe('checkout-7f9c');
    expect(first!.headers).toEqual({
      'content-type': 'application/json',
      traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    });
    expect(second!.value!.toString('utf8')).toContain('✗ carte refusée');
    expect(tombstone!.value).toBeNull();
    expect(nginx!.key).toBeNull();
    expect(nginx!.value!.toString('utf8')).toMatch(/^203\.0\.113\.7 - - \[21\/Nov\/2025/);
    expect(nginx!.timestamp).toBe(1763731201000);
  });

  it('decodes the self-managed sample (bootstrapServers, no ARN)', () => {
    const { records, errors } = decodeEvent(fixture('self-managed.json'));
    expect(errors).toEqual([]);
    expect(records.map((r) => `${r.topic}/${r.partition}/${r.offset}`)).toEqual([
      'sys-log/1/88',
      'sys-log/1/89',
      'app-logs/2/15',
      'app-logs/2/16',
    ]);
    expect(records[1]!.headers).toEqual({ source: 'rsyslog' });
    expect(records[0]!.value!.toString('utf8')).toContain('sshd(pam_unix)[19939]');
  });
});

describe('decodeEvent per record', () => {
  it.each([
    ['value with a character outside the alphabet', { value: 'aGVsbG8*' }, 'value is not valid base64'],
    ['value with a bad length', { value: 'aGVsbG8' }, 'value is not valid base64'],
    ['value with padding in the middle', { value: 'aG==bG8=' }, 'value is not valid base64'],
    ['value with whitespace', { value: 'aGVs bG8=' }, 'value is not valid base64'],
    ['key not base64', { key: 'not base64!', value: b64('x') }, 'key is not valid base64'],
    ['value not a string', { value: 42 }, 'value is not a string'],
  ])('%s → a decode error with coordinates, never a throw', (_name, fields, reason) => {
    const raw = { ...base, ...fields };
    const { records, errors } = decodeEvent(event([raw]));
    expect(records).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      coords: { topic: 'app-logs', partition: 0, offset: 7 },
      errorType: 'decode_error',
      reason,
      timestamp: 1763731200000,
    });
    const value = (fields as { value?: unknown }).value;
    expect(errors[0]!.raw).toEqual(typeof value === 'string' ? Buffer.from(value) : null);
  });

  it.each([
    ['null key and value', { key: null, value: null }, null, null],
    ['absent key and value', {}, null, null],
    ['empty value', { value: '' }, null, Buffer.alloc(0)],
    [
      'binary value',
      { key: b64('k'), value: Buffer.from([0, 255, 128]).toString('base64') },
      Buffer.from('k'),
      Buffer.from([0, 255, 128]),
    ],
  ])('%s', (_name, fields, key, value) => {
    const { records, errors } = decodeEvent(event([{ ...base, ...fields }]));
    expect(errors).toEqual([]);
    expect(records).toEqual([
      { topic: 'app-logs', partition: 0, offset: 7, timestamp: 1763731200000, key, value, headers: {} },
    ]);
  });

  it('malformed headers are ignored and counted; the last of a repeated name wins', () => {
    // Parsed from JSON, as Lambda delivers it: `__proto__` is then an own key and must stay a header.
    const headers = JSON.parse(
      '[{"a":[104,105]},{"b":"not bytes"},{"c":[300]},"not an object",{"a":[104,111]},{"__proto__":[120]}]',
    );
    const parsed = { ...base, value: b64('x'), headers };
    const { records, malformedHeaders } = decodeEvent(event([parsed]));
    expect(malformedHeaders).toBe(3);
    expect(records[0]!.headers.a).toBe('ho');
    expect(Object.getPrototypeOf(records[0]!.headers)).toBe(Object.prototype);
    expect(Object.hasOwn(records[0]!.headers, '__proto__')).toBe(true);
  });

  it('headers that are not an array count once and are ignored', () => {
    const { records, malformedHeaders } = decodeEvent(event([{ ...base, headers: { a: [1] } }]));
    expect(records).toHaveLength(1);
    expect(malformedHeaders).toBe(1);
  });

  it('takes topic and partition from the record, not from the dashed key', () => {
    const { records } = decodeEvent(event([{ ...base, topic: 'a-b-c', partition: 12 }], 'a-b-c-12'));
    expect(records[0]).toMatchObject({ topic: 'a-b-c', partition: 12 });
  });

  it('falls back to the key (split at the last dash) when the record lacks topic/partition', () => {
    const { records } = decodeEvent(event([{ offset: 3, value: b64('x') }], 'my-topic-4'));
    expect(records[0]).toMatchObject({ topic: 'my-topic', partition: 4, offset: 3, timestamp: 0 });
  });
});

describe('decodeEvent on malformed events', () => {
  it.each([
    ['not an object', 'hello'],
    ['null', null],
    ['an array', []],
    ['no eventSource', { records: {} }],
    ['unknown eventSource', { eventSource: 'aws:sqs', records: {} }],
    ['no records', { eventSource: 'aws:kafka' }],
    ['records is an array', { eventSource: 'aws:kafka', records: [] }],
    ['a partition list is not an array', { eventSource: 'SelfManagedKafka', records: { 't-0': {} } }],
    [
      'a record without offset',
      { eventSource: 'aws:kafka', records: { 't-0': [{ topic: 't', partition: 0 }] } },
    ],
    ['a record without topic under a bad key', { eventSource: 'aws:kafka', records: { t: [{ offset: 1 }] } }],
  ])('%s throws KafkaEventError', (_name, value) => {
    expect(() => decodeEvent(value)).toThrow(KafkaEventError);
    expect(() => decodeEvent(value)).toThrow(KafkaError);
  });

  it('an empty batch is fine', () => {
    expect(decodeEvent({ eventSource: 'aws:kafka', records: {} })).toEqual({
      records: [],
      errors: [],
      malformedHeaders: 0,
    });
  });
});

describe('decodeBase64', () => {
  it('round-trips any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const buffer = Buffer.from(bytes);
        expect(decodeBase64(buffer.toString('base64'))).toEqual(buffer);
      }),
    );
  });

  it('accepts only text where every character counts (nothing skipped by Buffer)', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 16, unit: fc.constantFrom('A', 'b', '0', '+', '/', '=', '-', ' ', '*') }),
        (text) => {
          const decoded = decodeBase64(text);
          if (decoded === undefined) return;
          const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
          expect(decoded.length).toBe((text.length / 4) * 3 - padding);
          expect(text.slice(0, text.length - padding)).not.toContain('=');
        },
      ),
    );
  });

  it('decodes a 6 MiB value quickly', () => {
    const big = Buffer.alloc(6 * 1024 * 1024, 0xab);
    const started = performance.now();
    expect(decodeBase64(big.toString('base64'))?.equals(big)).toBe(true);
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
