import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KafkaEventRecord } from '../../../functions/core/kafka/types.ts';
import { type BadInputHarness, type BadInputRun, fixtures, startBadInputHarness, T0 } from './support.ts';

// The bad-input corpus: each hostile record travels between two good ones through the real handler
// against the local stack. The handler never throws, the bad record is indexed with safe fields,
// dead-lettered with its reason, or dropped (a tombstone), and its neighbours are untouched.

let h: BadInputHarness;
beforeAll(async () => {
  h = await startBadInputHarness();
});
afterAll(async () => {
  await h?.close();
});

const b64 = (data: string | Buffer) => Buffer.from(data).toString('base64');
const json = (value: unknown) => b64(JSON.stringify(value));
const fixture = (name: string) => readFileSync(path.join(fixtures, name));
const withService = (name: string, fields: Record<string, unknown> = {}) => ({
  '@timestamp': '2026-11-20T12:00:00Z',
  message: name,
  service: { name },
  ...fields,
});

let n = 0;
/** Runs one bad record; checks what every case must hold. */
async function run(bad: Partial<KafkaEventRecord>): Promise<BadInputRun> {
  const r = await h.run(`c${++n}`, bad);
  expect(r.thrown).toBeUndefined();
  expect(r.response).toEqual({ batchItemFailures: [] });
  for (const good of r.good) {
    expect(good.docs).toHaveLength(1);
    expect(good.deadLetters).toHaveLength(0);
  }
  // Exactly one place (or none, for a tombstone).
  expect(r.bad.docs.length + r.bad.deadLetters.length).toBeLessThanOrEqual(1);
  return r;
}

function deadLettered(r: BadInputRun, errorType: string, reason: RegExp) {
  expect(r.bad.docs).toHaveLength(0);
  expect(r.bad.deadLetters).toHaveLength(1);
  const entry = r.bad.deadLetters[0]!;
  expect(entry.errorType).toBe(errorType);
  expect(entry.reason).toMatch(reason);
  return entry;
}

function indexed(r: BadInputRun) {
  expect(r.bad.deadLetters).toHaveLength(0);
  expect(r.bad.docs).toHaveLength(1);
  return r.bad.docs[0]!;
}

/** Every key anywhere in a document. */
function keys(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value))
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      keys(v, out);
    }
  return out;
}
function depth(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depth));
}

describe('bad input: encoding', () => {
  it('invalid base64 in the value is dead-lettered as decode_error with the text as received', async () => {
    const r = await run({ value: 'not base64!!' });
    const entry = deadLettered(r, 'decode_error', /value is not valid base64/);
    expect(Buffer.from(entry.original!, 'base64').toString()).toBe('not base64!!');
  });

  it('invalid base64 in the key is dead-lettered as decode_error', async () => {
    deadLettered(await run({ key: '%%%' }), 'decode_error', /key is not valid base64/);
  });

  it('URL-safe base64 (not what the ESM sends) is refused, not misread', async () => {
    deadLettered(
      await run({ value: b64('{"a":"??>>"}').replace(/\+/g, '-').replace(/\//g, '_') }),
      'decode_error',
      /base64/,
    );
  });

  it('invalid UTF-8 is dead-lettered with the original bytes', async () => {
    const bytes = fixture('invalid-utf8.bin');
    const entry = deadLettered(await run({ value: b64(bytes) }), 'decode_error', /UTF-8/);
    expect(Buffer.from(entry.original!, 'base64').equals(bytes)).toBe(true);
  });

  it('a value that is not a string is dead-lettered', async () => {
    deadLettered(await run({ value: 12345 as unknown as string }), 'decode_error', /value is not a string/);
  });
});

describe('bad input: empty and non-object values', () => {
  it('a null value is a tombstone: dropped, counted, written nowhere', async () => {
    const r = await run({ value: null });
    expect(r.bad.docs).toHaveLength(0);
    expect(r.bad.deadLetters).toHaveLength(0);
    expect(r.batch?.result.counters.dropped).toBe(1);
    expect(r.batch?.prepare.tombstones).toBe(1);
  });

  it('an empty value is dead-lettered as parse_error', async () => {
    deadLettered(await run({ value: '' }), 'parse_error', /no parser accepted/);
  });

  it.each(readFileSync(path.join(fixtures, 'non-object.ndjson'), 'utf8').split('\n').filter(Boolean))(
    'non-object JSON %s is dead-lettered as parse_error with its bytes',
    async (line) => {
      const entry = deadLettered(await run({ value: b64(line) }), 'parse_error', /no parser accepted/);
      expect(Buffer.from(entry.original!, 'base64').toString()).toBe(line);
    },
  );
});

describe('bad input: size and shape', () => {
  it('a 5 MB single record is indexed with its message cut to the term limit', async () => {
    const message = 'm'.repeat(5 * 1024 * 1024);
    const r = await run({ value: json(withService('bad-big', { message })) });
    const doc = indexed(r);
    const kept = doc._source.message as string;
    expect(Buffer.byteLength(kept)).toBeLessThanOrEqual(32_766);
    expect(kept.length).toBeGreaterThan(1000);
    expect(r.batch?.prepare.truncated).toBeGreaterThanOrEqual(1);
  });

  it('JSON with 10,000 fields is indexed with at most max_fields fields, the rest kept as overflow text', async () => {
    const fields = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`f${i}`, i]));
    const r = await run({ value: json(withService('bad-fields', fields)) });
    // The default cap (500 leaves) keeps the index under OpenSearch's total-fields limit (1,000).
    const source = indexed(r)._source;
    expect(keys(source).filter((k) => /^f\d+$/.test(k)).length).toBeLessThanOrEqual(500);
    expect(source).toHaveProperty('sluice.overflow');
    expect(r.batch?.prepare.overflowedFields).toBeGreaterThan(0);
  });

  it('nesting depth 1,000 is indexed with the deep part kept as overflow text', async () => {
    const deep = `{"service":{"name":"bad-deep"},"@timestamp":"2026-11-20T12:00:00Z","d":${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}}`;
    const doc = indexed(await run({ value: b64(deep) }));
    expect(depth(doc._source)).toBeLessThanOrEqual(21);
    expect(doc._source).toHaveProperty('sluice.overflow');
  });
});

