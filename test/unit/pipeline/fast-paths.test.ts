// Fast-path documents against rebuilt ones: a pipeline without ops writes JSON lines on their
// bytes, and other lines as whole items from their parsed fields (json-fast.ts); the same lines
// prepared with `rebuild` (and a no-op step) go through JSON.parse or the text parsers,
// buildDocument and JSON.stringify. Both must give the same document, index, id and counters for
// any line, valid JSON or not.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sourceText } from '../../../functions/core/bulk/encode.ts';
import type { PreparedRecord } from '../../../functions/core/bulk/types.ts';
import { parsePipelineConfig, selectPipeline } from '../../../functions/core/pipeline/config.ts';
import { buildDocument } from '../../../functions/core/pipeline/document.ts';
import { parseTemplate, renderTemplate } from '../../../functions/core/pipeline/index-name.ts';
import { fastJsonPlan, prepareJsonBytes } from '../../../functions/core/pipeline/json-fast.ts';
import { DEFAULT_LIMITS, fitsLimits, guardFields } from '../../../functions/core/pipeline/limits.ts';
import { createPrepareCounters, prepareRecord } from '../../../functions/core/pipeline/prepare.ts';
import { applyEdits, jsonEdit, kafkaRecord } from './helpers.ts';

const PROPERTY_TIMEOUT = 60_000;
const limits = { max_fields: 24, max_depth: 4, max_field_bytes: 40 };
const pipeline = (extra: Record<string, unknown>) => ({
  codec: 'auto',
  parsers: ['logfmt'],
  timestamp: { fields: ['@timestamp', 'time'], formats: ['iso8601', 'epoch_ms'] },
  route: { index: 'logs-{service.name}-{yyyy.MM.dd}', fallback: 'logs-unrouted' },
  service: 'fallback-svc',
  limits,
  ...extra,
});
const config = parsePipelineConfig({
  topics: [
    { match: 'fast', pipeline: 'fast' },
    { match: 'slow', pipeline: 'slow' },
  ],
  pipelines: {
    fast: pipeline({}),
    // A step that changes nothing, only to take the rebuilding path.
    slow: pipeline({ ops: [{ remove: ['no.such.field'] }] }),
  },
});

function both(line: string, overrides: Parameters<typeof kafkaRecord>[1] = {}) {
  const fastCounters = createPrepareCounters();
  const slowCounters = createPrepareCounters();
  const fast = prepareRecord(kafkaRecord(line, { ...overrides, topic: 'fast' }), config, fastCounters, {
    now: 1,
  });
  const slow = prepareRecord(kafkaRecord(line, { ...overrides, topic: 'slow' }), config, slowCounters, {
    now: 1,
    rebuild: true,
  });
  return { fast, slow, fastCounters, slowCounters };
}

function comparable(record: PreparedRecord) {
  if (record.kind !== 'write') return { ...record, coords: { ...record.coords, topic: '' }, pipeline: '' };
  const doc = JSON.parse(sourceText(record.source)) as { kafka?: { topic?: string } };
  if (doc.kafka) doc.kafka.topic = '';
  return {
    kind: record.kind,
    index: record.index,
    id: record.id.replace(/^\w+:/, ''),
    action: record.action,
    doc,
  };
}

function expectSame(line: string, overrides: Parameters<typeof kafkaRecord>[1] = {}) {
  const { fast, slow, fastCounters, slowCounters } = both(line, overrides);
  expect(comparable(fast)).toEqual(comparable(slow));
  expect(fastCounters).toEqual(slowCounters);
  return fast;
}

