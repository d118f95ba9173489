// Shared fast-check arbitraries for the archive tests: records as the decoder produces them.
import fc from 'fast-check';
import type { KafkaRecord } from '../../../functions/core/kafka/types.ts';

export const topicArb = fc.stringMatching(/^[a-zA-Z0-9._-]{1,20}$/);

const bytesArb = fc.option(
  fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)),
  { nil: null },
);

export const headersArb = fc
  .array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), { maxLength: 4 })
  .map((pairs) => {
    const headers: Record<string, string> = {};
    for (const [name, value] of pairs) {
      Object.defineProperty(headers, name, { value, enumerable: true, writable: true, configurable: true });
    }
    return headers;
  });

export const recordArb: fc.Arbitrary<KafkaRecord> = fc.record({
  topic: topicArb,
  partition: fc.nat({ max: 5 }),
  offset: fc.nat({ max: 1_000_000 }),
  timestamp: fc.oneof(fc.constant(-1), fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) })),
  key: bytesArb,
  value: bytesArb,
  headers: headersArb,
});

export function record(offset: number, overrides: Partial<KafkaRecord> = {}): KafkaRecord {
  return {
    topic: 'app-logs',
    partition: 0,
    offset,
    timestamp: Date.UTC(2026, 10, 20, 12, 0, 0) + offset,
    key: null,
    value: Buffer.from(`{"message":"line ${offset}"}`),
    headers: {},
    ...overrides,
  };
}
