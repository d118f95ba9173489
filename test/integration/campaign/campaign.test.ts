import { describe, expect, it } from 'vitest';
import { runCampaign, summaryLine } from './campaign.ts';

// The fault campaign in the test suite: CAMPAIGN_CASES seeded cases (default 200) from
// CAMPAIGN_SEED (default 1). Every record must be in OpenSearch exactly once or dead-lettered
// with its reason. `npm run soak` runs thousands of further seeds.
const cases = Number(process.env.CAMPAIGN_CASES ?? 200);
const firstSeed = Number(process.env.CAMPAIGN_SEED ?? 1);

describe('fault campaign', () => {
  it(`${cases} seeded cases: nothing lost, nothing duplicated`, { timeout: 600_000 }, async () => {
    const lines: string[] = [];
    const summary = await runCampaign(firstSeed, cases, (line) => lines.push(line));
    console.log(summaryLine(summary));
    for (const line of lines) console.log(line);
    expect(summary.cases).toBe(cases);
    expect(summary.records).toBeGreaterThan(cases * 10);
    // The faults really bit: some records went to the dead-letter store, most were indexed.
    expect(summary.deadLettered).toBeGreaterThan(0);
    expect(summary.indexed).toBeGreaterThan(summary.records / 2);
    expect({
      lost: summary.lost,
      duplicated: summary.duplicated,
      failedSeeds: summary.failed.map((f) => f.seed),
    }).toEqual({
      lost: 0,
      duplicated: 0,
      failedSeeds: [],
    });
    // Dead letters are keyed by offset window and merged by coordinates: even after timeouts and
    // redeliveries with other batch boundaries, no record is stored twice in the dead-letter store.
    expect(summary.results.filter((r) => r.deadLetterDuplicates > 0).map((r) => r.seed)).toEqual([]);
  });
});
