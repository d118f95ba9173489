// The byte-level fast path of classifyResponse must never change a verdict: for generated batches
// and answers (the canonical all-succeeded shape and perturbations of it), the result equals the
// JSON.parse reference, also for ids a lax server left unescaped. The last property keeps the fast
// path from silently becoming dead code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type BulkAnswer,
  classifyAllSucceeded,
  classifyResponse,
  classifyResponseSlow,
  type SentItem,
} from '../../../functions/core/bulk/classify.ts';
import type { BulkAction } from '../../../functions/core/bulk/types.ts';

const ACTIONS = ['create', 'index'] as const satisfies readonly BulkAction[];

// Printable ASCII without a quote or backslash: written as is in JSON, so the fast path can take it.
const plainChar = fc
  .integer({ min: 0x20, max: 0x7f })
  .filter((c) => c !== 0x22 && c !== 0x5c)
  .map((c) => String.fromCharCode(c));
const plainIdArb = fc
  .oneof(
    { weight: 4, arbitrary: fc.tuple(fc.constantFrom('app-logs', 'nginx'), fc.nat(3), fc.nat(2_000_000)) },
    { weight: 1, arbitrary: fc.string({ unit: plainChar, maxLength: 12 }) },
  )
  .map((id) => (typeof id === 'string' ? id : id.join(':')));
const idArb = fc.oneof(
  { weight: 6, arbitrary: plainIdArb },
  // Quotes, backslashes, control characters, non-ASCII, lone surrogates: all escaped or multi-byte.
  { weight: 1, arbitrary: fc.string({ unit: 'binary-ascii', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) },
  { weight: 1, arbitrary: fc.constantFrom('é', 'a"b', 'a\\b', '\ud800', 'x\u0000') },
);
const sentArb = (ids: fc.Arbitrary<string>) =>
  fc.array(fc.record({ action: fc.constantFrom(...ACTIONS), id: ids }), { maxLength: 8 });

const successStatus = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(200, 201) },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 299 }) },
);
const statusArb = fc.oneof(
  { weight: 8, arbitrary: successStatus },
  { weight: 2, arbitrary: fc.constantFrom(409, 429, 400, 403, 404, 413, 500, 503) },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: 0, max: 999 }), fc.double()) },
);
const errorArb = fc.record({
  type: fc.constantFrom(
    'version_conflict_engine_exception',
    'mapper_parsing_exception',
    'cluster_block_exception',
  ),
  reason: fc.string({ maxLength: 20 }),
});

/** An answered item that may not match the sent one: another action, id, status or key order. */
const deviantArb = fc.record({
  action: fc.oneof(
    { weight: 2, arbitrary: fc.constant('same') },
    { weight: 1, arbitrary: fc.constantFrom(...ACTIONS) },
  ),
  id: fc.oneof(
    { weight: 4, arbitrary: fc.constant<'same' | 'absent' | 'null' | string>('same') },
    { weight: 1, arbitrary: fc.constantFrom('absent', 'null') },
    { weight: 1, arbitrary: idArb },
  ),
  status: statusArb,
  error: fc.option(errorArb),
  statusFirst: fc.nat(3).map((n) => n === 0),
});

const answerArb = fc.record({
  took: fc.option(fc.nat(100_000)),
  // Usually what the items say; now and then a flag that contradicts them.
  errors: fc.oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.boolean() }),
  // Most items as OpenSearch writes a success; a few deviants put in at random places.
  items: fc.array(fc.record({ withId: fc.nat(5).map((n) => n > 0), status: successStatus }), {
    minLength: 9,
    maxLength: 9,
  }),
  deviants: fc.oneof(
    { weight: 1, arbitrary: fc.constant<{ at: number; item: Model }[]>([]) },
    {
      weight: 1,
      arbitrary: fc.array(fc.record({ at: fc.nat(), item: deviantArb }), { minLength: 1, maxLength: 2 }),
    },
  ),
  countDelta: fc.oneof(
    { weight: 8, arbitrary: fc.constant(0) },
    { weight: 1, arbitrary: fc.constantFrom(-1, 1) },
  ),
  statusCode: fc.oneof(
    { weight: 8, arbitrary: fc.constant(200) },
    { weight: 1, arbitrary: fc.constantFrom(201, 400, 429, 500) },
  ),
  encoding: fc.constantFrom('string', 'utf8', 'latin1'),
  pretty: fc.nat(9).map((n) => n === 0),
});

