// biome-ignore-all lint/suspicious/noTemplateCurlyInString: stories write output references as `${id.name}`.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { extractOutputs, type Outputs, readPath, splitPath, substitute } from '../../conformance/outputs.ts';

describe('chapter outputs', () => {
  it.each([
    ['payload._seq_no', ['payload', '_seq_no']],
    ['payload.hits.total.value', ['payload', 'hits', 'total', 'value']],
    ['payload.findings[0].id', ['payload', 'findings', '0', 'id']],
  ])('splitPath(%s)', (path, parts) => {
    expect(splitPath(path)).toEqual(parts);
  });

  const body = { hits: { total: { value: 3 }, hits: [{ _id: 'a' }, { _id: 'b' }] }, _seq_no: 0 };
  it.each([
    ['hits.total.value', 3],
    ['hits.hits[1]._id', 'b'],
    ['hits.hits.0._id', 'a'],
    ['_seq_no', 0],
    ['hits.missing', undefined],
    ['hits.hits[5]._id', undefined],
    ['constructor', undefined],
    ['hits.total.value.deeper', undefined],
  ])('readPath(body, %s) = %j', (path, value) => {
    expect(readPath(body, path)).toEqual(value);
  });

  it('extracts payload and header values, defaults and missing names', () => {
    const r = extractOutputs(
      {
        seq_no: 'payload._seq_no',
        total: 'payload.hits.total.value',
        etag: 'headers.ETag',
        fallback: { path: 'payload.nope', default: 'x' },
        gone: 'payload.nope',
      },
      { payload: body, headers: { etag: 'abc' } },
    );
    expect(r).toEqual({ values: { seq_no: 0, total: 3, etag: 'abc', fallback: 'x' }, missing: ['gone'] });
  });

  const outputs: Outputs = new Map([['policy', { seq_no: 5, primary_term: 1, id: 'p-1' }]]);
  it.each([
    ['${policy.seq_no}', 5],
    ['${policy.id}', 'p-1'],
    ['id=${policy.id}/${policy.seq_no}', 'id=p-1/5'],
    ['${policy.unknown}', '${policy.unknown}'],
    ['${other.seq_no}', '${other.seq_no}'],
    ['plain', 'plain'],
    [
      { if_seq_no: '${policy.seq_no}', list: ['${policy.id}', 1] },
      { if_seq_no: 5, list: ['p-1', 1] },
    ],
    [7, 7],
    [null, null],
  ])('substitute(%j) = %j', (value, expected) => {
    expect(substitute(value, outputs)).toEqual(expected);
  });

  it('leaves values without references unchanged (property)', () => {
    const noRefs = fc.jsonValue().filter((v) => !JSON.stringify(v).includes('${'));
    fc.assert(
      fc.property(noRefs, (v) => {
        expect(substitute(v, outputs)).toEqual(v);
      }),
    );
  });
});
