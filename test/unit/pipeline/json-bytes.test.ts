// The byte-level JSON scanner of the fast path, against JSON.parse: whatever it accepts JSON.parse
// accepts, as an object with the same top-level members; what it must refuse it refuses.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ByteLimits,
  createByteMembers,
  scanJsonBytes,
  ValueTypes,
} from '../../../functions/core/pipeline/json-bytes.ts';
import { compileTimestampParser, isoBytesParser } from '../../../functions/core/pipeline/timestamp.ts';
import { applyEdits, jsonEdit } from './helpers.ts';
import { referenceScanJsonBytes } from './json-bytes-reference.ts';

const wide: ByteLimits = { maxLeaves: 1000, maxDepth: 20, maxStringBytes: 32766 };

function scan(text: string, limits = wide) {
  const bytes = Buffer.from(text);
  const members = createByteMembers();
  const ok = scanJsonBytes(bytes, limits, members);
  const spans = Array.from({ length: ok ? members.count : 0 }, (_, m) => ({
    key: bytes.toString('utf8', members.keyStart[m]! + 1, members.keyEnd[m]! - 1),
    value: bytes.toString('utf8', members.valueStart[m], members.valueEnd[m]),
    type: members.valueType[m],
  }));
  return { ok, spans, nonAscii: members.nonAscii };
}

