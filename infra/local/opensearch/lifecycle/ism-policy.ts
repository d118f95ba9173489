// ISM policy bodies: validation and normalisation as the ISM plugin does on PUT, and the pure
// evaluation of transition and rollover conditions against an index's numbers and the clock.
import { illegalArgument } from '../errors.ts';
import { wildcardMatch } from '../index-name.ts';
import { parseByteSize, parseTimeValue } from '../units.ts';
import { CronError, checkTimeZone, nextCronTime, parseCron } from './cron.ts';
import type { IsmAction, IsmPolicy, IsmState, IsmTemplate, IsmTransition } from './types.ts';

export const ISM_SCHEMA_VERSION = 21;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const invalidField = (field: string, where: string) =>
  illegalArgument(`Invalid field: [${field}] found in ${where}.`);

/** Fields each action accepts (beyond the common `retry` and `timeout`). */
export const ACTION_FIELDS = {
  rollover: ['min_size', 'min_doc_count', 'min_index_age', 'min_primary_shard_size', 'copy_alias'],
  delete: [],
  force_merge: ['max_num_segments', 'wait_for_completion', 'task_execution_timeout'],
  read_only: [],
  read_write: [],
  replica_count: ['number_of_replicas'],
  index_priority: ['priority'],
  close: [],
  open: [],
  snapshot: ['repository', 'snapshot'],
  notification: ['destination', 'channel', 'message_template'],
  allocation: ['require', 'include', 'exclude', 'wait_for'],
  alias: ['actions'],
  rollup: null,
  transform: null,
  shrink: null,
  convert_index_to_remote: null,
  stop_replication: [],
} as const satisfies Record<string, readonly string[] | null>;

export type ActionType = keyof typeof ACTION_FIELDS;

export const TRANSITION_CONDITIONS = [
  'min_index_age',
  'min_doc_count',
  'min_size',
  'cron',
  'min_rollover_age',
];

/** The action's type: the one key that is not `retry`/`timeout`/`custom`. */
export function actionType(action: IsmAction): string {
  return Object.keys(action).find((k) => k !== 'retry' && k !== 'timeout') ?? '';
}

