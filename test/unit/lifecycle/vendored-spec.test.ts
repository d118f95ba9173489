import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSpecValidators, DEFAULT_SPEC_DIR } from '../../../infra/opensearch/spec-schemas.ts';

// The lifecycle function ships a subset of the API spec; it must stay the official files, unchanged.
const shared = path.resolve(import.meta.dirname, '../../../../shared/opensearch-api-spec/spec/schemas');
const vendored = path.join(DEFAULT_SPEC_DIR, 'spec', 'schemas');

describe('vendored API spec schemas', () => {
  it('are byte-identical to the shared official spec', () => {
    expect(existsSync(shared)).toBe(true);
    const files = readdirSync(vendored);
    expect(files.length).toBeGreaterThanOrEqual(2);
    for (const file of files) {
      expect(readFileSync(path.join(vendored, file), 'utf8'), file).toBe(
        readFileSync(path.join(shared, file), 'utf8'),
      );
    }
  });

  it('hold every file the ISM and SM policy schemas reference (they compile and validate)', () => {
    const { ismPolicy } = compileSpecValidators();
    expect(
      ismPolicy({
        policy: {
          description: 'x',
          default_state: 'hot',
          states: [{ name: 'hot', actions: [], transitions: [] }],
        },
      }),
    ).toEqual([]);
    expect(ismPolicy({ policy: { states: 'not a list' } }).length).toBeGreaterThan(0);
  });
});
