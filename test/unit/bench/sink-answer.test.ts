import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BULK_FILTER_PATH } from '../../../functions/adapters/opensearch.ts';
import { answerBulk, answerBulkReference, parseFilter } from '../../bench/sink-answer.ts';

const ID_FILTER = 'errors,items.*._id,items.*.status,items.*.error';

describe('bench sink answer', () => {
  it('answers one created item per action, shaped by filter_path', () => {
    const body = Buffer.from(
      '{"create":{"_index":"logs-a","_id":"t:0:1"}}\n{"m":1}\n{"index":{"_id":"x\\"y","_index":"logs-b"}}\n{"m":2}\n{"delete":{"_index":"logs-a","_id":"z"}}\n',
    );
    expect(answerBulk(body, parseFilter(ID_FILTER), false).body.toString()).toBe(
      '{"errors":false,"items":[{"create":{"_id":"t:0:1","status":201}},{"index":{"_id":"x\\"y","status":201}},{"delete":{"_id":"z","status":201}}]}',
    );
    const full = JSON.parse(answerBulk(body, undefined, false).body.toString()) as {
      items: Array<Record<string, unknown>>;
    };
    expect(full.items[0]).toEqual({
      create: {
        _index: 'logs-a',
        _id: 't:0:1',
        _version: 1,
        result: 'created',
        _shards: { total: 1, successful: 1, failed: 0 },
        _seq_no: 0,
        _primary_term: 1,
        status: 201,
      },
    });
  });

  it('flags document lines that are not objects in validate mode', () => {
    const body = Buffer.from(
      '{"create":{"_index":"a","_id":"1"}}\n[1]\n{"create":{"_index":"a","_id":"2"}}\n{}\n',
    );
    expect(answerBulk(body, undefined, true)).toMatchObject({ items: 2, invalid: 1 });
    expect(answerBulk(body, undefined, false)).toMatchObject({ items: 2, invalid: 0 });
  });

  it('refuses an action without its document line', () => {
    expect(() =>
      answerBulk(Buffer.from('{"create":{"_index":"a","_id":"1"}}\n\n'), undefined, false),
    ).toThrow('missing document line');
  });

  // The byte reading of usual action lines must answer exactly as JSON.parse of every line does,
  // also when one answer buffer is kept from body to body, as the sink keeps one per connection.
  it('answers as the JSON.parse reading on any body', () => {
    const scratch = { out: Buffer.alloc(0) };
    const text = fc.oneof(
      fc.constantFrom('logs-app-2026.11.20', 'app-logs:0:17', 'é', 'a"b', 'a\\b', '', 'x\ny', '\u2028'),
      fc.string({ maxLength: 12 }),
    );
    const action = fc.record({
      op: fc.constantFrom('create', 'index', 'delete', 'update'),
      index: fc.option(text, { nil: undefined }),
      id: fc.option(text, { nil: undefined }),
      idFirst: fc.boolean(),
      spaced: fc.boolean(),
      extra: fc.boolean(),
    });
    const line = action.map(({ op, index, id, idFirst, spaced, extra }) => {
      const meta: Array<[string, unknown]> = [];
      if (index !== undefined) meta.push(['_index', index]);
      if (id !== undefined) meta.push(['_id', id]);
      if (idFirst) meta.reverse();
      if (extra) meta.push(['routing', 'r']);
      const inner = meta
        .map(([k, v]) => `${JSON.stringify(k)}:${spaced ? ' ' : ''}${JSON.stringify(v)}`)
        .join(',');
      const doc = op === 'delete' ? '' : `${JSON.stringify({ m: op })}\n`;
      return `{"${op}":{${inner}}}\n${doc}`;
    });
    const bodyArb = fc
      .tuple(fc.array(line, { maxLength: 8 }), fc.boolean(), fc.boolean())
      .map(([lines, blank, trailing]) => {
        const joined = (blank ? [...lines, ' \n'] : lines).join('');
        return Buffer.from(trailing ? joined : joined.replace(/\n$/, ''));
      });
    fc.assert(
      fc.property(
        bodyArb,
        fc.constantFrom(undefined, ID_FILTER, BULK_FILTER_PATH, 'items.*._index,took'),
        fc.boolean(),
        (body, f, v) => {
          const filter = parseFilter(f ?? null);
          let expected: unknown;
          try {
            expected = answerBulkReference(body, filter, v);
          } catch (error) {
            expected = (error as Error).message;
          }
          let actual: unknown;
          try {
            actual = answerBulk(body, filter, v, scratch);
          } catch (error) {
            actual = (error as Error).message;
          }
          expect(actual).toEqual(expected);
          if (typeof actual === 'object') JSON.parse((actual as { body: Buffer }).body.toString());
        },
      ),
      { numRuns: 2000 },
    );
  });
});