function validateAction(raw: unknown): IsmAction {
  if (!isObject(raw)) throw illegalArgument('Action must be an object');
  const types = Object.keys(raw).filter((k) => k !== 'retry' && k !== 'timeout');
  if (types.length !== 1)
    throw illegalArgument(`Action must contain exactly one action type, found [${types.join(',')}]`);
  const type = types[0] ?? '';
  if (!Object.hasOwn(ACTION_FIELDS, type)) throw invalidField(type, 'Action');
  const allowed = ACTION_FIELDS[type as ActionType];
  const config = raw[type] ?? {};
  if (!isObject(config)) throw illegalArgument(`[${type}] action configuration must be an object`);
  const where = `${type.replace(/(^|_)(\w)/g, (_m, _u, c: string) => c.toUpperCase())}Action`;
  if (allowed !== null) {
    for (const key of Object.keys(config)) {
      if (!(allowed as readonly string[]).includes(key)) throw invalidField(key, where);
    }
  }
  switch (type) {
    case 'rollover':
      if (config.min_size !== undefined) parseByteSize(config.min_size, 'min_size');
      if (config.min_primary_shard_size !== undefined)
        parseByteSize(config.min_primary_shard_size, 'min_primary_shard_size');
      if (config.min_index_age !== undefined) parseTimeValue(config.min_index_age, 'min_index_age');
      if (config.min_doc_count !== undefined && !(Number(config.min_doc_count) >= 1))
        throw illegalArgument('RolloverAction minDocs value must be greater than 0');
      break;
    case 'replica_count':
      if (!Number.isInteger(Number(config.number_of_replicas)) || Number(config.number_of_replicas) < 0)
        throw illegalArgument('ReplicaCountAction number_of_replicas value must be a non-negative number');
      break;
    case 'index_priority':
      if (!Number.isInteger(Number(config.priority)) || Number(config.priority) < 0)
        throw illegalArgument('IndexPriorityAction priority value must be a non-negative number');
      break;
    case 'snapshot':
      if (typeof config.repository !== 'string' || config.repository === '')
        throw illegalArgument('SnapshotAction repository must be a non-empty string');
      if (typeof config.snapshot !== 'string' || config.snapshot === '')
        throw illegalArgument('SnapshotAction snapshot must be a non-empty string');
      break;
    case 'force_merge':
      if (config.max_num_segments !== undefined && !(Number(config.max_num_segments) >= 1))
        throw illegalArgument('Force merge max_num_segments must be greater than 0');
      break;
  }
  const retry = raw.retry;
  if (retry !== undefined) {
    if (!isObject(retry)) throw illegalArgument('Action retry must be an object');
    for (const key of Object.keys(retry)) {
      if (!['count', 'backoff', 'delay'].includes(key)) throw invalidField(key, 'ActionRetry');
    }
    if (retry.count !== undefined && !(Number(retry.count) >= 0))
      throw illegalArgument('Retry count must be >= 0');
    if (retry.backoff !== undefined && !['exponential', 'constant', 'linear'].includes(String(retry.backoff)))
      throw illegalArgument(`Invalid backoff [${String(retry.backoff)}]`);
    if (retry.delay !== undefined) parseTimeValue(retry.delay, 'delay');
  }
  if (raw.timeout !== undefined) parseTimeValue(raw.timeout, 'timeout');
  // As ISM stores actions: the default retry, then the action with its defaulted fields.
  const retryIn = isObject(retry) ? retry : {};
  const out: IsmAction = {};
  if (raw.timeout !== undefined) out.timeout = raw.timeout;
  out.retry = {
    count: retryIn.count === undefined ? 3 : Number(retryIn.count),
    backoff: retryIn.backoff ?? 'exponential',
    delay: retryIn.delay ?? '1m',
  };
  let stored: Record<string, unknown> = config;
  if (type === 'rollover') stored = { ...config, copy_alias: config.copy_alias ?? false };
  if (type === 'allocation')
    stored = {
      require: config.require ?? {},
      include: config.include ?? {},
      exclude: config.exclude ?? {},
      wait_for: config.wait_for ?? false,
    };
  Object.defineProperty(out, type, { value: stored, enumerable: true, writable: true, configurable: true });
  return out;
}

function validateTransition(raw: unknown): IsmTransition {
  if (!isObject(raw)) throw illegalArgument('Transition must be an object');
  for (const key of Object.keys(raw)) {
    if (key !== 'state_name' && key !== 'conditions') throw invalidField(key, 'Transition');
  }
  if (typeof raw.state_name !== 'string' || raw.state_name === '')
    throw illegalArgument('Transition must have a state_name');
  if (raw.conditions === undefined || raw.conditions === null) return { state_name: raw.state_name };
  if (!isObject(raw.conditions)) throw illegalArgument('Transition conditions must be an object');
  const keys = Object.keys(raw.conditions);
  for (const key of keys) {
    if (!TRANSITION_CONDITIONS.includes(key)) throw invalidField(key, 'Conditions');
  }
  if (keys.length > 1) throw illegalArgument('Cannot provide more than one Transition condition');
  if (keys.length === 0) throw illegalArgument('Transition conditions must not be empty');
  const c = raw.conditions;
  if (c.min_index_age !== undefined) parseTimeValue(c.min_index_age, 'min_index_age');
  if (c.min_rollover_age !== undefined) parseTimeValue(c.min_rollover_age, 'min_rollover_age');
  if (c.min_size !== undefined) parseByteSize(c.min_size, 'min_size');
  if (c.min_doc_count !== undefined && !(Number(c.min_doc_count) >= 0))
    throw illegalArgument('Transition min_doc_count must be a non-negative number');
  if (c.cron !== undefined) {
    const cron = isObject(c.cron) && isObject(c.cron.cron) ? c.cron.cron : c.cron;
    if (!isObject(cron) || typeof cron.expression !== 'string')
      throw illegalArgument('Transition cron condition needs {"cron": {"expression", "timezone"}}');
    try {
      parseCron(cron.expression);
      checkTimeZone(typeof cron.timezone === 'string' ? cron.timezone : 'UTC');
    } catch (error) {
      if (error instanceof CronError) throw illegalArgument(error.message);
      throw error;
    }
  }
  return { state_name: raw.state_name, conditions: c };
}

