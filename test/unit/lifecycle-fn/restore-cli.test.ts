// The restore command's argument handling and output lines (the restore itself is integration-tested).
import { describe, expect, it } from 'vitest';
import type { RestoreProgress } from '../../../functions/lifecycle/restore.ts';
import { formatProgress, main, restoreEnv } from '../../../infra/local/restore.ts';

describe('restore command', () => {
  it('defaults to the local stack unless OPENSEARCH_ENDPOINT is set', () => {
    expect(restoreEnv({})).toMatchObject({
      OPENSEARCH_ENDPOINT: 'http://127.0.0.1:9200',
      OPENSEARCH_AUTH: 'none',
      S3_ENDPOINT: 'http://127.0.0.1:4569',
    });
    const aws = { OPENSEARCH_ENDPOINT: 'https://search.example.com' };
    expect(restoreEnv(aws)).toBe(aws);
  });

  it.each([
    [{ type: 'catalog', snapshots: 2, missingEntries: [] }, 'catalog: 2 snapshot(s) hold the range'],
    [
      { type: 'catalog', snapshots: 0, missingEntries: ['x'] },
      'catalog: 0 snapshot(s) hold the range (1 listed without an entry, skipped)',
    ],
    [{ type: 'restoring', snapshot: 's', indices: ['a', 'b'] }, 'restoring a, b from s …'],
    [
      { type: 'counted', index: 'restored-a', docs: 5, expected: 5 },
      '  restored-a: 5 documents (catalog: 5)',
    ],
    [
      { type: 'counted', index: 'restored-a', docs: 4, expected: 5 },
      '  restored-a: 4 documents (catalog: 5)  ← differs',
    ],
  ] satisfies Array<[RestoreProgress, string]>)('formats %j', (progress, line) => {
    expect(formatProgress(progress)).toBe(line);
  });

  it('prints usage for --help and refuses unknown flags', async () => {
    const lines: string[] = [];
    expect(await main(['--help'], {}, (l) => lines.push(l))).toBe(0);
    expect(lines[0]).toMatch(/^usage: npm run restore/);
    expect(await main(['--bogus'], {}, (l) => lines.push(l))).toBe(2);
    expect(lines.at(-1)).toMatch(/usage:/);
  });

  it('names a missing service before touching the cluster', async () => {
    const lines: string[] = [];
    const code = await main(['--service', 'nope', '--from', '2026-11-01', '--to', '2026-11-02'], {}, (l) =>
      lines.push(l),
    );
    expect(code).toBe(1);
    expect(lines.at(-1)).toMatch(
      /restore failed: service: "nope" is not a configured service; use one of nginx, api, audit/,
    );
  });
});