/** What was sent: plain ids, with now and then one that JSON has to escape or encode. */
const batchArb = fc
  .tuple(
    sentArb(plainIdArb),
    fc.oneof(
      { weight: 2, arbitrary: fc.constant(null) },
      { weight: 1, arbitrary: fc.record({ at: fc.nat(), id: idArb }) },
    ),
  )
  .map(([sent, odd]) => {
    if (odd !== null && sent.length > 0) sent[odd.at % sent.length]!.id = odd.id;
    return sent;
  });

type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;
type Model = ValueOf<typeof deviantArb>;
type Mutation = ValueOf<typeof mutationArb>;

function answerItem(model: Model, sent: SentItem | undefined): Record<string, unknown> {
  const action = model.action === 'same' ? (sent?.action ?? 'create') : model.action;
  const result: Record<string, unknown> = {};
  const id = model.id === 'same' ? sent?.id : model.id === 'null' ? null : model.id;
  if (model.statusFirst) result.status = model.status;
  if (model.id !== 'absent' && id !== undefined) result._id = id;
  result.status = model.status;
  if (model.error !== null) result.error = model.error;
  return { [action]: result };
}

/** Text edits that usually break the canonical shape (and sometimes the JSON). */
const mutationArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'none' as const, at: 0, text: '' }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'insert',
        'delete',
        'replace',
        'escape',
        'unescape',
        'status',
        'truncate',
        'append',
        'took-zero',
        'dup-status',
      ),
      at: fc.nat(),
      text: fc.constantFrom(
        ' ',
        '\n',
        '\t',
        'x',
        '0',
        '9',
        ':',
        '/',
        '.',
        '"',
        '\\',
        ',',
        '}',
        'é',
        '\u0001',
      ),
    }),
  },
);

