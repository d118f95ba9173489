import { describe, expect, it } from 'vitest';
import { decodeCbor } from '../../conformance/cbor.ts';

const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s+/g, ''), 'hex'));

// Encodings from RFC 8949 Appendix A.
describe('CBOR decoding', () => {
  it.each([
    ['00', 0],
    ['17', 23],
    ['1818', 24],
    ['1903e8', 1000],
    ['1a000f4240', 1000000],
    ['20', -1],
    ['3863', -100],
    ['f4', false],
    ['f5', true],
    ['f6', null],
    ['f93c00', 1],
    ['f97bff', 65504],
    ['fa47c35000', 100000],
    ['fb3ff199999999999a', 1.1],
    ['6161', 'a'],
    ['6449455446', 'IETF'],
    ['83010203', [1, 2, 3]],
    ['a201020304', { 1: 2, 3: 4 }],
    ['a26161016162820203', { a: 1, b: [2, 3] }],
    ['9f018202039f0405ffff', [1, [2, 3], [4, 5]]],
    ['bf6346756ef563416d7421ff', { Fun: true, Amt: -2 }],
    ['7f657374726561646d696e67ff', 'streaming'],
  ])('%s', (input, value) => {
    expect(decodeCbor(hex(input))).toEqual(value);
  });

  it('rejects truncated input', () => {
    expect(() => decodeCbor(hex('1903'))).toThrow('truncated CBOR');
  });
});
