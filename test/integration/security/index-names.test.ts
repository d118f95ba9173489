import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parsePipelineConfig } from '../../../functions/core/pipeline/config.ts';
import { isValidIndexName } from '../../../functions/core/pipeline/index-name.ts';
import { createPrepareCounters, prepareRecord } from '../../../functions/core/pipeline/prepare.ts';

// Index names from data cannot escape their prefix: whatever a producer puts in the routed field,
// the shipped pipelines write to a valid, concrete index under `logs-` (or the fallback).

const repo = path.resolve(import.meta.dirname, '../../..');
const NOW = Date.UTC(2026, 10, 20, 12);
const config = parsePipelineConfig(parseYaml(readFileSync(path.join(repo, 'infra/pipelines.yaml'), 'utf8')), {
  now: () => NOW,
});

function routedIndex(serviceName: unknown): string | undefined {
  const value = Buffer.from(
    JSON.stringify({ '@timestamp': '2026-11-20T12:00:00Z', message: 'm', service: { name: serviceName } }),
  );
  const prepared = prepareRecord(
    { topic: 'app-logs', partition: 0, offset: 0, timestamp: NOW, key: null, value, headers: {} },
    config,
    createPrepareCounters(),
    { now: NOW },
  );
  return prepared.kind === 'write' ? prepared.index : undefined;
}

const hostile = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.constantFrom(
    '*',
    '_all',
    '..',
    '../x',
    'a,b',
    '-x',
    '+x',
    '_x',
    'A*',
    'logs-*',
    '.kibana',
    '',
    ' ',
    '\u0000',
  ),
  fc
    .array(
      fc.constantFrom(
        '*',
        ',',
        '/',
        '\\',
        '.',
        '-',
        '_',
        '+',
        '#',
        ':',
        '"',
        '<',
        '>',
        '|',
        '?',
        ' ',
        'A',
        'é',
        'İ',
        'ẞ',
        '\u2028',
      ),
      { maxLength: 60 },
    )
    .map((a) => a.join('')),
  fc.oneof(
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string()),
    fc.dictionary(fc.string(), fc.string()),
  ),
);

describe('routed index names stay under their prefix', () => {
  it('property: any service.name routes to a valid concrete index starting with logs-', () => {
    fc.assert(
      fc.property(hostile, (name) => {
        const index = routedIndex(name);
        expect(index).toBeDefined();
        expect(isValidIndexName(index!)).toBe(true);
        expect(index!.startsWith('logs-')).toBe(true);
        // (Dots inside a name are allowed: the name travels in the bulk body, never as a URL path.)
        expect(index).not.toMatch(/[*,?]|^_/);
        expect(Buffer.byteLength(index!)).toBeLessThanOrEqual(255);
      }),
      { numRuns: 2_000 },
    );
  });

  it('a clean name keeps its own index, so the property above is not vacuous', () => {
    expect(routedIndex('checkout')).toBe('logs-checkout-2026.11.20');
    expect(routedIndex('*')).toBe('logs-unrouted');
  });
});