describe('bad input: keys', () => {
  it('__proto__ / constructor / prototype keys are plain data and pollute nothing', async () => {
    const doc = indexed(await run({ value: b64(fixture('proto-keys.json')) }));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(doc._source)).toBe(Object.prototype);
    expect(Object.hasOwn(doc._source, '__proto__')).toBe(true);
    expect(doc._source.message).toBe('prototype keys');
  });

  it('keys with dots and empty or blank keys are indexed under safe names', async () => {
    const doc = indexed(await run({ value: b64(fixture('odd-keys.json')) }));
    const all = keys(doc._source);
    expect(
      all.every((k) => k.trim() !== '' && !k.startsWith('.') && !k.endsWith('.') && !k.includes('..')),
    ).toBe(true);
    expect(doc._source).toHaveProperty('_empty', 2);
    expect(doc._source.message).toBe('odd keys');
  });
});

describe('bad input: timestamps and text', () => {
  it.each(readFileSync(path.join(fixtures, 'timestamps.ndjson'), 'utf8').split('\n').filter(Boolean))(
    'event time %s falls back to the Kafka timestamp',
    async (line) => {
      const value = { ...(JSON.parse(line) as Record<string, unknown>), service: { name: 'bad-time' } };
      const r = await run({ value: json(value), timestamp: T0 + 1 });
      const doc = indexed(r);
      expect(doc._source['@timestamp']).toBe(new Date(T0 + 1).toISOString());
      // Counted as a fallback when the field held a scalar it could not read (an object is
      // treated as no timestamp at all).
      const scalar = ['string', 'number'].includes(
        typeof (JSON.parse(line) as Record<string, unknown>)['@timestamp'],
      );
      expect(r.batch?.prepare.timestampFallbacks).toBe(scalar ? 1 : 0);
    },
  );

  it('control characters survive as data', async () => {
    const text = fixture('control-chars.json');
    const doc = indexed(await run({ value: b64(text) }));
    expect(doc._source.message).toBe((JSON.parse(text.toString()) as { message: string }).message);
  });
});

describe('bad input: routed fields cannot escape the index prefix', () => {
  const names = [
    ...(JSON.parse(fixture('routed-names.json').toString()) as string[]),
    's'.repeat(300),
    'é'.repeat(150),
  ];
  it.each(names)('service.name %j', async (name) => {
    const doc = indexed(await run({ value: json(withService(name)) }));
    const index = doc._index;
    expect(index === 'logs-unrouted' || index.startsWith('logs-')).toBe(true);
    // A valid, concrete index name: lowercase, no wildcard, list, path or reserved characters.
    expect(index).toMatch(/^logs-[a-z0-9][a-z0-9._+-]*$/);
    expect(index).not.toMatch(/[*,/\\|?"<> #:]|\.\./);
    expect(Buffer.byteLength(index)).toBeLessThanOrEqual(255);
    expect((doc._source.service as { name: string }).name).toBe(name);
  });
});

describe('bad input: headers', () => {
  const headers = JSON.parse(fixture('malformed-headers.json').toString()) as Record<string, unknown>;
  it('headers that are not an array are ignored and counted', async () => {
    const r = await run({ headers: headers['not-an-array'] as KafkaEventRecord['headers'] });
    indexed(r);
    expect(r.batch?.malformedHeaders).toBe(1);
  });

  it('malformed header entries are skipped one by one; the record is indexed', async () => {
    const r = await run({ headers: headers.mixed as KafkaEventRecord['headers'] });
    indexed(r);
    expect(r.batch?.malformedHeaders).toBe(5);
    expect(({} as Record<string, unknown>)[0]).toBeUndefined();
  });
});
