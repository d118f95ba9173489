import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeCbor, encodeSmile } from '../../../../infra/local/opensearch/formats.ts';
import { flattenSettings, nestSettings } from '../../../../infra/local/opensearch/settings.ts';
import { decodeCbor } from '../../../conformance/cbor.ts';

describe('encodeCbor', () => {
  it('round-trips JSON values through a CBOR decoder', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const normalised = JSON.parse(JSON.stringify(value)) as unknown;
        expect(decodeCbor(encodeCbor(normalised))).toEqual(normalised);
      }),
    );
  });
});

describe('encodeSmile', () => {
  it.each([
    [{}, [0xfa, 0xfb]],
    [[], [0xf8, 0xf9]],
    [null, [0x21]],
    [true, [0x23]],
    [0, [0xc0]],
    [-1, [0xc1]],
    [1, [0xc2]],
    ['a', [0x40, 0x61]],
    [{ a: 1 }, [0xfa, 0x80, 0x61, 0xc2, 0xfb]],
  ])('%j', (value, bytes) => {
    expect([...encodeSmile(value)]).toEqual([0x3a, 0x29, 0x0a, 0x00, ...bytes]);
  });
});

describe('settings', () => {
  it.each([
    [{ number_of_replicas: 0 }, { 'index.number_of_replicas': '0' }],
    [{ index: { blocks: { write: true } } }, { 'index.blocks.write': 'true' }],
    [{ 'index.refresh_interval': '5s' }, { 'index.refresh_interval': '5s' }],
    [
      { routing: { allocation: { require: { box: 'hot' } } } },
      { 'index.routing.allocation.require.box': 'hot' },
    ],
    [{ refresh_interval: null }, { 'index.refresh_interval': null }],
  ])('flattens %j', (input, flat) => {
    expect(flattenSettings(input)).toEqual(flat);
  });

  it('nests flat settings back', () => {
    expect(nestSettings({ 'index.blocks.write': 'true', 'index.number_of_shards': '1' })).toEqual({
      index: { blocks: { write: 'true' }, number_of_shards: '1' },
    });
  });
});