describe('fast-path documents', () => {
  it.each([
    ['plain fields', '{"message":"hi","n":1}'],
    ['canonical timestamp kept first', '{"@timestamp":"2024-05-01T10:00:00.123Z","message":"x"}'],
    ['other timestamp field', '{"time":"2024-05-01T10:00:00+02:00","message":"x"}'],
    ['leap second', '{"@timestamp":"2016-12-31T23:59:60.500Z","message":"x"}'],
    ['hour 24', '{"time":"2024-05-01T24:00:00.000Z","message":"x"}'],
    ['leap day', '{"time":"2024-02-29T10:00:00.001Z","message":"x"}'],
    ['no such day', '{"time":"2023-02-29T10:00:00.001Z","message":"x"}'],
    ['year zero', '{"time":"0000-01-01T00:00:00.000Z","message":"x"}'],
    ['lowercase t and z', '{"time":"2024-05-01t10:00:00.000z","message":"x"}'],
    ['space for T', '{"time":"2024-05-01 10:00:00.000Z","message":"x"}'],
    ['space for T, same second as the line before', '{"time":"2024-05-01 10:00:00.123Z","message":"x"}'],
    ['service string', '{"service":"api","message":"x"}'],
    ['service object with name', '{"service":{"name":"api","version":"1"},"message":"x"}'],
    ['service object without name', '{"service":{"version":"1"}}'],
    ['service empty string', '{"service":""}'],
    ['service number', '{"service":5}'],
    ['service array', '{"service":["a"]}'],
    ['literal service.name', '{"service.name":"lit","message":"x"}'],
    ['literal service.name and service', '{"service.name":"lit","service":"api"}'],
    ['level moved to a new log', '{"level":"info","message":"x"}'],
    ['level moved into log', '{"level":"info","log":{"logger":"main"}}'],
    ['level moved into empty log', '{"level":"info","log":{ }}'],
    ['level kept beside log.level', '{"level":"info","log":{"level":"warn"}}'],
    ['level kept beside literal log.level', '{"level":"info","log.level":"warn"}'],
    ['level kept when log is a string', '{"level":"info","log":"text"}'],
    ['level not a string', '{"level":3}'],
    ['kafka field replaced', '{"kafka":{"topic":"spoofed"},"message":"x"}'],
    ['duplicate keys', '{"a":1,"a":2}'],
    ['nested duplicate keys', '{"a":{"b":1,"b":2}}'],
    ['escaped key', '{"lev\\u0065l":"info","m\\"sg":"x"}'],
    ['escaped strings', '{"message":"a\\"b\\\\","path":"c:\\\\x\\\\"}'],
    ['whitespace', ' { "message" : "x" , "n" : [ 1 , 2 ] } '],
    ['non-canonical numbers', '{"a":1.0,"b":1e3,"c":-0,"d":12345678901234567890,"e":0.5,"f":-12}'],
    ['too many fields', `{${Array.from({ length: 30 }, (_, i) => `"f${i}":${i}`).join(',')}}`],
    ['too deep', '{"a":{"b":{"c":{"d":{"e":1}}}}}'],
    ['dotted key too deep', '{"a.b.c.d.e":1}'],
    ['string too long', `{"message":"${'x'.repeat(60)}"}`],
    ['blank key', '{"":1," ":2,"a..b":3}'],
    ['proto key', '{"__proto__":{"x":1},"constructor":2}'],
    ['arrays of objects', '{"a":[{"b":1},{"c":"d"},3]}'],
    ['empty object', '{}'],
    ['CRLF line end', '{"message":"x"}\r\n'],
    ['not an object', '[1,2]'],
    ['logfmt fallback', 'level=info msg=hi'],
  ])('%s', (_, line) => {
    expectSame(line);
  });

  it('keeps Kafka keys and timestamps', () => {
    expectSame('{"message":"x"}', { key: Buffer.from('order-9'), timestamp: -1 });
    expectSame('{"message":"x"}', { key: Buffer.from([0xff, 0xfe]) });
    // After year 9999: the time is written without the per-second cache, after its key.
    expectSame('{"message":"x"}', { timestamp: 253_402_300_800_000 });
  });

  it('leaves strings that are not UTF-8 to the parser path, which dead-letters them', () => {
    const lines = [
      [0xff], // never in UTF-8
      [0xc3], // a sequence cut short
      [0xc0, 0xaf], // overlong
      [0xed, 0xa0, 0x80], // a surrogate
    ].map((bad) => Buffer.concat([Buffer.from('{"m":"a'), Buffer.from(bad), Buffer.from('b","n":1}')]));
    for (const value of lines) {
      const out = prepareRecord(kafkaRecord(value, { topic: 'fast' }), config, createPrepareCounters(), {
        now: 1,
      });
      expect(out).toMatchObject({ kind: 'dead_letter', reason: 'the value is not valid UTF-8' });
    }
  });

  it('copies the original text of the members it keeps', () => {
    const out = expectSame('{"message" :  "x", "n": 1.5}');
    expect(out.kind === 'write' && sourceText(out.source)).toContain('"message" :  "x", "n": 1.5');
  });

  it.each([
    ['plain fields', '{"message":"hi","n":1}', true],
    ['winston-style', '{"time":"2024-05-01T10:00:00.000Z","level":"info","service":"api","msg":"x"}', true],
    ['nested objects and arrays', '{"a":{"b":[1,"x",{"c":null}]},"t":true}', true],
    ['service empty string', '{"service":"","message":"x"}', true],
    ['kafka field replaced', '{"kafka":{"topic":"spoofed"},"message":"x"}', true],
    ['log object', '{"level":"info","log":{"logger":"main"}}', false],
    ['log object, no level', '{"log":{"logger":"main"},"log.level":"info","message":"x"}', true],
    ['log string and level', '{"level":"info","log":"text"}', false],
    [
      'log object and a level held by log.level',
      '{"level":"info","log.level":"warn","log":{"logger":"m"}}',
      true,
    ],
    ['service object', '{"service":{"name":"api"}}', true],
    [
      'ECS style',
      '{"@timestamp":"2024-05-01T10:00:00.000Z","log.level":"info","service":{"name":"api","version":"1"},"trace":{"id":"a"}}',
      true,
    ],
    [
      'service object, name after nested',
      '{"service":{"a":{"name":"x"},"b":[{"name":"y"}],"name":"api"}}',
      true,
    ],
    ['service object without name', '{"service":{"version":"1"}}', false],
    ['service object with empty name', '{"service":{"name":""}}', false],
    ['service object with escaped name', '{"service":{"name":"a\\"b"}}', false],
    ['literal service.name', '{"service.name":"api"}', false],
    ['escaped service', '{"service":"a\\u0062"}', false],
    ['literal log.level', '{"level":"info","log.level":"warn"}', true],
    ['duplicate keys', '{"a":1,"a":2}', false],
    ['non-canonical number', '{"a":1.0}', false],
    ['logfmt', 'level=info msg=hi', false],
  ])('writes %s on its bytes: %s', (_, line, bytes) => {
    const out = expectSame(line);
    expect(out.kind).toBe('write');
    // The byte path itself, asked directly: it answers only for the lines it takes.
    const record = kafkaRecord(line, { topic: 'fast' });
    const fast = selectPipeline(config, 'fast')!;
    const plan = fastJsonPlan(fast)!;
    const direct = prepareJsonBytes(
      record.value!,
      record,
      { topic: 'fast', partition: 0, offset: 0 },
      fast,
      plan,
      createPrepareCounters(),
      1,
    );
    expect(direct !== undefined).toBe(bytes);
    if (direct?.kind === 'write')
      expect(JSON.parse(sourceText(direct.source))).toEqual(
        JSON.parse(sourceText(out.kind === 'write' ? out.source : '')),
      );
  });

  it.each([
    ['logfmt', 'level2=info msg=hi'],
    ['JSON the byte path leaves', '{"a":1.0,"b":{"c":1,"c":2}}'],
  ])('writes parsed %s as a whole item from its fields', (_, line) => {
    const out = expectSame(line);
    expect(out.kind === 'write' && out.item !== undefined).toBe(true);
  });

  it(
    'gives the same result as JSON.parse for broken JSON',
    () => {
      const base = fc.constantFrom(
        '{"time":"2024-05-01T10:00:00.000Z","level":"info","service":"api","msg":"a \\"b\\" c","n":[1,2.5,-3e2],"o":{"x":null,"y":true}}',
        '{"message":"x","u":"\\u00e9\\ud83d\\ude00","f":false}',
      );
      fc.assert(
        fc.property(base, fc.array(jsonEdit, { minLength: 1, maxLength: 3 }), (line, edits) => {
          expectSame(applyEdits(line, edits));
        }),
        { numRuns: 3000 },
      );
    },
    PROPERTY_TIMEOUT,
  );

  it('gives the same document as rebuilding, for any logfmt line', () => {
    const key = fc.constantFrom(
      'level',
      'msg',
      'service',
      'service.name',
      'time',
      'log',
      'kafka',
      'a.b',
      '0',
      'x',
    );
    const value = fc.oneof(
      fc.stringMatching(/^[a-z0-9.:-]{0,12}$/),
      fc.constant('"quoted value"'),
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(key, value), { maxLength: 8 }), (pairs) => {
        expectSame(pairs.map(([k, v]) => `${k}=${v}`).join(' '));
      }),
      { numRuns: 1000 },
    );
  });

  it(
    'gives the same document as rebuilding, for any JSON object',
    () => {
      const key = fc.oneof(
        fc.constantFrom(
          '@timestamp',
          'time',
          'level',
          'log',
          'service',
          'kafka',
          'message',
          'service.name',
          'log.level',
          'a.b',
          '',
        ),
        fc.string({ maxLength: 6 }),
      );
      const value = fc.letrec<{ v: unknown }>((tie) => ({
        v: fc.oneof(
          { depthSize: 'small' },
          fc.string({ maxLength: 50 }),
          fc.integer(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.boolean(),
          fc.constant(null),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
          fc.array(tie('v'), { maxLength: 3 }),
          fc.dictionary(key, tie('v'), { maxKeys: 4 }),
        ),
      })).v;
      const doc = fc.dictionary(key, value, { maxKeys: 8 });
      fc.assert(
        fc.property(doc, fc.constantFrom('', ' ', '\t'), (object, space) => {
          const line =
            space === '' ? JSON.stringify(object) : JSON.stringify(object, null, space).replace(/\n/g, ' ');
          expectSame(line);
        }),
        { numRuns: 2000 },
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('fast-path documents routed by their own fields', () => {
  const own = parsePipelineConfig({
    topics: [{ match: 'own', pipeline: 'own' }],
    pipelines: {
      own: pipeline({
        route: { index: 'logs-{tenant}-{service.name}-{yyyy.MM.dd}', fallback: 'logs-unrouted' },
        id: { type: 'field', field: 'req.id' },
      }),
    },
  });
  const prepare = (line: string, rebuild: boolean) => {
    const counters = createPrepareCounters();
    const out = prepareRecord(kafkaRecord(line, { topic: 'own' }), own, counters, { now: 1, rebuild });
    return { out: comparable(out), counters, item: out.kind === 'write' && out.item !== undefined };
  };

  it.each([
    ['tenant and id', '{"tenant":"acme","req":{"id":"r-1"},"msg":"x"}'],
    ['no tenant: fallback index, no id: coordinates', '{"msg":"x"}'],
    ['logfmt', 'tenant=beta req.id=r-2 msg=hi'],
    ['service and level rewritten', '{"tenant":"acme","service":"api","level":"warn","req":{"id":"r-3"}}'],
  ])('%s', (_, line) => {
    const { item, ...fast } = prepare(line, false);
    const { item: _rebuiltItem, ...rebuilt } = prepare(line, true);
    expect(fast).toEqual(rebuilt);
    // Written as a whole item from the fields, unless the document rewrites one of them.
    expect(item).toBe(!line.includes('"service"'));
  });
});

describe('fast-path items of several topics, services and levels in turn', () => {
  // The byte paths keep an item's head (up to its id) and tail (service, level, kafka) per
  // combination: each item must still carry its own topic, service and level.
  const shared = parsePipelineConfig({
    topics: [{ match: '*.logs', pipeline: 'fast' }],
    pipelines: { fast: pipeline({}) },
  });
  it('writes each item with its own topic, service and level', () => {
    const cases = [
      { topic: 'a.logs', service: 'api', level: 'info' },
      { topic: 'b.logs', service: 'api', level: 'info' },
      { topic: 'a.logs', service: 'api', level: 'warn' },
      { topic: 'b.logs', service: 'web', level: 'warn' },
      { topic: 'a.logs', service: 'web', level: 'info' },
    ];
    for (let round = 0; round < 2; round++) {
      cases.forEach(({ topic, service, level }, i) => {
        const line = `{"time":"2024-05-01T10:00:00.000Z","service":"${service}","level":"${level}","m":${i}}`;
        const out = prepareRecord(
          kafkaRecord(line, { topic, partition: i, offset: 100 + i }),
          shared,
          createPrepareCounters(),
          { now: 1 },
        );
        if (out.kind !== 'write') throw new Error(`not written: ${out.kind}`);
        expect(out.item?.toString()).toBe(
          `{"create":{"_index":"logs-${service}-2024.05.01","_id":"${topic}:${i}:${100 + i}"}}\n` +
            `{"@timestamp":"2024-05-01T10:00:00.000Z","time":"2024-05-01T10:00:00.000Z","m":${i},` +
            `"service":{"name":"${service}"},"log":{"level":"${level}"},` +
            `"kafka":{"topic":"${topic}","partition":${i},"offset":${100 + i},"timestamp":"2024-05-01T12:00:00.000Z"}}\n`,
        );
        expect(out.id).toBe(`${topic}:${i}:${100 + i}`);
      });
    }
  });
});

describe('fitsLimits', () => {
  const l = { maxFields: 5, maxDepth: 3, maxFieldBytes: 10 };
  it.each<[string, Record<string, unknown>, boolean]>([
    ['small', { a: 1, b: 'x' }, true],
    ['too many leaves', { a: 1, b: 2, c: 3, d: 4, e: 5, f: 6 }, false],
    ['array of scalars is one leaf', { a: [1, 2, 3, 4, 5, 6, 7] }, true],
    ['too deep', { a: { b: { c: { d: 1 } } } }, false],
    ['long string', { a: 'x'.repeat(11) }, false],
    ['multi-byte string at the cap', { a: 'é'.repeat(5) }, true],
    ['blank key', { '': 1 }, false],
  ])('%s', (_, fields, fits) => {
    const guard = guardFields(fields, l, { overflowedFields: 0, renamedKeys: 0, truncated: 0 });
    expect(fitsLimits(fields, l) >= 0).toBe(fits);
    if (fits) expect(guard.fields).toEqual(fields);
  });

  it('counts keys at every depth', () => {
    expect(
      fitsLimits({ a: { b: 1, c: [{ d: 1 }] } }, { maxFields: 10, maxDepth: 5, maxFieldBytes: 10 }),
    ).toBe(4);
  });
});

describe('rendering names from a template, repeatedly', () => {
  it('gives the same names as rendering each one afresh, whatever the order', () => {
    const docs = fc.array(
      fc.record({
        service: fc.record({ name: fc.constantFrom('api', 'web', 'Bad Name', '', '-x', 'é', 'UPPER') }),
        env: fc.constantFrom('prod', 'dev', '', '..', 'a'.repeat(120)),
      }),
      { maxLength: 30 },
    );
    fc.assert(
      fc.property(
        docs,
        fc.array(fc.integer({ min: 0, max: 5 * 86_400_000 }), { minLength: 30, maxLength: 30 }),
        (list, times) => {
          const shared = parseTemplate('logs-{service.name}-{yyyy.MM.dd}');
          list.forEach((doc, i) => {
            const fresh = parseTemplate('logs-{service.name}-{yyyy.MM.dd}');
            expect(renderTemplate(shared, doc, times[i]!)).toBe(renderTemplate(fresh, doc, times[i]!));
          });
        },
      ),
    );
  });
});

describe('buildDocument on events within the limits', () => {
  it('leaves the event untouched while writing into log, service and event', () => {
    const fields = {
      level: 'warn',
      log: { logger: 'main' },
      service: { version: '1' },
      event: { kind: 'x' },
    };
    const before = structuredClone(fields);
    const doc = buildDocument(
      {
        fields,
        timestampMs: 0,
        record: kafkaRecord('{}'),
        service: 'svc',
        limits: DEFAULT_LIMITS,
        original: 'line',
      },
      { overflowedFields: 0, renamedKeys: 0, truncated: 0 },
    );
    expect(fields).toEqual(before);
    expect(doc).toMatchObject({
      log: { logger: 'main', level: 'warn' },
      service: { version: '1', name: 'svc' },
      event: { kind: 'x', original: 'line' },
    });
  });
});

describe('decoding values as UTF-8', () => {
  const fatal = new TextDecoder('utf-8', { fatal: true });
  it('refuses exactly what a fatal TextDecoder refuses, and drops a byte-order mark as it does', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 12 }),
      fc
        .string({ unit: 'grapheme', maxLength: 6 })
        .map((s) => Buffer.from(`\ufeff{"m":${JSON.stringify(s)}}`)),
    );
    fc.assert(
      fc.property(bytes, (array) => {
        const value = Buffer.from(array);
        let text: string | undefined;
        try {
          text = fatal.decode(value);
        } catch {
          text = undefined;
        }
        const out = prepareRecord(kafkaRecord(value, { topic: 'fast' }), config, createPrepareCounters(), {
          now: 1,
        });
        const decodeError = out.kind === 'dead_letter' && out.errorType === 'decode_error';
        expect(decodeError).toBe(text === undefined);
        if (text?.startsWith('{') && out.kind === 'write') {
          const m = JSON.parse(text).m as string;
          const written = JSON.parse(sourceText(out.source)).m as string;
          // Over max_field_bytes (40) the field is cut at a character boundary.
          if (Buffer.byteLength(m) <= limits.max_field_bytes) expect(written).toBe(m);
          else
            expect(m.startsWith(written) && Buffer.byteLength(written) <= limits.max_field_bytes).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