function validateTemplates(raw: unknown, now: number): IsmTemplate[] | null {
  if (raw === undefined || raw === null) return null;
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((t) => {
    if (!isObject(t)) throw illegalArgument('ism_template must be an object');
    for (const key of Object.keys(t)) {
      if (!['index_patterns', 'priority', 'last_updated_time'].includes(key))
        throw invalidField(key, 'ISMTemplate');
    }
    const patterns = typeof t.index_patterns === 'string' ? [t.index_patterns] : t.index_patterns;
    if (!Array.isArray(patterns) || patterns.length === 0 || patterns.some((p) => typeof p !== 'string'))
      throw illegalArgument('ism_template index_patterns must be a non-empty list of strings');
    const priority = t.priority === undefined ? 0 : Number(t.priority);
    if (!Number.isInteger(priority) || priority < 0) throw illegalArgument('Requires priority to be >= 0');
    return { index_patterns: patterns as string[], priority, last_updated_time: now };
  });
}

/** Validates a PUT body (`{"policy": {...}}`) into the stored policy; throws OpenSearch errors. */
export function parsePolicy(id: string, body: unknown, now: number): IsmPolicy {
  if (!isObject(body) || !isObject(body.policy)) throw illegalArgument('Required [policy] object is missing');
  for (const key of Object.keys(body)) if (key !== 'policy') throw invalidField(key, 'PolicyRequest');
  const p = body.policy;
  const known = [
    'policy_id',
    'description',
    'last_updated_time',
    'schema_version',
    'error_notification',
    'default_state',
    'states',
    'ism_template',
    'user',
  ];
  for (const key of Object.keys(p)) if (!known.includes(key)) throw invalidField(key, 'Policy');
  if (!Array.isArray(p.states) || p.states.length === 0)
    throw illegalArgument('Policy must contain at least one State');
  const states: IsmState[] = p.states.map((s) => {
    if (!isObject(s)) throw illegalArgument('State must be an object');
    for (const key of Object.keys(s))
      if (!['name', 'actions', 'transitions'].includes(key)) throw invalidField(key, 'State');
    if (typeof s.name !== 'string' || s.name === '') throw illegalArgument('State must have a name');
    const actions = s.actions ?? [];
    const transitions = s.transitions ?? [];
    if (!Array.isArray(actions)) throw illegalArgument(`State [${s.name}] actions must be a list`);
    if (!Array.isArray(transitions)) throw illegalArgument(`State [${s.name}] transitions must be a list`);
    const parsed = actions.map(validateAction);
    const deleteAt = parsed.findIndex((a) => actionType(a) === 'delete');
    if (deleteAt >= 0 && deleteAt !== parsed.length - 1)
      throw illegalArgument(`Delete action must be the last action in state [${s.name}]`);
    return { name: s.name, actions: parsed, transitions: transitions.map(validateTransition) };
  });
  const names = states.map((s) => s.name);
  if (new Set(names).size !== names.length) throw illegalArgument('Policy cannot have duplicate state names');
  if (typeof p.default_state !== 'string' || !names.includes(p.default_state))
    throw illegalArgument('Policy must have a valid default state');
  for (const state of states) {
    for (const t of state.transitions) {
      if (!names.includes(t.state_name))
        throw illegalArgument(
          `Policy contains a transition in state [${state.name}] to a nonexistent state [${t.state_name}]`,
        );
    }
  }
  return {
    policy_id: id,
    description: typeof p.description === 'string' ? p.description : '',
    last_updated_time: now,
    schema_version: ISM_SCHEMA_VERSION,
    error_notification: p.error_notification ?? null,
    default_state: p.default_state,
    states,
    ism_template: validateTemplates(p.ism_template, now),
  };
}