describe('scanJsonBytes', () => {
  it('accepts only what JSON.parse reads as an object, with the same members', () => {
    let accepted = 0;
    // Valid JSON with a few edits from JSON's own alphabet: near-misses of JSON are common.
    const base = fc
      .dictionary(
        fc.constantFrom('a', 'b', 'msg', 'é', 'a.b'),
        fc.oneof(
          fc.string({ maxLength: 6 }),
          fc.integer(),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
          fc.constantFrom(true, null, [1, 'x'], { c: { d: [] } }),
        ),
        { maxKeys: 4 },
      )
      .map((o) => JSON.stringify(o));
    fc.assert(
      fc.property(base, fc.array(jsonEdit, { maxLength: 2 }), (line, edits) => {
        const text = applyEdits(line, edits);
        const { ok, spans, nonAscii } = scan(text);
        if (!ok) return;
        accepted++;
        // The caller checks UTF-8 only when told a byte over 0x7f was seen.
        expect(nonAscii).toBe([...text].some((c) => c.charCodeAt(0) > 0x7f));
        const parsed = JSON.parse(text) as Record<string, unknown>;
        expect(typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)).toBe(true);
        // Same members (JS lists integer-like keys first; the text's order is the document's).
        expect(spans.map((s) => s.key).sort()).toEqual(Object.keys(parsed).sort());
        for (const span of spans) expect(JSON.parse(span.value)).toEqual(parsed[span.key]);
      }),
      { numRuns: 20_000 },
    );
    // Enough of the texts are accepted for the comparison to mean something.
    expect(accepted).toBeGreaterThan(2000);
  });

  it('accepts the JSON that JSON.stringify writes for plain objects', () => {
    const key = fc.stringMatching(/^[a-z_@][a-z0-9_.]{0,8}$/).filter((k) => !/\.\.|\.$/.test(k));
    const value = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.string({ maxLength: 20 }),
        fc.integer(),
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(key, tie('v'), { maxKeys: 3 }),
      ),
    })).v;
    // The scanner bounds depth by nesting plus every dot in the document's keys (a safe
    // over-estimate): objects past that bound are left to JSON.parse, not refused as invalid.
    const walk = (v: unknown, depth: number, seen: { dots: number; depth: number }): void => {
      if (Array.isArray(v)) for (const item of v) walk(item, depth, seen);
      else if (typeof v === 'object' && v !== null) {
        seen.depth = Math.max(seen.depth, depth + 1);
        for (const [k, item] of Object.entries(v)) {
          seen.dots += k.split('.').length - 1;
          walk(item, depth + 1, seen);
        }
      }
    };
    const dotsAndDepth = (v: unknown): number => {
      const seen = { dots: 0, depth: 0 };
      walk(v, 0, seen);
      return seen.dots + seen.depth;
    };
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 6 }), (object) => {
        fc.pre(dotsAndDepth(object) < wide.maxDepth - 1);
        const text = JSON.stringify(object);
        const { ok, spans } = scan(text);
        expect(ok).toBe(true);
        expect(spans.map((s) => s.key)).toEqual(Object.keys(object));
      }),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['a duplicate key', '{"a":1,"a":2}'],
    ['a nested duplicate key', '{"a":{"b":1,"b":2}}'],
    ['an escaped key', '{"\\u0061":1}'],
    ['an empty key', '{"":1}'],
    ['a blank dotted segment', '{"a..b":1}'],
    ['a non-canonical number', '{"a":1.0}'],
    ['an unsafe integer', '{"a":12345678901234567890}'],
    ['minus zero', '{"a":-0}'],
    ['a raw newline inside', '{"a":\n1}'],
    ['a control character in a string', '{"a":"\u0001"}'],
    ['a bad escape', '{"a":"\\x"}'],
    ['a trailing comma', '{"a":1,}'],
    ['an array', '[1]'],
    ['trailing text', '{"a":1} x'],
  ])('refuses %s', (_, text) => {
    expect(scan(text).ok).toBe(false);
  });

  it('allows whitespace and a newline around the object, and escapes in values', () => {
    const { ok, spans } = scan(' {"a" : "x\\"y" , "b":[1, 2]}\r\n');
    expect(ok).toBe(true);
    expect(spans).toEqual([
      { key: 'a', value: '"x\\"y"', type: ValueTypes.string },
      { key: 'b', value: '[1, 2]', type: ValueTypes.array },
    ]);
  });

  it.each<[string, string, Partial<ByteLimits>, boolean]>([
    ['leaves at the limit', '{"a":1,"b":[2]}', { maxLeaves: 3 }, true],
    ['leaves over the limit', '{"a":1,"b":[2]}', { maxLeaves: 2 }, false],
    ['depth under the limit', '{"a":{"b":1}}', { maxDepth: 3 }, true],
    ['depth at the limit', '{"a":{"b":1}}', { maxDepth: 2 }, false],
    ['dots count as depth', '{"a.b":1}', { maxDepth: 2 }, false],
    ['a string at the byte limit', '{"a":"1234"}', { maxStringBytes: 4 }, true],
    ['a string over the byte limit', '{"a":"12345"}', { maxStringBytes: 4 }, false],
  ])('%s', (_, text, limits, ok) => {
    expect(scan(text, { ...wide, ...limits }).ok).toBe(ok);
  });
});

