// Totals, the printed table per story and the JSON report.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OUTCOMES, type Outcome, type StoryResult } from './runner.ts';

export type Totals = Record<Outcome, number> & {
  total: number;
  /** passed / (total − skipped − unsupported − pending); 1 when nothing counts. */
  passRate: number;
  /** unsupported / (total − skipped − pending). */
  unsupportedRate: number;
};

export function totals(stories: StoryResult[]): Totals {
  const counts = { passed: 0, failed: 0, unsupported: 0, skipped: 0, pending: 0 };
  let total = 0;
  for (const s of stories) {
    for (const c of s.chapters) {
      counts[c.outcome]++;
      total++;
    }
  }
  const ran = total - counts.skipped - counts.pending;
  const judged = ran - counts.unsupported;
  return {
    ...counts,
    total,
    passRate: judged === 0 ? 1 : counts.passed / judged,
    unsupportedRate: ran === 0 ? 0 : counts.unsupported / ran,
  };
}

const MARK: Record<Outcome, string> = {
  passed: 'PASS',
  failed: 'FAIL',
  unsupported: 'UNSUP',
  skipped: 'SKIP',
  pending: 'PEND',
};

function cut(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

export function formatTotals(group: string, t: Totals): string {
  const parts = OUTCOMES.map((o) => `${o} ${t[o]}`).join(', ');
  return `${group}: ${t.total} chapters: ${parts}; pass rate ${(t.passRate * 100).toFixed(1)}%, unsupported ${(t.unsupportedRate * 100).toFixed(1)}%`;
}

/** One block per story: outcome, method, path, synopsis and the reason when not passed. */
function displayName(file: string, root: string): string {
  if (root === '') return file;
  const rel = path.relative(root, file);
  return rel.startsWith('..') ? file : rel;
}

export function formatTable(group: string, stories: StoryResult[], root = ''): string {
  const lines: string[] = [];
  for (const s of stories) {
    const t = totals([s]);
    const name = displayName(s.file, root);
    lines.push(`${name}  (${t.passed}/${t.total - t.skipped - t.pending - t.unsupported} passed)`);
    for (const c of s.chapters) {
      const row = `  ${MARK[c.outcome].padEnd(5)} ${c.method.padEnd(6)} ${cut(c.path, 40)} ${cut(c.title, 60)}`;
      lines.push(c.outcome === 'passed' ? row.trimEnd() : `${row}\n        ↳ ${c.reason ?? ''}`);
    }
    for (const note of s.notes) lines.push(`  note: ${note}`);
  }
  lines.push(formatTotals(group, totals(stories)));
  return lines.join('\n');
}

export type Report = Record<string, { totals: Totals; stories: StoryResult[] }>;

/** Writes (merging with what other groups wrote) `.vitest/conformance.json`. */
export async function writeReport(
  file: string,
  group: string,
  stories: StoryResult[],
  root = '',
): Promise<void> {
  let report: Report = {};
  try {
    report = JSON.parse(await readFile(file, 'utf8')) as Report;
  } catch {
    report = {};
  }
  report[group] = {
    totals: totals(stories),
    stories: stories.map((s) => ({ ...s, file: displayName(s.file, root) })),
  };
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(report, null, 2)}\n`);
}
