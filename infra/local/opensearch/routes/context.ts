// What every route module gets: the node, the clock, fault injection, the request log, the search engine.
import type { Clock } from '../clock.ts';
import type { Faults } from '../faults.ts';
import type { Lifecycle } from '../lifecycle/lifecycle.ts';
import type { LocalNode, ResolveOptions } from '../node.ts';
import type { RequestLog } from '../request-log.ts';
import { boolParam } from '../router.ts';
import type { SearchEngine } from '../search-engine.ts';

export interface RouteContext {
  node: LocalNode;
  clock: Clock;
  faults: Faults;
  log: RequestLog;
  searchEngine(): Promise<SearchEngine>;
  /** ISM, SM, snapshot repositories and snapshots. */
  lifecycle: Lifecycle;
}

/** The resolve options of the usual `ignore_unavailable` / `allow_no_indices` / `expand_wildcards` parameters. */
export function resolveOptions(query: Record<string, string>, defaults: ResolveOptions = {}): ResolveOptions {
  const expand = query.expand_wildcards ?? '';
  return {
    ...defaults,
    ignoreUnavailable: boolParam(query, 'ignore_unavailable', defaults.ignoreUnavailable ?? false),
    allowNoIndices: boolParam(query, 'allow_no_indices', defaults.allowNoIndices ?? true),
    hidden: expand.includes('all') || expand.includes('hidden') || defaults.hidden === true,
    closed: expand.includes('all') || expand.includes('closed') || defaults.closed === true,
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
