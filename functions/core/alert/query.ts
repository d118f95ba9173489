// Rule → OpenSearch search request for the window ending at `now`. Absolute times computed from the
// injected clock (never `now-5m` date math), so that a run is reproducible and the window a rule
// reports is exactly the one it searched.
import type { LogRule, Window } from './types.ts';

export interface SearchRequest {
  index: string;
  body: Record<string, unknown>;
}

/** The window a rule evaluates at `now`: `timeframe` long, ending `delay` before `now`. */
export function ruleWindow(rule: LogRule, now: number): Window {
  const to = now - rule.delayMs;
  return { from: to - rule.timeframeMs, to };
}

/** The earliest time a rule's query reaches back to (its window plus any look-back). */
export function searchStart(rule: LogRule, window: Window): number {
  switch (rule.type) {
    case 'flatline':
      return rule.queryKey === undefined ? window.from : window.from - rule.keyLookbackMs;
    case 'spike':
      return window.from - rule.timeframeMs;
    case 'new_term':
      return window.from - rule.lookbackMs;
    default:
      return window.from;
  }
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function rangeClause(field: string, from: number, to: number): Record<string, unknown> {
  return { range: { [field]: { gte: iso(from), lt: iso(to), format: 'strict_date_optional_time' } } };
}

function samplesAgg(rule: LogRule): Record<string, unknown> {
  return rule.sampleSize > 0
    ? {
        samples: {
          top_hits: { size: rule.sampleSize, sort: [{ [rule.timestampField]: { order: 'desc' } }] },
        },
      }
    : {};
}

function grouped(
  rule: LogRule,
  field: string,
  subAggs: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  const aggs = Object.keys(subAggs).length > 0 ? { aggs: subAggs } : {};
  return { keys: { terms: { field, size: rule.maxKeys, min_doc_count: 1, ...extra }, ...aggs } };
}

/** The search request body for one rule at `now`. */
export function buildQuery(rule: LogRule, now: number): SearchRequest {
  const window = ruleWindow(rule, now);
  const start = searchStart(rule, window);
  const query = { bool: { filter: [rangeClause(rule.timestampField, start, window.to), ...rule.filter] } };
  const current = rangeClause(rule.timestampField, window.from, window.to);
  const sort = [{ [rule.timestampField]: { order: 'desc' } }];
  let body: Record<string, unknown>;
  switch (rule.type) {
    case 'frequency':
    case 'any':
      body =
        rule.queryKey === undefined
          ? { size: rule.sampleSize, track_total_hits: true, sort, query }
          : { size: 0, query, aggs: grouped(rule, rule.queryKey, samplesAgg(rule)) };
      break;
    case 'flatline':
      body =
        rule.queryKey === undefined
          ? { size: 0, track_total_hits: true, query }
          : {
              size: 0,
              query,
              aggs: grouped(rule, rule.queryKey, {
                current: { filter: current },
                last_seen: { max: { field: rule.timestampField } },
              }),
            };
      break;
    case 'spike': {
      const reference = rangeClause(rule.timestampField, window.from - rule.timeframeMs, window.from);
      const windows = {
        current: { filter: current, ...(rule.sampleSize > 0 ? { aggs: samplesAgg(rule) } : {}) },
        reference: { filter: reference },
      };
      body =
        rule.queryKey === undefined
          ? { size: 0, query, aggs: windows }
          : { size: 0, query, aggs: grouped(rule, rule.queryKey, windows) };
      break;
    }
    case 'new_term':
      // Newest first-sightings first, so that the new terms are never cut off by `size`.
      body = {
        size: 0,
        query,
        aggs: grouped(
          rule,
          rule.field,
          { first_seen: { min: { field: rule.timestampField } }, ...samplesAgg(rule) },
          { order: { first_seen: 'desc' } },
        ),
      };
      break;
    case 'metric': {
      const metric = { metric: { [rule.aggType]: { field: rule.field } } };
      body =
        rule.queryKey === undefined
          ? { size: rule.sampleSize, track_total_hits: true, sort, query, aggs: metric }
          : { size: 0, query, aggs: grouped(rule, rule.queryKey, { ...metric, ...samplesAgg(rule) }) };
      break;
    }
  }
  return { index: rule.index, body };
}
