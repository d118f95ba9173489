import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  coordinatesId,
  documentId,
  type IdStrategy,
  MAX_ID_BYTES,
} from '../../../functions/core/pipeline/id.ts';
import { kafkaRecord } from './helpers.ts';

const line = '127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326';
const record = kafkaRecord(line, { topic: 'nginx.access', partition: 2, offset: 981 });

describe('documentId', () => {
  it.each<[string, IdStrategy, Record<string, unknown>, string, number]>([
    ['coordinates', { type: 'coordinates' }, {}, 'nginx.access:2:981', 0],
    [
      'hash sha256',
      { type: 'hash', algorithm: 'sha256' },
      {},
      createHash('sha256').update(line).digest('base64url'),
      0,
    ],
    [
      'hash sha1',
      { type: 'hash', algorithm: 'sha1' },
      {},
      createHash('sha1').update(line).digest('base64url'),
      0,
    ],
    ['field', { type: 'field', field: 'event.id' }, { event: { id: 'evt-1' } }, 'evt-1', 0],
    ['numeric field', { type: 'field', field: 'seq' }, { seq: 17 }, '17', 0],
    ['missing field', { type: 'field', field: 'event.id' }, {}, 'nginx.access:2:981', 1],
    ['empty field', { type: 'field', field: 'event.id' }, { event: { id: '' } }, 'nginx.access:2:981', 1],
    ['object field', { type: 'field', field: 'event' }, { event: { id: 'x' } }, 'nginx.access:2:981', 1],
    [
      'field over 512 bytes',
      { type: 'field', field: 'id' },
      { id: 'é'.repeat(257) },
      'nginx.access:2:981',
      1,
    ],
  ])('%s', (_name, strategy, doc, expected, fallbacks) => {
    const counters = { idFallbacks: 0 };
    expect(documentId(strategy, record, doc, counters)).toBe(expected);
    expect(counters.idFallbacks).toBe(fallbacks);
  });

  it('hash ids are URL-safe and the same for the same line at another offset', () => {
    const strategy: IdStrategy = { type: 'hash', algorithm: 'sha256' };
    const a = documentId(strategy, record, {}, { idFallbacks: 0 });
    const b = documentId(strategy, { ...record, offset: 5, partition: 0 }, {}, { idFallbacks: 0 });
    expect(a).toBe(b);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('coordinates ids of the longest topic name stay under 512 bytes', () => {
    const id = coordinatesId({
      ...record,
      topic: 't'.repeat(249),
      partition: 2 ** 31 - 1,
      offset: Number.MAX_SAFE_INTEGER,
    });
    expect(Buffer.byteLength(id)).toBeLessThanOrEqual(MAX_ID_BYTES);
  });
});
