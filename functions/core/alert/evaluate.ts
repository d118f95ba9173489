// Search response → the keys that meet the rule's condition. Pure: reads only the response.
import { formatDuration } from './duration.ts';
import { ruleWindow } from './query.ts';
import type { Evaluation, LogRule, Match, Window } from './types.ts';

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const obj = (value: unknown): Obj => (isObj(value) ? value : {});
const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;

/** Key of the single group of an ungrouped rule. */
export const ALL_KEYS = '*';

function hitsOf(section: unknown): Obj[] {
  const hits = obj(obj(section).hits).hits;
  return Array.isArray(hits) ? hits.filter(isObj).map((hit) => obj(hit._source)) : [];
}

function totalOf(response: Obj): number {
  const total = obj(response.hits).total;
  return num(total) ?? num(obj(total).value) ?? 0;
}

interface Bucket {
  key: string;
  count: number;
  raw: Obj;
}

function bucketsOf(response: Obj): Bucket[] {
  const buckets = obj(obj(response.aggregations).keys).buckets;
  if (!Array.isArray(buckets)) return [];
  return buckets.filter(isObj).map((raw) => ({
    key: String(raw.key_as_string ?? raw.key),
    count: num(raw.doc_count) ?? 0,
    raw,
  }));
}

/** Every group of a response: the terms buckets, or one `*` group holding the whole response. */
function groups(rule: LogRule, response: Obj): Bucket[] {
  if (rule.queryKey === undefined && rule.type !== 'new_term') {
    return [
      { key: ALL_KEYS, count: totalOf(response), raw: { ...obj(response.aggregations), samples: response } },
    ];
  }
  return bucketsOf(response);
}

const round = (value: number): number => Math.round(value * 1000) / 1000;

function matchFor(
  key: string,
  value: number | string,
  threshold: string,
  window: Window,
  samples: Obj[],
): Match {
  return { key, value, threshold, window, samples };
}

/** Evaluates one rule against the response of `buildQuery(rule, now)`. */
export function evaluateRule(rule: LogRule, response: unknown, now: number): Evaluation {
  const body = obj(response);
  const window = ruleWindow(rule, now);
  const matches: Match[] = [];
  for (const group of groups(rule, body)) {
    const samples = hitsOf(group.raw.samples).slice(0, rule.sampleSize);
    switch (rule.type) {
      case 'frequency':
        if (group.count >= rule.numEvents) {
          matches.push(matchFor(group.key, group.count, `>= ${rule.numEvents} events`, window, samples));
        }
        break;
      case 'any':
        if (group.count > 0) matches.push(matchFor(group.key, group.count, '>= 1 event', window, samples));
        break;
      case 'flatline': {
        const count =
          rule.queryKey === undefined ? group.count : (num(obj(group.raw.current).doc_count) ?? 0);
        if (count < rule.threshold) {
          const lastSeen = num(obj(group.raw.last_seen).value);
          const facts = lastSeen === undefined ? [] : [{ last_seen: new Date(lastSeen).toISOString() }];
          matches.push(matchFor(group.key, count, `< ${rule.threshold} events`, window, facts));
        }
        break;
      }
      case 'spike': {
        const cur = num(obj(group.raw.current).doc_count) ?? 0;
        const ref = num(obj(group.raw.reference).doc_count) ?? 0;
        if (cur < rule.thresholdCur || ref < rule.thresholdRef || ref === 0) break;
        const up = rule.direction !== 'down' && cur >= ref * rule.spikeHeight;
        // A drop to zero is the strongest drop; only an up spike needs a non-zero current count.
        const down = rule.direction !== 'up' && cur * rule.spikeHeight <= ref;
        if (up || down) {
          matches.push(
            matchFor(
              group.key,
              `${cur} vs ${ref} (x${round(ref === 0 ? 0 : cur / ref)})`,
              `${up ? '>=' : '<='} x${up ? rule.spikeHeight : round(1 / rule.spikeHeight)} of the previous ${formatDuration(rule.timeframeMs)}`,
              window,
              hitsOf(obj(group.raw.current).samples).slice(0, rule.sampleSize),
            ),
          );
        }
        break;
      }
      case 'new_term': {
        const firstSeen = num(obj(group.raw.first_seen).value);
        if (firstSeen !== undefined && firstSeen >= window.from && firstSeen < window.to) {
          matches.push(
            matchFor(
              group.key,
              new Date(firstSeen).toISOString(),
              `${rule.field} unseen before`,
              window,
              samples,
            ),
          );
        }
        break;
      }
      case 'metric': {
        const value = num(obj(group.raw.metric).value);
        if (value === undefined) break;
        const over = rule.maxThreshold !== undefined && value > rule.maxThreshold;
        const under = rule.minThreshold !== undefined && value < rule.minThreshold;
        if (over || under) {
          const threshold = over ? `> ${rule.maxThreshold}` : `< ${rule.minThreshold}`;
          matches.push(
            matchFor(group.key, round(value), `${rule.aggType}(${rule.field}) ${threshold}`, window, samples),
          );
        }
        break;
      }
    }
  }
  return { matches };
}
