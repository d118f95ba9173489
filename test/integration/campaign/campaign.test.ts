import { describe, expect, it } from 'vitest';
import { type CaseResult, runCampaign, summaryLine } from './campaign.ts';

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
    // The known limitation: after a crash/timeout that follows a dead-letter write, a redelivery
    // with other batch boundaries dead-letters a record again (entries carry coordinates; consumers
    // de-duplicate by them). It may only happen in cases where a delivery was cut short: an ESM
    // timeout (real or a lost answer) or an earlier delivery of the same records.
    const crashed = (r: CaseResult) => r.timeouts > 0 || r.families.includes('redelivery');
    expect(
      summary.results.filter((r) => r.deadLetterDuplicates > 0 && !crashed(r)).map((r) => r.seed),
    ).toEqual([]);
    const limitation = summary.results.filter((r) => r.deadLetterDuplicates > 0);
    if (limitation.length > 0)
      console.log(
        `campaign: known limitation seen — dead letters repeated by coordinates after a cut-short delivery, seeds ${limitation.map((r) => r.seed).join(', ')}`,
      );
  });
});
