// Shared builders for the pipeline tests.
import type { KafkaRecord } from '../../../functions/core/kafka/types.ts';

export function kafkaRecord(
  value: string | Buffer | null,
  overrides: Partial<KafkaRecord> = {},
): KafkaRecord {
  return {
    topic: 'app-logs',
    partition: 3,
    offset: 1042,
    timestamp: Date.UTC(2024, 4, 1, 12, 0, 0, 0),
    key: null,
    value: typeof value === 'string' ? Buffer.from(value, 'utf8') : value,
    headers: {},
    ...overrides,
  };
}
