import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KafkaRecord } from '../../../functions/core/kafka/types.ts';
import { buildDocument, type DocumentInput } from '../../../functions/core/pipeline/document.ts';
import type { Fields } from '../../../functions/core/pipeline/fields.ts';
import { DEFAULT_LIMITS, type FieldLimits } from '../../../functions/core/pipeline/limits.ts';
import { parseAccess } from '../../../functions/core/pipeline/parsers/access.ts';
import { parseSyslog } from '../../../functions/core/pipeline/parsers/syslog.ts';
import { serializeDocument } from '../../../functions/core/pipeline/serialize.ts';
import { kafkaRecord } from './helpers.ts';

const TS = Date.UTC(2024, 4, 1, 10, 0, 0, 123);

interface Extra {
  key?: Buffer | null;
  timestamp?: number;
  topic?: string;
  original?: string;
  service?: string;
  limits?: FieldLimits;
}

function input(fields: Fields, extra: Extra = {}): DocumentInput {
  const record: KafkaRecord = kafkaRecord('x', {
    key: extra.key ?? null,
    timestamp: extra.timestamp ?? Date.UTC(2024, 4, 1, 10, 0, 5),
    topic: extra.topic ?? 'app-logs',
  });
  return {
    fields,
    timestampMs: TS,
    record,
    service: extra.service ?? 'unknown',
    limits: extra.limits ?? DEFAULT_LIMITS,
    original: extra.original,
  };
}

/** The old path's text and whether it counted anything. */
function reference(doc: DocumentInput): { text: string; counted: boolean } {
  const counters = { overflowedFields: 0, renamedKeys: 0, truncated: 0 };
  const text = JSON.stringify(buildDocument(doc, counters));
  return { text, counted: counters.overflowedFields + counters.renamedKeys + counters.truncated > 0 };
}

/** serializeDocument must give a string, equal to the old path's. */
function expectFast(fields: Fields, extra: Extra = {}): string {
  const doc = input(fields, extra);
  const fast = serializeDocument(doc);
  expect(fast).toBeTypeOf('string');
  expect(fast).toBe(reference(doc).text);
  // Valid JSON too (the reference could only be wrong the same way if buildDocument were).
  JSON.parse(fast!);
  return fast!;
}

const NGINX =
  '203.0.113.9 - frank [10/Oct/2024:13:55:36 -0700] "GET /api/orders?id=7 HTTP/1.1" 200 2326 "https://shop.example.com/" "Mozilla/5.0 (X11; Linux x86_64)" "10.0.0.1"';
const NGINX_PROBE = 'shop.example.com - - [10/Oct/2024:13:55:36 -0700] "\\x16\\x03\\x01" 400 157 "-" "-"';
const SYSLOG_3164 =
  '<38>Nov 20 12:00:01 ip-10-0-1-22 sshd[4242]: Failed password for invalid user admin from 10.1.2.3 port 5555 ssh2';
const SYSLOG_5424 =
  '<165>1 2024-05-01T10:00:00.123Z host app 1234 ID47 [exampleSDID@32473 iut="3" eventSource="Application"] \uFEFFstarted';

