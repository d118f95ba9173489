import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  formatJavaDate,
  parseSmPolicy,
  selectForDeletion,
  smSnapshotName,
} from '../../../../infra/local/opensearch/lifecycle/sm-policy.ts';

const creation = { schedule: { cron: { expression: '0 8 * * *', timezone: 'UTC' } } };
const config = { repository: 'repo' };

describe('parseSmPolicy', () => {
  it('fills the defaults and uses the creation schedule for deletion when none is given', () => {
    const p = parseSmPolicy({ creation, deletion: { condition: { max_count: 5 } }, snapshot_config: config });
    expect(p).toMatchObject({
      description: '',
      enabled: true,
      snapshot_config: { repository: 'repo' },
      deletion: { schedule: creation.schedule, condition: { max_count: 5, min_count: 1 } },
    });
  });

  it.each([
    ['no creation', { snapshot_config: config }, '[creation]'],
    [
      'a bad cron',
      { creation: { schedule: { cron: { expression: '* *', timezone: 'UTC' } } }, snapshot_config: config },
      'cron',
    ],
    [
      'an unknown time zone',
      {
        creation: { schedule: { cron: { expression: '0 8 * * *', timezone: 'Nowhere/Land' } } },
        snapshot_config: config,
      },
      'time zone',
    ],
    ['no repository', { creation, snapshot_config: {} }, 'repository'],
    [
      'a deletion condition without max_age or max_count',
      { creation, snapshot_config: config, deletion: { condition: { min_count: 2 } } },
      'max_age or max_count',
    ],
    [
      'a deletion without condition',
      { creation, snapshot_config: config, deletion: {} },
      'max_age or max_count',
    ],
    [
      'min_count 0',
      { creation, snapshot_config: config, deletion: { condition: { max_age: '1d', min_count: 0 } } },
      'greater than 0',
    ],
    [
      'max_count ≤ min_count',
      { creation, snapshot_config: config, deletion: { condition: { max_count: 2, min_count: 2 } } },
      'greater than the minimum',
    ],
    ['an unknown field', { creation, snapshot_config: config, schedules: {} }, 'Invalid field'],
  ])('rejects %s', (_name, body, message) => {
    expect(() => parseSmPolicy(body)).toThrow(message);
  });
});

describe('formatJavaDate and smSnapshotName', () => {
  const t = Date.parse('2026-03-04T05:06:07.089Z');
  it.each([
    ["yyyy-MM-dd'T'HH:mm:ss", 'UTC', '2026-03-04T05:06:07'],
    ['yyyy-MM-dd-HH:mm', 'America/Los_Angeles', '2026-03-03-21:06'],
    ['yy.M.d HH.mm.ss.SSS', 'UTC', '26.3.4 05.06.07.089'],
    ["'at' HH 'o''clock'", 'UTC', "at 05 o'clock"],
  ])('%s in %s', (pattern, tz, expected) => {
    expect(formatJavaDate(t, pattern, tz)).toBe(expected);
  });

  it('rejects letters it does not know', () => {
    expect(() => formatJavaDate(t, 'yyyy-QQ', 'UTC')).toThrow('unsupported letter');
  });

  it('names snapshots policy-date-random in lower case', () => {
    expect(smSnapshotName('Daily', t, 'yyyy-MM-dd', 'UTC', 'abcd1234')).toBe('daily-2026-03-04-abcd1234');
  });
});

describe('selectForDeletion', () => {
  const H = 3_600_000;
  const snaps = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `s${i}`, startTime: i * H }));

  it.each([
    ['max_count: the oldest beyond it', 5, { max_count: 3 }, 10 * H, ['s0', 's1']],
    ['max_age: older than the cut-off', 5, { max_age: '3h' }, 5 * H, ['s0', 's1']],
    ['max_age keeps min_count', 5, { max_age: '1h', min_count: 3 }, 100 * H, ['s0', 's1']],
    ['both: the union', 6, { max_age: '4h', max_count: 5 }, 6 * H, ['s0', 's1']],
    ['nothing to do', 2, { max_count: 3 }, 0, []],
  ])('%s', (_name, n, condition, now, expected) => {
    expect(selectForDeletion(snaps(n), condition, now).map((s) => s.name)).toEqual(expected);
  });

  it('never deletes newer snapshots before older ones, nor below min_count', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 1000 }), { maxLength: 30 }),
        fc.option(fc.integer({ min: 2, max: 10 }), { nil: undefined }),
        fc.option(fc.integer({ min: 1, max: 500 }), { nil: undefined }),
        fc.integer({ min: 1, max: 5 }),
        (times, maxCount, maxAgeHours, minCount) => {
          const list = times.map((t, i) => ({ name: `s${i}`, startTime: t * H }));
          const condition = {
            ...(maxCount === undefined ? {} : { max_count: Math.max(maxCount, minCount + 1) }),
            ...(maxAgeHours === undefined ? {} : { max_age: `${maxAgeHours}h` }),
            min_count: minCount,
          };
          const doomed = selectForDeletion(list, condition, 1000 * H);
          const kept = list.filter((s) => !doomed.includes(s));
          if (list.length >= minCount) expect(kept.length).toBeGreaterThanOrEqual(minCount);
          else expect(doomed).toEqual([]);
          const newestDoomed = Math.max(...doomed.map((s) => s.startTime));
          for (const k of kept)
            if (doomed.length > 0) expect(k.startTime).toBeGreaterThanOrEqual(newestDoomed);
          if (condition.max_count !== undefined)
            expect(kept.length).toBeLessThanOrEqual(Math.max(condition.max_count, minCount));
        },
      ),
    );
  });
});
