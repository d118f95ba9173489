import { describe, expect, it } from 'vitest';
import { decodeSmile } from '../../conformance/smile.ts';

// Hand-assembled from the Smile format specification: header `:)\n` + flags byte, then tokens.
const smile = (flags: string, body: string): Uint8Array =>
  Uint8Array.from(Buffer.from(`3a290a${flags}${body.replace(/\s+/g, '')}`, 'hex'));
const ascii = (s: string): string => Buffer.from(s, 'ascii').toString('hex');

describe('Smile decoding', () => {
  it.each([
    ['null', '21', null],
    ['false', '22', false],
    ['true', '23', true],
    ['empty string', '20', ''],
    ['small int 1', 'c2', 1],
    ['small int -1', 'c1', -1],
    ['int 1000 (zigzag VInt)', '24 1f 90', 1000],
    ['double 1.5', `29 003f7c00000000000000`, 1.5],
    ['float 0.25', `28 0374000000`, 0.25],
    ['tiny ASCII', `41 ${ascii('hi')}`, 'hi'],
    ['long ASCII', `e0 ${ascii('x'.repeat(70))} fc`, 'x'.repeat(70)],
    ['tiny unicode', `80 ${Buffer.from('é').toString('hex')}`, 'é'],
    ['array', 'f8 c2 c4 f9', [1, 2]],
    ['object', `fa 80 ${ascii('a')} c2 fb`, { a: 1 }],
    ['long key name', `fa 34 ${ascii('k'.repeat(70))} fc 23 fb`, { ['k'.repeat(70)]: true }],
  ])('%s', (_name, body, value) => {
    expect(decodeSmile(smile('00', body))).toEqual(value);
  });

  it('resolves shared key names', () => {
    // {"a":1,"b":{"a":2}} with the second "a" as back-reference 0 (0x40).
    const bytes = smile('01', `fa 80 ${ascii('a')} c2 80 ${ascii('b')} fa 40 c4 fb fb`);
    expect(decodeSmile(bytes)).toEqual({ a: 1, b: { a: 2 } });
  });

  it('resolves shared string values', () => {
    expect(decodeSmile(smile('02', `f8 40 ${ascii('x')} 41 ${ascii('yz')} 01 02 f9`))).toEqual([
      'x',
      'yz',
      'x',
      'yz',
    ]);
  });

  it.each([
    ['no header', Uint8Array.from([0x7b, 0x7d]), 'missing the :)\\n header'],
    ['truncated', smile('00', '41'), 'truncated Smile'],
    ['bad back-reference', smile('02', '05'), 'bad Smile back-reference 4'],
  ])('rejects %s', (_name, bytes, message) => {
    expect(() => decodeSmile(bytes)).toThrow(message);
  });
});
