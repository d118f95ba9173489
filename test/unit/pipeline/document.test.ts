import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildDocument, isoTimestamp, OVERFLOW_FIELD } from '../../../functions/core/pipeline/document.ts';
import type { Fields } from '../../../functions/core/pipeline/fields.ts';
import { DEFAULT_LIMITS } from '../../../functions/core/pipeline/limits.ts';
import { kafkaRecord } from './helpers.ts';

const TS = Date.UTC(2024, 4, 1, 10, 0, 0, 123);

function counters() {
  return { overflowedFields: 0, renamedKeys: 0, truncated: 0 };
}

function build(
  fields: Fields,
  extra: { key?: Buffer | null; original?: string; service?: string; timestamp?: number } = {},
) {
  const c = counters();
  const record = kafkaRecord('x', {
    key: extra.key ?? null,
    timestamp: extra.timestamp ?? Date.UTC(2024, 4, 1, 10, 0, 5),
  });
  const doc = buildDocument(
    {
      fields,
      timestampMs: TS,
      record,
      service: extra.service ?? 'unknown',
      limits: DEFAULT_LIMITS,
      original: extra.original,
    },
    c,
  );
  return { doc, c };
}

describe('buildDocument', () => {
  it('builds an ECS document with @timestamp first and Kafka metadata', () => {
    const { doc } = build({ message: 'started', log: { level: 'info' } }, { key: Buffer.from('user-1') });
    expect(JSON.stringify(doc)).toBe(
      JSON.stringify({
        '@timestamp': '2024-05-01T10:00:00.123Z',
        message: 'started',
        log: { level: 'info' },
        service: { name: 'unknown' },
        kafka: {
          topic: 'app-logs',
          partition: 3,
          offset: 1042,
          timestamp: '2024-05-01T10:00:05.000Z',
          key: 'user-1',
        },
      }),
    );
  });

  it.each<[string, Fields, Fields]>([
    ['a string service becomes service.name', { service: 'billing' }, { service: { name: 'billing' } }],
    [
      'service.name from the data wins',
      { service: { name: 'api', version: '1' } },
      { service: { name: 'api', version: '1' } },
    ],
    ['a dotted service.name key is read', { 'service.name': 'api' }, { 'service.name': 'api' }],
    ['an empty name gets the default', { service: { name: '' } }, { service: { name: 'unknown' } }],
    [
      'a level becomes log.level',
      { level: 'warn' },
      { log: { level: 'warn' }, service: { name: 'unknown' } },
    ],
    [
      'log.level is not overwritten',
      { level: 'warn', log: { level: 'error' } },
      { level: 'warn', log: { level: 'error' }, service: { name: 'unknown' } },
    ],
    ['a numeric level stays', { level: 30 }, { level: 30, service: { name: 'unknown' } }],
    [
      'the data cannot replace @timestamp or kafka',
      { '@timestamp': 'yesterday', kafka: { topic: 'forged' } },
      { service: { name: 'unknown' } },
    ],
  ])('%s', (_name, fields, expected) => {
    const { doc } = build(fields);
    const { '@timestamp': ts, kafka, ...rest } = doc;
    expect(ts).toBe('2024-05-01T10:00:00.123Z');
    expect((kafka as Fields).topic).toBe('app-logs');
    expect(rest).toEqual(expected);
  });

  it('writes a key that is not UTF-8 as base64', () => {
    const { doc } = build({}, { key: Buffer.from([0xff, 0xfe, 0x00]) });
    expect((doc.kafka as Fields).key).toBe('//4A');
  });

  it('leaves out a Kafka timestamp of -1 (none)', () => {
    const { doc } = build({}, { timestamp: -1 });
    expect(doc.kafka).not.toHaveProperty('timestamp');
  });

  it('keeps event.original, cut to the field byte limit', () => {
    const { doc } = build({ message: 'm' }, { original: 'raw line' });
    expect(doc.event).toEqual({ original: 'raw line' });
    const long = buildDocument(
      {
        fields: {},
        timestampMs: TS,
        record: kafkaRecord('x'),
        service: 's',
        limits: { ...DEFAULT_LIMITS, maxFieldBytes: 3 },
        original: 'abcdef',
      },
      counters(),
    );
    expect(long.event).toEqual({ original: 'abc' });
  });

  it('puts what exceeds the limits in one overflow string and counts it', () => {
    const fields: Fields = {};
    for (let i = 0; i < 20; i++) fields[`f${i}`] = i;
    const c = counters();
    const doc = buildDocument(
      {
        fields,
        timestampMs: TS,
        record: kafkaRecord('x'),
        service: 's',
        limits: { ...DEFAULT_LIMITS, maxFields: 15 },
      },
      c,
    );
    // 10 leaf fields are reserved for the document's own.
    expect(Object.keys(doc).filter((k) => k.startsWith('f'))).toEqual(['f0', 'f1', 'f2', 'f3', 'f4']);
    const [group, name] = OVERFLOW_FIELD.split('.') as [string, string];
    const overflow = JSON.parse((doc[group] as Fields)[name] as string);
    expect(Object.keys(overflow)).toHaveLength(15);
    expect(overflow.f19).toBe(19);
    expect(c.overflowedFields).toBe(15);
  });

  it('keeps __proto__ as data and never changes prototypes', () => {
    const fields = JSON.parse('{"__proto__": {"isAdmin": true}, "constructor": "x", "message": "m"}');
    const { doc } = build(fields);
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
    expect(({} as Fields).isAdmin).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(doc, '__proto__')?.value).toEqual({ isAdmin: true });
    expect(JSON.stringify(doc)).toContain('"__proto__":{"isAdmin":true}');
  });

  it.each([
    [0, '1970-01-01T00:00:00.000Z'],
    [-1, '1969-12-31T23:59:59.999Z'],
    [1714557600007.9, '2024-05-01T10:00:00.007Z'],
    [253402300800000, '+010000-01-01T00:00:00.000Z'],
    [-62167219200001, '-000001-12-31T23:59:59.999Z'],
  ])('formats %d as %s', (ms, iso) => {
    expect(isoTimestamp(ms)).toBe(iso);
  });

  it('formats timestamps exactly as toISOString does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -8.64e15, max: 8.64e15 - 2000 }),
        fc.integer({ min: 0, max: 2000 }),
        (ms, step) => {
          expect(isoTimestamp(ms)).toBe(new Date(ms).toISOString());
          // Neighbours hit the per-second cache.
          expect(isoTimestamp(ms + step)).toBe(new Date(ms + step).toISOString());
        },
      ),
    );
  });
});
