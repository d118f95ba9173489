import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64 } from '../../../functions/core/kafka/decode.ts';
import { ValueRun } from '../../../functions/core/kafka/values.ts';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const records = (values: unknown[]): unknown[] => values.map((value, offset) => ({ offset, value }));

/** Every covered record's value as the run gives it, else as decodeBase64 alone does. */
function viaRun(run: ValueRun, list: unknown[], first = 0, max = 256, text = 64 * 1024) {
  run.decode(list, first, max, text);
  const out: Array<{ inRun: boolean; bytes: Buffer | undefined }> = [];
  for (let p = first; p < run.end; p++) {
    const value = (list[p] as { value?: unknown } | null)?.value;
    const inRun = run.valueAt(p);
    out.push({
      inRun: inRun !== undefined,
      bytes: inRun ?? (typeof value === 'string' ? decodeBase64(value) : undefined),
    });
  }
  return out;
}

describe('ValueRun', () => {
  it('decodes values of every padding back to back, each to its own bytes', () => {
    const texts = ['a', 'ab', 'abc', '{"level":"info"}', 'carte refusée ✗', 'x'.repeat(5000)];
    const list = records(texts.map(b64));
    const run = new ValueRun();
    const got = viaRun(run, list);
    expect(got.map((g) => g.inRun)).toEqual(texts.map(() => true));
    expect(got.map((g) => g.bytes?.toString('utf8'))).toEqual(texts);
    // The padding written over in the run's text is not the event's: the event is left as it was.
    expect((list[0] as { value: string }).value).toBe('YQ==');
  });

  it.each([
    ['a character outside the alphabet', 'aGVsbG8*'],
    ['padding inside the value', 'aG==bG8='],
    ['whitespace', 'aGV sbG8'],
    ['the URL-safe alphabet', 'a-Vs_G8='],
    ['a URL-safe dash', 'a-VsbG8='],
    ['a URL-safe underscore', 'aGVs_G8='],
    ['only padding', '===='],
  ])('drops a run holding a value with %s, and every record decodes alone as before', (_, bad) => {
    const list = records([b64('before'), bad, b64('after')]);
    const run = new ValueRun();
    const got = viaRun(run, list);
    expect(got.map((g) => g.inRun)).toEqual([false, false, false]);
    expect(got.map((g) => g.bytes?.toString('utf8'))).toEqual(['before', undefined, 'after']);
  });

  it('leaves out, without dropping the run, what it never takes: bad lengths, characters over 0x7f, non-strings, empty and null values', () => {
    const list: unknown[] = [
      { value: b64('one') },
      { value: 'aGVsbG8' },
      { value: 'aGVsbé8=' },
      { value: 12 },
      { value: '' },
      { value: null },
      null,
      { value: b64('two') },
    ];
    const run = new ValueRun();
    const got = viaRun(run, list);
    expect(got.map((g) => g.inRun)).toEqual([true, false, false, false, false, false, false, true]);
    expect(got.map((g) => g.bytes?.toString())).toEqual([
      'one',
      undefined,
      undefined,
      undefined,
      '',
      undefined,
      undefined,
      'two',
    ]);
  });

  it('stops at the record or text limit, and covers only what it decoded', () => {
    const list = records(Array.from({ length: 10 }, (_, i) => b64(`record ${i}`)));
    const run = new ValueRun();
    run.decode(list, 2, 3, 1 << 20);
    expect([run.first, run.end]).toEqual([2, 5]);
    expect(run.covers(list, 1)).toBe(false);
    expect(run.covers(list, 4)).toBe(true);
    expect(run.covers(list.slice(), 4)).toBe(false);
    expect(run.valueAt(4)!.toString()).toBe('record 4');
    // Text limit: the record that crosses it is the last one in.
    run.decode(list, 0, 100, 20);
    expect(run.end).toBe(2);
  });

  it('grows its text buffer for a value larger than it', () => {
    const big = 'x'.repeat(200_000);
    const run = new ValueRun();
    const got = viaRun(run, records([b64('small'), b64(big)]));
    expect(got.map((g) => g.inRun)).toEqual([true, true]);
    expect(got[1]!.bytes!.toString()).toBe(big);
  });

  it('holds a value for the batch: a later run does not overwrite an earlier run’s bytes', () => {
    const run = new ValueRun();
    const list = records([b64('first'), b64('second')]);
    run.decode(list, 0, 1, 1024);
    const first = run.valueAt(0)!;
    run.decode(list, 1, 1, 1024);
    expect(first.toString()).toBe('first');
  });

  // Values: base64 of arbitrary bytes (valid), or text from base64's alphabet and its look-alikes.
  const alphabet = fc.constantFrom(
    ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \né*'.split(''),
  );
  const valid = fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('base64'));
  // Valid base64 with one character replaced by one from the alphabet or a look-alike.
  const mutated = fc
    .tuple(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.nat(), alphabet)
    .map(([b, at, c]) => {
      const text = Buffer.from(b).toString('base64');
      const i = at % text.length;
      return text.slice(0, i) + c + text.slice(i + 1);
    });
  const value = fc.oneof(
    { weight: 4, arbitrary: valid },
    { weight: 2, arbitrary: mutated },
    { weight: 1, arbitrary: fc.array(alphabet, { maxLength: 16 }).map((cs) => cs.join('')) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(null, undefined, 7, '') },
  );

  it('property: every record decodes to exactly what decodeBase64 gives it alone', () => {
    const run = new ValueRun();
    fc.assert(
      fc.property(
        fc.array(value, { maxLength: 40 }),
        fc.nat(40),
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 2048 }),
        (values, from, max, text) => {
          const list = records(values);
          const first = Math.min(from, list.length);
          const got = viaRun(run, list, first, max, text);
          got.forEach((g, i) => {
            const v = values[first + i];
            const alone = typeof v === 'string' ? decodeBase64(v) : undefined;
            expect(g.bytes === undefined ? undefined : [...g.bytes]).toEqual(alone && [...alone]);
          });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('property: a run of valid standard base64 takes every non-empty value', () => {
    const run = new ValueRun();
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 300 }), { maxLength: 50 }), (all) => {
        const list = records(all.map((b) => Buffer.from(b).toString('base64')));
        const got = viaRun(run, list);
        expect(got.every((g) => g.inRun)).toBe(true);
        expect(got.map((g) => [...g.bytes!])).toEqual(all.map((b) => [...b]));
      }),
    );
  });
});