describe('scanJsonBytes against its recursive reference', () => {
  // The loop must give the recursive form's verdict, and on acceptance the same members, for any
  // input and any limits: nesting, duplicate and dotted keys, escapes, numbers and the limits'
  // edges are all reached by the edits and the small limits below.
  const members = ['keyStart', 'keyEnd', 'valueStart', 'valueEnd', 'valueType', 'escaped'] as const;
  const text = fc.oneof(
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(typeof v === 'object' && v !== null ? v : { v })),
    fc
      .dictionary(
        fc.constantFrom('a', 'b', 'a.b', '.a', 'a..b', 'é', ' ', 'a b'),
        fc.jsonValue({ maxDepth: 3 }),
        {
          maxKeys: 4,
        },
      )
      .map((o) => JSON.stringify(o)),
  );
  const limits = fc.oneof(
    fc.constant(wide),
    fc.record({
      maxLeaves: fc.integer({ min: 0, max: 12 }),
      maxDepth: fc.integer({ min: 0, max: 6 }),
      maxStringBytes: fc.integer({ min: 0, max: 12 }),
    }),
  );

  it('gives the same verdict and members', () => {
    const ours = createByteMembers();
    const theirs = createByteMembers();
    let accepted = 0;
    fc.assert(
      fc.property(text, fc.array(jsonEdit, { maxLength: 3 }), limits, (line, edits, limit) => {
        const bytes = Buffer.from(applyEdits(line, edits));
        const ok = scanJsonBytes(bytes, limit, ours);
        expect(ok).toBe(referenceScanJsonBytes(bytes, limit, theirs));
        if (!ok) return;
        accepted++;
        expect([ours.count, ours.dottedKeys, ours.nonAscii]).toEqual([
          theirs.count,
          theirs.dottedKeys,
          theirs.nonAscii,
        ]);
        for (const name of members) {
          expect(ours[name].slice(0, ours.count)).toEqual(theirs[name].slice(0, theirs.count));
        }
      }),
      { numRuns: 30_000 },
    );
    expect(accepted).toBeGreaterThan(3000);
  });

  it.each<[string, string, boolean]>([
    ['arrays nested past the stack it starts with', `{"a":${'['.repeat(300)}1${']'.repeat(300)}}`, true],
    [
      'many keys in one object',
      JSON.stringify(Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`k${i}`, i]))),
      true,
    ],
    [
      'a duplicate key after many',
      `{${Array.from({ length: 100 }, (_, i) => `"k${i}":1`).join(',')},"k7":2}`,
      false,
    ],
    ['a key repeated in sibling objects', '{"a":{"x":1},"b":{"x":2},"x":3}', true],
  ])('agrees on %s', (_, line, accepted) => {
    const ours = createByteMembers();
    const theirs = createByteMembers();
    const bytes = Buffer.from(line);
    const big = { maxLeaves: 10_000, maxDepth: 20, maxStringBytes: 100 };
    expect(referenceScanJsonBytes(bytes, big, theirs)).toBe(accepted);
    expect(scanJsonBytes(bytes, big, ours)).toBe(accepted);
    if (accepted) expect(ours.valueEnd.slice(0, ours.count)).toEqual(theirs.valueEnd.slice(0, theirs.count));
  });
});

describe('isoBytesParser', () => {
  it('reads canonical ISO bytes as the parser reads their text', () => {
    const parse = compileTimestampParser(['iso8601', 'epoch_ms']);
    const fromBytes = isoBytesParser(parse)!;
    expect(fromBytes).toBeDefined();
    const digit = fc.integer({ min: 0, max: 9 }).map(String);
    const canonicalShaped = fc
      .tuple(fc.array(digit, { minLength: 17, maxLength: 17 }))
      .map(
        ([d]) =>
          `${d.slice(0, 4).join('')}-${d.slice(4, 6).join('')}-${d.slice(6, 8).join('')}T${d.slice(8, 10).join('')}:${d.slice(10, 12).join('')}:${d.slice(12, 14).join('')}.${d.slice(14, 17).join('')}Z`,
      );
    const real = fc
      .date({ min: new Date(0), max: new Date(253_402_300_799_999), noInvalidDate: true })
      .map((d) => d.toISOString());
    fc.assert(
      fc.property(fc.oneof(canonicalShaped, real), (text) => {
        const bytes = Buffer.from(`"${text}"`);
        const ms = fromBytes(bytes, 1, bytes.length - 1);
        if (ms !== undefined) expect(ms).toBe(parse(text));
      }),
      { numRuns: 3000 },
    );
    expect(fromBytes(Buffer.from('2024-05-01T10:00:00.123Z'), 0, 24)).toBe(
      Date.UTC(2024, 4, 1, 10, 0, 0, 123),
    );
    expect(fromBytes(Buffer.from('2024-05-01T10:00:00+0000'), 0, 24)).toBeUndefined();
  });

  it('is only offered when ISO 8601 is the first format', () => {
    expect(isoBytesParser(compileTimestampParser(['epoch_ms', 'iso8601']))).toBeUndefined();
  });
});
