import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatTable, totals, writeReport } from '../../conformance/report.ts';
import type { ChapterResult, Outcome, StoryResult } from '../../conformance/runner.ts';

const chapter = (outcome: Outcome, reason?: string): ChapterResult => ({
  title: `A ${outcome} chapter.`,
  method: 'GET',
  path: '/x',
  outcome,
  reason,
});
const story = (file: string, ...outcomes: Outcome[]): StoryResult => ({
  file,
  description: 'd',
  chapters: outcomes.map((o) => chapter(o, o === 'passed' ? undefined : `why ${o}`)),
  notes: [],
});

describe('conformance report', () => {
  it.each([
    [[], { total: 0, passRate: 1, unsupportedRate: 0 }],
    [
      [story('a', 'passed', 'passed', 'failed', 'skipped')],
      { total: 4, passed: 2, failed: 1, skipped: 1, passRate: 2 / 3 },
    ],
    [
      [story('a', 'passed', 'unsupported'), story('b', 'pending', 'passed', 'failed')],
      { total: 5, passed: 2, unsupported: 1, pending: 1, passRate: 2 / 3, unsupportedRate: 1 / 4 },
    ],
  ])('totals(%j)', (stories, expected) => {
    expect(totals(stories)).toMatchObject(expected);
  });

  it('prints one block per story with reasons and a totals line', () => {
    const text = formatTable('core', [story('/r/tests/a.yaml', 'passed', 'failed')], '/r/tests');
    expect(text.split('\n')).toEqual([
      'a.yaml  (1/2 passed)',
      `  PASS  GET    /x${' '.repeat(39)}A passed chapter.`,
      `  FAIL  GET    /x${' '.repeat(39)}A failed chapter.${' '.repeat(43)}`,
      '        ↳ why failed',
      'core: 2 chapters: passed 1, failed 1, unsupported 0, skipped 0, pending 0; pass rate 50.0%, unsupported 0.0%',
    ]);
  });

  it('writes groups into one JSON file, keeping the other groups', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'sluice-report-'));
    try {
      const file = path.join(dir, 'sub', 'conformance.json');
      await writeReport(file, 'core', [story('a.yaml', 'passed')]);
      await writeReport(file, 'lifecycle', [story('b.yaml', 'failed')]);
      const report = JSON.parse(await readFile(file, 'utf8'));
      expect(Object.keys(report)).toEqual(['core', 'lifecycle']);
      expect(report.core.totals.passed).toBe(1);
      expect(report.lifecycle.stories[0].chapters[0].reason).toBe('why failed');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
