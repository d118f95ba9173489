// Shared builders for the pipeline tests.
import fc from 'fast-check';
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

/** One edit of a text with a character from JSON's own alphabet: near-misses of JSON are common. */
export const jsonEdit = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('delete', 'insert', 'replace'),
  char: fc.constantFrom(
    '{',
    '}',
    '[',
    ']',
    '"',
    ',',
    ':',
    '\\',
    '0',
    '-',
    '.',
    'e',
    'u',
    'x',
    ' ',
    '\n',
    '\t',
    '\u0001',
    'é',
  ),
});

export function applyEdits(text: string, edits: readonly { at: number; op: string; char: string }[]): string {
  let out = text;
  for (const { at, op, char } of edits) {
    const i = at % (out.length + 1);
    const rest = op === 'insert' ? out.slice(i) : out.slice(i + 1);
    out = out.slice(0, i) + (op === 'delete' ? '' : char) + rest;
  }
  return out;
}