describe('serializeDocument', () => {
  describe('parser outputs (the fast path must be taken)', () => {
    it.each([
      ['nginx combined', parseAccess(NGINX)],
      ['nginx probe line', parseAccess(NGINX_PROBE)],
      ['syslog 3164', parseSyslog(SYSLOG_3164)],
      ['syslog 5424 with structured data', parseSyslog(SYSLOG_5424)],
      ['syslog without PRI', parseSyslog('Nov 20 12:00:01 host cron: (root) CMD (run-parts)')],
    ])('%s', (_name, fields) => {
      expect(fields).toBeDefined();
      const text = expectFast(fields!, { service: 'nginx', topic: 'nginx.access' });
      expect(text.startsWith('{"@timestamp":"2024-05-01T10:00:00.123Z",')).toBe(true);
    });

    it('writes the parser output with the added members in order', () => {
      const text = expectFast(
        parseAccess('10.0.0.1 - - [10/Oct/2024:13:55:36 -0700] "GET / HTTP/1.1" 200 5')!,
        {
          service: 'nginx',
          topic: 'nginx.access',
          key: Buffer.from('k1'),
        },
      );
      expect(text).toBe(
        '{"@timestamp":"2024-05-01T10:00:00.123Z","source":{"ip":"10.0.0.1"},' +
          '"http":{"request":{"method":"GET"},"version":"1.1","response":{"status_code":200,"body":{"bytes":5}}},' +
          '"url":{"original":"/"},"service":{"name":"nginx"},' +
          '"kafka":{"topic":"nginx.access","partition":3,"offset":1042,"timestamp":"2024-05-01T10:00:05.000Z","key":"k1"}}',
      );
    });
  });

  describe('document semantics', () => {
    it.each<[string, Fields]>([
      ['level moves to a new log at the end', { message: 'm', level: 'warn', z: 1 }],
      ['level moves into an existing log, appended', { log: { logger: 'x' }, level: 'warn', message: 'm' }],
      ['level moves into an empty log', { log: {}, level: 'warn' }],
      ['level stays when log.level is set', { level: 'warn', log: { level: 'error' } }],
      ['level stays when a dotted log.level is set', { level: 'warn', 'log.level': 'error' }],
      ['level stays when log is not an object', { level: 'warn', log: 'text' }],
      ['level stays when log is an array', { level: 'warn', log: ['a'] }],
      ['level stays when log is null', { level: 'warn', log: null }],
      ['a numeric level stays', { level: 30 }],
      ['service string becomes service.name in place', { a: 1, service: 'billing', b: 2 }],
      ['empty service string gets the default in place', { a: 1, service: '', b: 2 }],
      ['numeric service gets the default in place', { service: 5, b: 2 }],
      ['array service gets the default in place', { service: ['x'], b: 2 }],
      ['null service gets the default in place', { service: null, b: 2 }],
      ['service object with a name stays', { service: { name: 'api', version: '1' } }],
      ['service object without a name gets one appended', { service: { version: '1' }, z: true }],
      ['service object with an empty name gets the default in place', { service: { name: '', v: 1 } }],
      ['service object with a numeric name gets the default', { service: { name: 7 } }],
      ['a dotted service.name is read', { 'service.name': 'api' }],
      ['a dotted empty service.name does not count', { 'service.name': '' }],
      ['a dotted service.name wins over the object', { 'service.name': 'api', service: { name: 9 } }],
      ['a dotted unusable service.name sets the object name', { 'service.name': 3, service: { name: 'x' } }],
      [
        'the data cannot replace @timestamp or kafka',
        { '@timestamp': 'raw', kafka: { topic: 'forged' }, m: 1 },
      ],
      ['event without original stays', { event: { kind: 'x' } }],
      ['__proto__ key is data', JSON.parse('{"__proto__":{"polluted":true},"a":1}') as Fields],
      ['constructor and prototype keys', { constructor: 'c', prototype: { x: 1 } }],
      [
        'numbers as JSON writes them',
        { nan: Number.NaN, inf: -Infinity, negZero: -0, big: 1e21, small: 1e-7 },
      ],
      ['arrays of scalars and of objects', { tags: ['a', 1, true, null], items: [{ a: 1 }, [2, 3], 'x'] }],
      ['empty objects and arrays', { o: {}, a: [], n: { m: {} } }],
      ['keys needing escapes', { 'a"b': 1, 'tab\tkey': 2, 'line\nkey': { 'q\\': 'v' }, ünï: 'çødé' }],
      ['strings needing escapes', { s: 'quote " back \\ nl \n nul \u0000 del \u007f', u: '\u2028\u2029' }],
      ['lone surrogates', { hi: 'a\ud800b', lo: '\udc00', pair: '😀', mixed: '\ud83d\ude00\ud800' }],
      ['a key that looks numeric but is not an index', { '01': 1, '-1': 2, '1.5': 3 }],
      ['nested numeric keys keep their order', { a: { b: 1, 2: 'x', 1: 'y' } }],
      ['dotted keys', { 'a.b': 1, 'c.d.e': { f: 'g' } }],
    ])('%s', (_name, fields) => {
      expectFast(fields);
    });

    it('writes the level into log exactly where setPath does', () => {
      expect(expectFast({ a: 1, level: 'warn', log: { logger: 'x' }, b: 2 })).toContain(
        ',"log":{"logger":"x","level":"warn"},"b":2,',
      );
      expect(expectFast({ a: 1, level: 'warn' })).toContain(
        ',"a":1,"log":{"level":"warn"},"service":{"name":"unknown"},"kafka":',
      );
    });

    it.each<[string, Fields]>([
      ['no event', { message: 'm' }],
      ['an event object', { event: { kind: 'x' }, message: 'm' }],
      ['an event object with an original', { event: { original: 'old', kind: 'x' } }],
      ['an event string', { event: 'x', message: 'm' }],
      ['an event array', { event: [1], message: 'm' }],
    ])('event.original with %s', (_name, fields) => {
      expectFast(fields, { original: 'the "raw" line\u0001' });
    });

    it('cuts event.original to maxFieldBytes without counting it', () => {
      const limits = { ...DEFAULT_LIMITS, maxFieldBytes: 10 };
      const text = expectFast({ message: 'short' }, { original: 'ééééééééé', limits });
      expect(text).toContain('"event":{"original":"ééééé"}');
    });

    it.each<[string, Extra]>([
      ['a key', { key: Buffer.from('user-1') }],
      ['a key that is not UTF-8', { key: Buffer.from([0xff, 0xfe, 0x00]) }],
      ['a key needing escapes', { key: Buffer.from('a"b\n') }],
      ['no Kafka timestamp', { timestamp: -1 }],
      ['an unusable Kafka timestamp', { timestamp: Number.NaN }],
      ['a topic needing escapes', { topic: 'we"ird' }],
      ['a service needing escapes', { service: 'svc "x"' }],
    ])('kafka and service metadata with %s', (_name, extra) => {
      expectFast({ message: 'm' }, extra);
      // The topic prefix is cached: a later, different topic must not reuse it.
      expectFast({ message: 'm' }, { ...extra, topic: 'other' });
    });
  });

  describe('falls back (undefined) outside the simple case', () => {
    const tight: FieldLimits = { maxFields: 13, maxDepth: 3, maxFieldBytes: 12 };
    it.each<[string, Fields, FieldLimits]>([
      ['too many leaves', { a: 1, b: 2, c: 3, d: 4 }, tight],
      ['too many leaves counting skipped keys', { '@timestamp': 't', kafka: 1, a: 1, b: 2 }, tight],
      ['too many leaves counting a moved level', { level: 'x', a: 1, b: 2, c: 3 }, tight],
      ['too deep', { a: { b: { c: { d: 1 } } } }, tight],
      ['too deep by dots', { 'a.b.c.d': 1 }, tight],
      ['too deep in a skipped key', { kafka: { b: { c: { d: 1 } } } }, tight],
      ['string too long', { a: 'x'.repeat(13) }, tight],
      ['string too long in bytes', { a: 'éééééé1' }, tight],
      ['string too long in an array', { a: ['x'.repeat(13)] }, tight],
      ['string too long in @timestamp', { '@timestamp': 'x'.repeat(13) }, tight],
      ['empty key', { '': 1 }, DEFAULT_LIMITS],
      ['blank key', { ' ': 1 }, DEFAULT_LIMITS],
      ['blank segment', { 'a..b': 1 }, DEFAULT_LIMITS],
      ['leading dot', { '.a': 1 }, DEFAULT_LIMITS],
      ['nested blank key', { a: { '': 1 } }, DEFAULT_LIMITS],
      ['undefined value', { a: undefined }, DEFAULT_LIMITS],
      ['nested undefined value', { a: { b: undefined } }, DEFAULT_LIMITS],
      ['undefined in an array', { a: [undefined] }, DEFAULT_LIMITS],
      ['a Date', { a: new Date(0) }, DEFAULT_LIMITS],
      ['a Map', { a: new Map() }, DEFAULT_LIMITS],
      ['a function', { a: () => 1 }, DEFAULT_LIMITS],
      ['a bigint', { a: 1n }, DEFAULT_LIMITS],
      ['an array-index key (would precede @timestamp)', { 0: 'x', a: 1 }, DEFAULT_LIMITS],
    ])('%s', (_name, fields, limits) => {
      const doc = input(fields, { limits });
      expect(serializeDocument(doc)).toBeUndefined();
    });

    it('agrees with buildDocument on where the limits are', () => {
      // One leaf under the budget, at it, and over it.
      const budget = (n: number): Fields =>
        Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
      const limits: FieldLimits = { maxFields: 15, maxDepth: 20, maxFieldBytes: 100 };
      expect(serializeDocument(input(budget(4), { limits }))).toBe(
        reference(input(budget(4), { limits })).text,
      );
      expect(serializeDocument(input(budget(5), { limits }))).toBe(
        reference(input(budget(5), { limits })).text,
      );
      expect(reference(input(budget(6), { limits })).counted).toBe(true);
      expect(serializeDocument(input(budget(6), { limits }))).toBeUndefined();
    });

    it('a non-plain fields object', () => {
      class Event {
        message = 'm';
      }
      expect(serializeDocument(input(new Event() as unknown as Fields))).toBeUndefined();
    });

    it('an enumerable key on Object.prototype', () => {
      const proto = Object.prototype as Record<string, unknown>;
      proto.polluted = 1;
      try {
        expect(serializeDocument(input({ a: 1 }))).toBeUndefined();
      } finally {
        delete proto.polluted;
      }
      expect(serializeDocument(input({ a: 1 }))).toBeTypeOf('string');
    });
  });

  describe('property: equal to JSON.stringify(buildDocument(…)) whenever it answers', () => {
    const key = fc.oneof(
      {
        weight: 6,
        arbitrary: fc.constantFrom('a', 'b', 'message', 'level', 'log', 'service', 'event', 'kafka'),
      },
      {
        weight: 2,
        arbitrary: fc.constantFrom('name', 'original', '@timestamp', 'service.name', 'log.level'),
      },
      { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', '0', '1', 'a.b', 'a..b', ' ', '') },
      { weight: 2, arbitrary: fc.string({ maxLength: 4 }) },
    );
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.string({ unit: 'binary', maxLength: 6 }),
      fc.constantFrom('warn', 'api', '', '\ud800', 'é'.repeat(8)),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
    );
    const value = fc.letrec<{ value: unknown; object: Fields }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        scalar,
        tie('object'),
        fc.array(fc.oneof(scalar, tie('object')), { maxLength: 3 }),
      ),
      object: fc.dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: true }),
    })).object;
    const limits = fc.oneof(
      fc.constant(DEFAULT_LIMITS),
      fc.record({
        maxFields: fc.integer({ min: 10, max: 20 }),
        maxDepth: fc.integer({ min: 1, max: 4 }),
        maxFieldBytes: fc.integer({ min: 1, max: 30 }),
      }),
    );
    const extra = fc.record({
      key: fc.option(fc.uint8Array({ maxLength: 4 }).map((b) => Buffer.from(b))),
      timestamp: fc.constantFrom(-1, Date.UTC(2024, 0, 1), Number.NaN),
      topic: fc.constantFrom('app-logs', 'nginx.access', 'q"t'),
      original: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      service: fc.constantFrom('unknown', 'svc'),
      limits,
    });

    it('matches the old path and counts nothing', () => {
      let answered = 0;
      fc.assert(
        fc.property(value, extra, (fields, ex) => {
          const doc = input(fields, ex);
          const fast = serializeDocument(doc);
          if (fast === undefined) return;
          answered++;
          const ref = reference(doc);
          expect(ref.counted).toBe(false);
          expect(fast).toBe(ref.text);
        }),
        { numRuns: 3000 },
      );
      // The fast path must not silently become never-taken.
      expect(answered).toBeGreaterThan(300);
    });

    // The shapes the text parsers produce: strings and numbers under fixed nested keys.
    const parserShape = fc.record(
      {
        source: fc.record({ ip: fc.ipV4() }),
        '@timestamp': fc.string({ maxLength: 30 }),
        log: fc.record({
          syslog: fc.record({
            priority: fc.nat(191),
            facility: fc.record({ code: fc.nat(23), name: fc.string({ maxLength: 10 }) }),
          }),
        }),
        http: fc.record({
          request: fc.record(
            { method: fc.constantFrom('GET', 'POST'), referrer: fc.webUrl() },
            { requiredKeys: ['method'] },
          ),
          response: fc.record({ status_code: fc.integer({ min: 100, max: 599 }) }),
        }),
        process: fc.record({ name: fc.string({ maxLength: 10 }), pid: fc.nat() }, { requiredKeys: [] }),
        message: fc.string({ unit: 'grapheme', maxLength: 200 }),
        level: fc.constantFrom('INFO', 'WARN'),
      },
      { requiredKeys: ['@timestamp'] },
    );

    it('answers for every parser-shaped event, equal to the old path', () => {
      fc.assert(
        fc.property(parserShape, extra, (fields, ex) => {
          const doc = input(fields, { ...ex, limits: DEFAULT_LIMITS, original: undefined });
          const fast = serializeDocument(doc);
          expect(fast).toBeTypeOf('string');
          expect(fast).toBe(reference(doc).text);
        }),
        { numRuns: 1000 },
      );
    });
  });
});
