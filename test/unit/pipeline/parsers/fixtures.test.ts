import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsers } from '../../../../functions/core/pipeline/parsers/index.ts';

const fixtures = path.resolve(import.meta.dirname, '../../../fixtures/logs');

const lines = (file: string): string[] =>
  readFileSync(path.join(fixtures, file), 'utf8')
    .split('\n')
    .filter((line) => line !== '');

// Each fixture file is in exactly one of these formats: its parser takes every line, the other
// format parsers take none (so that a pipeline's parser order cannot mis-file a line).
const FILES = {
  'nginx_access.log': 'nginx_access',
  'apache_error.log': 'apache_error',
  'syslog.log': 'syslog',
  'logfmt.log': 'logfmt',
  'app.jsonl': 'json',
} as const;

describe('sample log fixtures', () => {
  describe.each(Object.entries(FILES))('%s', (file, name) => {
    it(`every line parses with ${name}`, () => {
      const parse = parsers[name]({});
      for (const line of lines(file)) expect(parse(line), line).toBeDefined();
    });

    it('no other format parser takes its lines', () => {
      for (const other of new Set(Object.values(FILES))) {
        if (other === name) continue;
        const parse = parsers[other]({});
        for (const line of lines(file)) expect(parse(line), `${other}: ${line}`).toBeUndefined();
      }
    });
  });
});
