// The OpenSearch API conformance of the local server: every core target story on a fresh server;
// ≥ 95% of the chapters that ran must pass, in the core group and in the lifecycle group (ISM/SM/snapshots).
import { describe, expect, it } from 'vitest';
import { extraStoryFiles, REPORT_FILE, runFiles, runGroup, STORIES_ROOT } from './groups.ts';
import { formatTable, totals, writeReport } from './report.ts';

const extra = await extraStoryFiles(process.env.SLUICE_STORIES);

describe('OpenSearch API conformance', () => {
  it('passes at least 95% of the core chapters, with few unsupported', { timeout: 600_000 }, async () => {
    const results = await runGroup('core');
    console.log(formatTable('core', results, STORIES_ROOT));
    await writeReport(REPORT_FILE, 'core', results, STORIES_ROOT);
    const t = totals(results);
    expect(t.total).toBeGreaterThan(100);
    expect(t.passRate).toBeGreaterThanOrEqual(0.95);
    expect(t.unsupportedRate).toBeLessThanOrEqual(0.05);
  });

  it('passes at least 95% of the lifecycle chapters, with few unsupported', {
    timeout: 600_000,
  }, async () => {
    const results = await runGroup('lifecycle');
    console.log(formatTable('lifecycle', results, STORIES_ROOT));
    await writeReport(REPORT_FILE, 'lifecycle', results, STORIES_ROOT);
    const t = totals(results);
    expect(t.total).toBeGreaterThanOrEqual(45);
    expect(t.passRate).toBeGreaterThanOrEqual(0.95);
    expect(t.unsupportedRate).toBeLessThanOrEqual(0.05);
  });

  // Only defined when SLUICE_STORIES names extra stories (the behaviour must be general, not tuned).
  if (extra.length > 0) {
    it(`passes at least 95% of the ${extra.length} extra stories in SLUICE_STORIES`, {
      timeout: 1_800_000,
    }, async () => {
      const results = await runFiles(extra);
      console.log(formatTable('extra', results, STORIES_ROOT));
      await writeReport(REPORT_FILE, 'extra', results, STORIES_ROOT);
      const t = totals(results);
      expect(t.passRate).toBeGreaterThanOrEqual(0.95);
      expect(t.unsupportedRate).toBeLessThanOrEqual(0.05);
    });
  }
});