/** The numbers of an index that conditions look at. */
export interface IndexFacts {
  now: number;
  creationDate: number;
  docCount: number;
  sizeBytes: number;
  /** When the index was rolled over (undefined: not yet). */
  rolloverTime?: number;
  /** When the current state was entered (for cron conditions). */
  stateStartTime: number;
}

/** Whether one transition may be taken now (no conditions: always). */
export function transitionMet(transition: IsmTransition, facts: IndexFacts): boolean {
  const c = transition.conditions;
  if (c === undefined) return true;
  if (c.min_index_age !== undefined)
    return facts.now - facts.creationDate >= parseTimeValue(c.min_index_age, 'min_index_age');
  if (c.min_doc_count !== undefined) return facts.docCount >= Number(c.min_doc_count);
  if (c.min_size !== undefined) return facts.sizeBytes >= parseByteSize(c.min_size, 'min_size');
  if (c.min_rollover_age !== undefined) {
    if (facts.rolloverTime === undefined) return false;
    return facts.now - facts.rolloverTime >= parseTimeValue(c.min_rollover_age, 'min_rollover_age');
  }
  if (c.cron !== undefined) {
    const raw = isObject(c.cron) && isObject(c.cron.cron) ? c.cron.cron : c.cron;
    const cron = raw as { expression: string; timezone?: string };
    const next = nextCronTime(parseCron(cron.expression), facts.stateStartTime, cron.timezone ?? 'UTC');
    return next !== undefined && next <= facts.now;
  }
  return false;
}

/** The first transition that may be taken, in policy order. */
export function nextTransition(transitions: IsmTransition[], facts: IndexFacts): IsmTransition | undefined {
  return transitions.find((t) => transitionMet(t, facts));
}

/**
 * Rollover action conditions: none means roll over now; otherwise any one met. Returns the
 * conditions as OpenSearch reports them (`{"min_doc_count": {"condition": 5, "current": 7}}`).
 */
export function rolloverConditions(
  config: Record<string, unknown>,
  facts: IndexFacts,
): { met: boolean; conditions: Record<string, { condition: unknown; current: unknown }> } {
  const conditions: Record<string, { condition: unknown; current: unknown }> = {};
  let met = false;
  let any = false;
  const check = (name: string, ok: boolean, current: unknown) => {
    any = true;
    conditions[name] = { condition: config[name], current };
    if (ok) met = true;
  };
  if (config.min_index_age !== undefined)
    check(
      'min_index_age',
      facts.now - facts.creationDate >= parseTimeValue(config.min_index_age, 'min_index_age'),
      `${Math.max(0, facts.now - facts.creationDate)}ms`,
    );
  if (config.min_doc_count !== undefined)
    check('min_doc_count', facts.docCount >= Number(config.min_doc_count), facts.docCount);
  if (config.min_size !== undefined)
    check('min_size', facts.sizeBytes >= parseByteSize(config.min_size, 'min_size'), `${facts.sizeBytes}b`);
  if (config.min_primary_shard_size !== undefined)
    check(
      'min_primary_shard_size',
      facts.sizeBytes >= parseByteSize(config.min_primary_shard_size, 'min_primary_shard_size'),
      `${facts.sizeBytes}b`,
    );
  return { met: met || !any, conditions };
}

/**
 * The policy whose ism_template matches a new index: highest priority, templates created after the
 * index are ignored (as ISM does); hidden indices match only patterns naming them, data stream
 * backing indices match on the data stream's name.
 */
export function matchTemplate(
  policies: Iterable<IsmPolicy>,
  index: { name: string; creationDate: number; hidden: boolean; dataStream?: string },
): IsmPolicy | undefined {
  let best: { policy: IsmPolicy; priority: number } | undefined;
  const subject = index.dataStream ?? index.name;
  for (const policy of policies) {
    for (const template of policy.ism_template ?? []) {
      if (template.last_updated_time > index.creationDate) continue;
      const matches = template.index_patterns.some(
        (p) =>
          wildcardMatch(p, subject) && (!index.hidden || index.dataStream !== undefined || p.startsWith('.')),
      );
      if (matches && (!best || template.priority > best.priority))
        best = { policy, priority: template.priority };
    }
  }
  return best?.policy;
}
