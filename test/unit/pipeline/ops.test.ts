import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fields } from '../../../functions/core/pipeline/fields.ts';
import { applyOps, convertValue, type Op } from '../../../functions/core/pipeline/ops.ts';
import { kafkaRecord } from './helpers.ts';

/** Property runs share the CPU with the rest of the suite. */
const PROPERTY_TIMEOUT = 60_000;

function counters() {
  return { truncated: 0, convertFailures: 0 };
}

const record = kafkaRecord('x', {
  topic: 'payments',
  partition: 7,
  key: Buffer.from('order-17'),
  headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
});

describe('applyOps', () => {
  const cases: Array<[string, Op[], Fields, Fields]> = [
    [
      'rename to a nested path',
      [{ op: 'rename', from: 'lvl', to: 'log.level' }],
      { lvl: 'WARN', a: 1 },
      { a: 1, log: { level: 'WARN' } },
    ],
    [
      'rename from a nested path',
      [{ op: 'rename', from: 'a.b', to: 'c' }],
      { a: { b: 1, d: 2 } },
      { a: { d: 2 }, c: 1 },
    ],
    ['rename of a missing field does nothing', [{ op: 'rename', from: 'x', to: 'y' }], { a: 1 }, { a: 1 }],
    [
      'remove several',
      [{ op: 'remove', fields: ['password', 'user.secret', 'missing'] }],
      { password: 'p', user: { secret: 's', name: 'n' } },
      { user: { name: 'n' } },
    ],
    ['remove a literal dotted key', [{ op: 'remove', fields: ['a.b'] }], { 'a.b': 1, c: 2 }, { c: 2 }],
    [
      'add a constant, overwriting',
      [{ op: 'add', field: 'environment', value: 'prod' }],
      { environment: 'dev' },
      { environment: 'prod' },
    ],
    [
      'add a nested constant',
      [{ op: 'add', field: 'labels.team', value: 'core' }],
      {},
      { labels: { team: 'core' } },
    ],
    [
      'add from a header',
      [{ op: 'add_header', field: 'trace.id', header: 'traceparent' }],
      {},
      { trace: { id: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } },
    ],
    ['add from a missing header does nothing', [{ op: 'add_header', field: 'x', header: 'nope' }], {}, {}],
    [
      'add from a prototype-named header does nothing',
      [{ op: 'add_header', field: 'x', header: 'toString' }],
      {},
      {},
    ],
    [
      'add the topic',
      [{ op: 'add_metadata', field: 'event.dataset', source: 'topic' }],
      {},
      { event: { dataset: 'payments' } },
    ],
    ['add the partition', [{ op: 'add_metadata', field: 'p', source: 'partition' }], {}, { p: 7 }],
    ['add the key', [{ op: 'add_metadata', field: 'k', source: 'key' }], {}, { k: 'order-17' }],
    [
      'copy',
      [{ op: 'copy', from: 'host', to: 'host2.name' }],
      { host: 'web-1' },
      { host: 'web-1', host2: { name: 'web-1' } },
    ],
    [
      'copy replaces a scalar on the way',
      [{ op: 'copy', from: 'host', to: 'host.name' }],
      { host: 'web-1' },
      { host: { name: 'web-1' } },
    ],
    [
      'lowercase strings only',
      [{ op: 'lowercase', fields: ['a', 'b', 'c'] }],
      { a: 'ERROR', b: 5, c: 'ÉTÉ' },
      { a: 'error', b: 5, c: 'été' },
    ],
    ['convert integer', [{ op: 'convert', field: 's', type: 'integer' }], { s: ' 404 ' }, { s: 404 }],
    ['convert float', [{ op: 'convert', field: 's', type: 'float' }], { s: '0.25' }, { s: 0.25 }],
    ['convert boolean', [{ op: 'convert', field: 's', type: 'boolean' }], { s: 'Yes' }, { s: true }],
    ['convert string', [{ op: 'convert', field: 's', type: 'string' }], { s: 200 }, { s: '200' }],
    [
      'convert failure removes the field',
      [{ op: 'convert', field: 's', type: 'integer' }],
      { s: 'abc', t: 1 },
      { t: 1 },
    ],
    [
      'convert of a missing field does nothing',
      [{ op: 'convert', field: 's', type: 'integer' }],
      { t: 1 },
      { t: 1 },
    ],
    [
      'truncate at a character boundary',
      [{ op: 'truncate', field: 'm', maxBytes: 4 }],
      { m: 'aé€b' },
      { m: 'aé' },
    ],
    [
      'truncate leaves short strings',
      [{ op: 'truncate', field: 'm', maxBytes: 4 }],
      { m: 'abcd' },
      { m: 'abcd' },
    ],
    [
      'steps run in order',
      [
        { op: 'rename', from: 'lvl', to: 'log.level' },
        { op: 'lowercase', fields: ['log.level'] },
      ],
      { lvl: 'INFO' },
      { log: { level: 'info' } },
    ],
  ];

  it.each(cases)('%s', (_name, ops, input, expected) => {
    const fields = structuredClone(input);
    expect(applyOps(ops, fields, record, counters())).toBe(true);
    expect(fields).toEqual(expected);
  });

  it('counts truncations and failed conversions', () => {
    const c = counters();
    applyOps(
      [
        { op: 'truncate', field: 'm', maxBytes: 2 },
        { op: 'convert', field: 'n', type: 'float' },
      ],
      { m: 'hello', n: 'NaN' },
      record,
      c,
    );
    expect(c).toEqual({ truncated: 1, convertFailures: 1 });
  });

  it('gives every record its own copy of an object constant', () => {
    const ops: Op[] = [{ op: 'add', field: 'labels', value: { team: 'core' } }];
    const a: Fields = {};
    const b: Fields = {};
    applyOps(ops, a, record, counters());
    applyOps(ops, b, record, counters());
    (a.labels as Fields).team = 'changed';
    expect(b.labels).toEqual({ team: 'core' });
  });

  it('copy does not alias objects', () => {
    const fields: Fields = { a: { b: 1 } };
    applyOps([{ op: 'copy', from: 'a', to: 'c' }], fields, record, counters());
    (fields.a as Fields).b = 2;
    expect(fields.c).toEqual({ b: 1 });
  });

  const drop = (when: Op & { op: 'drop' }): Op[] => [when, { op: 'add', field: 'after', value: true }];
  it.each([
    ['equals', { field: 'log.level', op: 'equals', value: 'debug' }, { log: { level: 'debug' } }, false],
    [
      'equals (no match)',
      { field: 'log.level', op: 'equals', value: 'debug' },
      { log: { level: 'info' } },
      true,
    ],
    ['in', { field: 'status', op: 'in', values: new Set([200, 204]) }, { status: 204 }, false],
    ['in (no match)', { field: 'status', op: 'in', values: new Set([200, 204]) }, { status: '204' }, true],
    ['matches', { field: 'url', op: 'matches', regex: /^\/health/u }, { url: '/healthz' }, false],
    ['matches (not a string)', { field: 'url', op: 'matches', regex: /1/u }, { url: 1 }, true],
    ['exists', { field: 'a.b', op: 'exists', exists: true }, { a: { b: 0 } }, false],
    ['exists false', { field: 'a.b', op: 'exists', exists: false }, { a: {} }, false],
    ['exists (no match)', { field: 'a.b', op: 'exists', exists: true }, { a: { b: null } }, true],
  ] as const)('drop when %s', (_name, when, input, kept) => {
    const fields = structuredClone(input) as Fields;
    expect(applyOps(drop({ op: 'drop', when } as Op & { op: 'drop' }), fields, record, counters())).toBe(
      kept,
    );
    // Steps after a matching drop are skipped.
    expect(fields.after).toBe(kept ? true : undefined);
  });

  it(
    'never pollutes prototypes, whatever the paths and values',
    () => {
      const segment = fc.constantFrom('__proto__', 'constructor', 'prototype', 'a', 'polluted');
      const fieldPath = fc.array(segment, { minLength: 1, maxLength: 3 }).map((parts) => parts.join('.'));
      const op: fc.Arbitrary<Op> = fc.oneof(
        fc.record({ op: fc.constant('add' as const), field: fieldPath, value: fc.constant('yes') }),
        fc.record({ op: fc.constant('rename' as const), from: fieldPath, to: fieldPath }),
        fc.record({ op: fc.constant('copy' as const), from: fieldPath, to: fieldPath }),
        fc.record({ op: fc.constant('remove' as const), fields: fc.array(fieldPath) }),
        fc.record({ op: fc.constant('lowercase' as const), fields: fc.array(fieldPath) }),
      );
      fc.assert(
        fc.property(fc.array(op, { maxLength: 6 }), (ops) => {
          const fields = JSON.parse(
            '{"__proto__": {"polluted": "no"}, "a": {"constructor": {"prototype": 1}}}',
          );
          applyOps(ops, fields, record, counters());
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
          expect(typeof Object.prototype.toString).toBe('function');
        }),
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('convertValue', () => {
  it.each([
    ['integer', '42', 42],
    ['integer', '-7', -7],
    ['integer', '+7', 7],
    ['integer', '4.5', undefined],
    ['integer', 4.9, 4],
    ['integer', '99999999999999999999', undefined],
    ['integer', true, 1],
    ['integer', {}, undefined],
    ['float', '1e3', 1000],
    ['float', '', undefined],
    ['float', 'Infinity', undefined],
    ['boolean', 'FALSE', false],
    ['boolean', 'off', false],
    ['boolean', 1, true],
    ['boolean', 2, undefined],
    ['boolean', 'maybe', undefined],
    ['string', true, 'true'],
    ['string', { a: 1 }, '{"a":1}'],
  ] as const)('%s(%j) → %j', (type, input, expected) => {
    expect(convertValue(input, type)).toEqual(expected);
  });
});