function mutate(text: string, m: Mutation): string {
  const at = text.length === 0 ? 0 : m.at % text.length;
  switch (m.kind) {
    case 'none':
      return text;
    case 'insert':
      return text.slice(0, at) + m.text + text.slice(at);
    case 'delete':
      return text.slice(0, at) + text.slice(at + 1);
    case 'replace':
      return text.slice(0, at) + m.text + text.slice(at + 1);
    case 'escape': {
      // The same string value, spelled with a \u escape where a plain character stood.
      const c = text.charCodeAt(at);
      return text.slice(0, at) + `\\u${c.toString(16).padStart(4, '0')}` + text.slice(at + 1);
    }
    case 'unescape':
      // What a lax server might write: a raw quote, backslash or control character in a string.
      return text.replace(/\\(["\\]|u00[01][0-9a-f])/, (sequence) =>
        sequence.length === 2
          ? sequence.charAt(1)
          : String.fromCharCode(Number.parseInt(sequence.slice(2), 16)),
      );
    case 'status': {
      // One character of a status number, where the fast path reads digits.
      const statuses = [...text.matchAll(/"status":/g)];
      const hit = statuses[at % Math.max(1, statuses.length)];
      if (hit === undefined) return text;
      const pos = hit.index + '"status":'.length + (at % 3);
      return text.slice(0, pos) + m.text + text.slice(pos + 1);
    }
    case 'truncate':
      return text.slice(0, at);
    case 'append':
      return text + m.text;
    case 'took-zero':
      // JSON has no leading zeros: `"took":012` is not JSON.
      return text.replace('"took":', '"took":0');
    case 'dup-status':
      // Duplicate keys: JSON.parse keeps the last.
      return text.replace('"status":', '"status":500,"status":');
  }
}

// How many compared answers took the fast path: the generators must keep reaching it.
let fastTaken = 0;
const same = (answer: BulkAnswer, sent: readonly SentItem[]) => {
  if ('body' in answer && classifyAllSucceeded(answer.body, sent) !== undefined) fastTaken++;
  expect(classifyResponse(answer, sent)).toStrictEqual(classifyResponseSlow(answer, sent));
};

describe('classifyResponse fast path', () => {
  it('gives the verdict of the full parse for any answer', () => {
    fastTaken = 0;
    fc.assert(
      fc.property(batchArb, answerArb, mutationArb, fc.nat(), (sent, model, mutation, byteAt) => {
        const count = Math.max(0, sent.length + model.countDelta);
        const deviants = new Map(model.deviants.map((d) => [d.at % Math.max(1, count), d.item]));
        const items = Array.from({ length: count }, (_, i) => {
          const base = model.items[i % model.items.length]!;
          const item = deviants.get(i) ?? {
            action: 'same',
            id: base.withId ? 'same' : 'absent',
            status: base.status,
            error: null,
            statusFirst: false,
          };
          return answerItem(item, sent[i]);
        });
        const top: Record<string, unknown> = {};
        if (model.took !== null) top.took = model.took;
        top.errors = model.errors ?? items.some((it) => Object.values(it).some((r) => isFailure(r)));
        top.items = items;
        const text = mutate(model.pretty ? JSON.stringify(top, null, 1) : JSON.stringify(top), mutation);
        const body =
          model.encoding === 'string'
            ? text
            : Buffer.from(text, model.encoding === 'latin1' ? 'latin1' : 'utf8');
        same({ statusCode: model.statusCode, body }, sent);
        // A raw byte edit: invalid UTF-8, a stray byte where the fast path reads.
        const bytes = Buffer.from(text);
        if (bytes.length > 0) {
          bytes[byteAt % bytes.length] = [0x20, 0x80, 0xff, 0x22, 0x30][byteAt % 5]!;
          same({ statusCode: model.statusCode, body: bytes }, sent);
        }
      }),
      { numRuns: 2000 },
    );
    // About one in seven of the 4,000 answers compared is all-succeeded in the canonical shape.
    expect(fastTaken).toBeGreaterThan(200);
  });

  it('never reads an id that a lax server wrote unescaped differently from the full parse', () => {
    // Raw quotes, backslashes, control characters, and non-ASCII in UTF-8 or Latin-1.
    fc.assert(
      fc.property(sentArb(idArb), fc.constantFrom('string', 'utf8', 'latin1'), (sent, encoding) => {
        const items = sent.map((s) => `{"${s.action}":{"_id":"${s.id}","status":201}}`);
        const text = `{"errors":false,"items":[${items.join(',')}]}`;
        const body =
          encoding === 'string' ? text : Buffer.from(text, encoding === 'latin1' ? 'latin1' : 'utf8');
        same({ statusCode: 200, body }, sent);
      }),
      { numRuns: 1000 },
    );
  });

  it('takes the fast path for the canonical all-succeeded answer', () => {
    fc.assert(
      fc.property(
        sentArb(plainIdArb),
        fc.array(fc.record({ status: successStatus, withId: fc.nat(5).map((n) => n > 0) }), {
          minLength: 8,
          maxLength: 8,
        }),
        fc.option(fc.nat(100_000)),
        (sent, answered, took) => {
          const items = sent.map((s, i) => {
            const a = answered[i]!;
            return { [s.action]: a.withId ? { _id: s.id, status: a.status } : { status: a.status } };
          });
          const text = JSON.stringify({ ...(took === null ? {} : { took }), errors: false, items });
          const answer = { statusCode: 200, body: Buffer.from(text) };
          const fast = classifyAllSucceeded(answer.body, sent);
          expect(fast).toBeDefined();
          expect(fast).toStrictEqual(classifyResponseSlow(answer, sent));
        },
      ),
    );
  });
});

function isFailure(result: unknown): boolean {
  const status = (result as { status?: unknown }).status;
  return typeof status !== 'number' || status < 200 || status >= 300;
}
