// Index State Management: policies (documents of `.opendistro-ism-config` with seq_no/primary_term),
// managed indices, and the job that moves each managed index through its policy's states on the
// server clock. One job run does one step per index, as the ISM runner does: initialise, run one
// action (or check a running one), or evaluate the transitions.
import { illegalArgument, indexNotFound, OpenSearchError } from '../errors.ts';
import type { LocalNode } from '../node.ts';
import { settingBool, settingString } from '../settings.ts';
import { type IndexState, PRIMARY_TERM } from '../state.ts';
import {
  actionType,
  type IndexFacts,
  matchTemplate,
  nextTransition,
  parsePolicy,
  rolloverConditions,
} from './ism-policy.ts';
import type { SnapshotService } from './snapshots.ts';
import type { IsmAction, IsmPolicyRecord, ManagedIndex } from './types.ts';

export const ISM_INDEX = '.opendistro-ism-config';
const POLICY_ID_SETTING = 'index.plugins.index_state_management.policy_id';
const LEGACY_POLICY_ID_SETTING = 'index.opendistro.index_state_management.policy_id';
export const ROLLOVER_ALIAS_SETTING = 'index.plugins.index_state_management.rollover_alias';
const DEFAULT_RETRIES = 3;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `step` names ISM reports for each action. */
const STEP_NAMES: Record<string, string> = {
  rollover: 'attempt_rollover',
  delete: 'attempt_delete',
  force_merge: 'attempt_call_force_merge',
  read_only: 'set_read_only',
  read_write: 'set_read_write',
  replica_count: 'attempt_set_replica_count',
  index_priority: 'attempt_set_index_priority',
  close: 'attempt_close',
  open: 'attempt_open',
  snapshot: 'attempt_snapshot',
  notification: 'attempt_notification',
  allocation: 'attempt_allocation',
  alias: 'attempt_alias',
};

type StepOutcome =
  | { status: 'completed'; message: string; extra?: Record<string, unknown> }
  | { status: 'condition_not_met'; message: string; extra?: Record<string, unknown> }
  | { status: 'failed'; message: string; cause?: string };

interface ChangeResult {
  updated_indices: number;
  failures: boolean;
  failed_indices: Array<{ index_name: string; index_uuid: string; reason: string }>;
}

export class IsmService {
  private readonly node: LocalNode;
  private readonly snapshots: SnapshotService;

  constructor(node: LocalNode, snapshots: SnapshotService) {
    this.node = node;
    this.snapshots = snapshots;
  }

  private get state() {
    return this.node.state;
  }

  // ------------------------------------------------------------ policies

  putPolicy(
    id: string,
    body: unknown,
    query: Record<string, string>,
  ): { status: number; body: Record<string, unknown> } {
    if (id === '') throw illegalArgument('Missing policy_id');
    const now = this.node.now();
    const policy = parsePolicy(id, body, now);
    const existing = this.state.ismPolicies.get(id);
    const ifSeqNo = query.if_seq_no;
    const ifTerm = query.if_primary_term;
    if (existing) {
      if (ifSeqNo === undefined || ifTerm === undefined) {
        throw this.conflict(
          id,
          `version conflict, document already exists (current version [${existing.version}])`,
        );
      }
      if (Number(ifSeqNo) !== existing.seqNo || Number(ifTerm) !== existing.primaryTerm) {
        throw this.conflict(
          id,
          `version conflict, required seqNo [${ifSeqNo}], primary term [${ifTerm}]. current document has seqNo [${existing.seqNo}] and primary term [${existing.primaryTerm}]`,
        );
      }
    } else if (ifSeqNo !== undefined || ifTerm !== undefined) {
      throw this.conflict(
        id,
        `version conflict, required seqNo [${ifSeqNo ?? '-2'}], primary term [${ifTerm ?? '0'}] but no document was found`,
      );
    }
    // Templates keep their time when they did not change, so they still match older indices.
    if (existing && policy.ism_template && existing.policy.ism_template) {
      policy.ism_template = policy.ism_template.map((t) => {
        const same = existing.policy.ism_template?.find(
          (o) =>
            JSON.stringify(o.index_patterns) === JSON.stringify(t.index_patterns) &&
            o.priority === t.priority,
        );
        return same ? { ...t, last_updated_time: same.last_updated_time } : t;
      });
    }
    const record: IsmPolicyRecord = {
      id,
      seqNo: this.state.configSeqNo + 1,
      primaryTerm: PRIMARY_TERM,
      version: (existing?.version ?? 0) + 1,
      policy,
    };
    this.node.commit({ t: 'ism.policy.put', record });
    return {
      status: existing ? 200 : 201,
      body: {
        _id: id,
        _version: record.version,
        _primary_term: record.primaryTerm,
        _seq_no: record.seqNo,
        policy: { policy },
      },
    };
  }

  private conflict(id: string, reason: string): OpenSearchError {
    return new OpenSearchError(409, 'version_conflict_engine_exception', `[${id}]: ${reason}`, {
      extra: { index: ISM_INDEX, shard: '0', index_uuid: 'ism-config' },
    });
  }

  private policyNotFound(id: string): OpenSearchError {
    return new OpenSearchError(404, 'status_exception', 'Policy not found', { extra: { policy_id: id } });
  }

  getPolicy(id: string): Record<string, unknown> {
    const record = this.state.ismPolicies.get(id);
    if (!record) throw this.policyNotFound(id);
    return {
      _id: id,
      _version: record.version,
      _seq_no: record.seqNo,
      _primary_term: record.primaryTerm,
      policy: record.policy,
    };
  }

  listPolicies(query: Record<string, string>): Record<string, unknown> {
    const text = (query.queryString ?? '*').trim();
    const matches = (r: IsmPolicyRecord) => {
      if (text === '' || text === '*') return true;
      const needle = text.replace(/\*/g, '').toLowerCase();
      return r.id.toLowerCase().includes(needle) || r.policy.description.toLowerCase().includes(needle);
    };
    const sortField = query.sortField ?? 'policy.policy_id.keyword';
    const desc = (query.sortOrder ?? 'desc') === 'desc';
    const all = [...this.state.ismPolicies.values()].filter(matches);
    all.sort((a, b) => {
      const key = (r: IsmPolicyRecord) =>
        sortField.includes('last_updated_time') ? r.policy.last_updated_time : r.id;
      const x = key(a);
      const y = key(b);
      const cmp = x < y ? -1 : x > y ? 1 : 0;
      return desc ? -cmp : cmp;
    });
    const from = Number(query.from ?? '0');
    const size = Number(query.size ?? '20');
    return {
      policies: all.slice(from, from + size).map((r) => ({
        _index: ISM_INDEX,
        _id: r.id,
        _seq_no: r.seqNo,
        _primary_term: r.primaryTerm,
        policy: r.policy,
      })),
      total_policies: all.length,
    };
  }

  deletePolicy(id: string): { status: number; body: Record<string, unknown> } {
    const record = this.state.ismPolicies.get(id);
    const seqNo = this.state.configSeqNo + 1;
    const base = {
      _index: ISM_INDEX,
      _id: id,
      _version: (record?.version ?? 0) + 1,
      _shards: { total: 2, successful: 1, failed: 0 },
      _seq_no: seqNo,
      _primary_term: PRIMARY_TERM,
    };
    if (!record) return { status: 404, body: { ...base, _version: 1, result: 'not_found' } };
    this.node.commit({ t: 'ism.policy.delete', id, seqNo });
    return { status: 200, body: { ...base, result: 'deleted', forced_refresh: true } };
  }

  // ------------------------------------------------------------ managing indices

  private indices(expression: string | undefined): IndexState[] {
    if (expression === undefined || expression === '') throw illegalArgument('Missing indices');
    return this.node.resolve(expression, { hidden: true, closed: true, allowNoIndices: false });
  }

  private newManaged(index: IndexState, record: IsmPolicyRecord): ManagedIndex {
    return {
      index: index.name,
      indexUuid: index.uuid,
      policyId: record.id,
      policySeqNo: record.seqNo,
      policyPrimaryTerm: record.primaryTerm,
      policy: record.policy,
      enabled: true,
      initialized: false,
    };
  }

  add(expression: string | undefined, body: unknown): ChangeResult {
    const request = isObject(body) ? body : {};
    if (typeof request.policy_id !== 'string' || request.policy_id === '')
      throw illegalArgument('Missing policy_id');
    const record = this.state.ismPolicies.get(request.policy_id);
    if (!record)
      throw new OpenSearchError(404, 'status_exception', `Could not find policy=${request.policy_id}`);
    const result: ChangeResult = { updated_indices: 0, failures: false, failed_indices: [] };
    for (const index of this.indices(expression)) {
      if (this.state.managed.has(index.name)) {
        result.failed_indices.push({
          index_name: index.name,
          index_uuid: index.uuid,
          reason: 'This index already has a policy, use the update policy API to update index policies',
        });
        continue;
      }
      this.node.commit({ t: 'ism.managed.put', managed: this.newManaged(index, record) });
      result.updated_indices++;
    }
    result.failures = result.failed_indices.length > 0;
    return result;
  }

  remove(expression: string | undefined): ChangeResult {
    const result: ChangeResult = { updated_indices: 0, failures: false, failed_indices: [] };
    for (const index of this.indices(expression)) {
      if (!this.state.managed.has(index.name)) {
        result.failed_indices.push({
          index_name: index.name,
          index_uuid: index.uuid,
          reason: 'This index does not have a policy to remove',
        });
        continue;
      }
      this.node.commit({ t: 'ism.managed.delete', index: index.name });
      // As ISM does: the index is not picked up again by an ism_template.
      this.node.commit({
        t: 'index.settings',
        name: index.name,
        settings: { ...index.settings, 'index.plugins.index_state_management.auto_manage': 'false' },
      });
      result.updated_indices++;
    }
    result.failures = result.failed_indices.length > 0;
    return result;
  }

  changePolicy(expression: string | undefined, body: unknown): ChangeResult {
    const request = isObject(body) ? body : {};
    if (typeof request.policy_id !== 'string' || request.policy_id === '')
      throw illegalArgument('Missing policy_id');
    const record = this.state.ismPolicies.get(request.policy_id);
    if (!record)
      throw new OpenSearchError(404, 'status_exception', `Could not find policy=${request.policy_id}`);
    const state = typeof request.state === 'string' ? request.state : undefined;
    if (state !== undefined && !record.policy.states.some((s) => s.name === state))
      throw illegalArgument(`Unable to find state=${state} in policy=${record.id}`);
    const include = Array.isArray(request.include)
      ? request.include.flatMap((i) => (isObject(i) && typeof i.state === 'string' ? [i.state] : []))
      : [];
    const result: ChangeResult = { updated_indices: 0, failures: false, failed_indices: [] };
    for (const index of this.indices(expression)) {
      const managed = this.state.managed.get(index.name);
      if (!managed) {
        result.failed_indices.push({
          index_name: index.name,
          index_uuid: index.uuid,
          reason: 'This index is not being managed',
        });
        continue;
      }
      // Not yet initialised: no state to compare, the change applies from the start.
      if (include.length > 0 && managed.initialized && !include.includes(managed.state?.name ?? '')) {
        result.failed_indices.push({
          index_name: index.name,
          index_uuid: index.uuid,
          reason: `This index is not in the included states [${include.join(', ')}]`,
        });
        continue;
      }
      this.node.commit({
        t: 'ism.managed.put',
        managed: { ...managed, pendingChange: { policyId: record.id, ...(state ? { state } : {}) } },
      });
      result.updated_indices++;
    }
    result.failures = result.failed_indices.length > 0;
    return result;
  }

  retry(expression: string | undefined, body: unknown): ChangeResult {
    const request = isObject(body) ? body : {};
    const state = typeof request.state === 'string' ? request.state : undefined;
    const result: ChangeResult = { updated_indices: 0, failures: false, failed_indices: [] };
    for (const index of this.indices(expression)) {
      const managed = this.state.managed.get(index.name);
      if (!managed) {
        result.failed_indices.push({
          index_name: index.name,
          index_uuid: index.uuid,
          reason: 'This index is not being managed.',
        });
        continue;
      }
      if (!managed.action?.failed) {
        result.failed_indices.push({
          index_name: index.name,
          index_uuid: index.uuid,
          reason: 'This index is not in failed state.',
        });
        continue;
      }
      if (state !== undefined && !managed.policy.states.some((s) => s.name === state)) {
        result.failed_indices.push({
          index_name: index.name,
          index_uuid: index.uuid,
          reason: `Could not find state [${state}] in the policy.`,
        });
        continue;
      }
      const next: ManagedIndex = {
        ...managed,
        action: { ...managed.action, failed: false, consumed_retries: 0, last_retry_time: this.node.now() },
        info: { message: 'Pending retry of failed managed index' },
        ...(state ? { retryState: state } : {}),
      };
      this.node.commit({ t: 'ism.managed.put', managed: next });
      result.updated_indices++;
    }
    result.failures = result.failed_indices.length > 0;
    return result;
  }

  // ------------------------------------------------------------ explain

  private explainOne(m: ManagedIndex, showPolicy: boolean): Record<string, unknown> {
    const out: Record<string, unknown> = {
      [POLICY_ID_SETTING]: m.policyId,
      [LEGACY_POLICY_ID_SETTING]: m.policyId,
      index: m.index,
      index_uuid: m.indexUuid,
      policy_id: m.policyId,
      enabled: m.enabled,
    };
    const index = this.state.indices.get(m.index);
    if (index) out.index_creation_date = index.creationDate;
    if (m.initialized) {
      out.policy_seq_no = m.policySeqNo;
      out.policy_primary_term = m.policyPrimaryTerm;
      out.rolled_over = m.rolledOver === true;
      if (m.rolledOverTime !== undefined) out.rolled_over_time = m.rolledOverTime;
      if (m.state) out.state = m.state;
      if (m.action) out.action = m.action;
      if (m.step) out.step = m.step;
      out.retry_info = {
        failed: m.action?.failed ?? false,
        consumed_retries: m.action?.consumed_retries ?? 0,
      };
      if (m.policyCompleted) out.policy_completed = true;
    }
    out.info = m.info ?? { message: 'Still initializing, please wait' };
    if (showPolicy) out.policy = m.policy;
    return out;
  }

  explain(
    expression: string | undefined,
    query: Record<string, string>,
    body?: unknown,
  ): Record<string, unknown> {
    const showPolicy = query.show_policy === 'true' || query.show_policy === '';
    const out: Record<string, unknown> = {};
    let total = 0;
    // POST explain (2.12+): `{"filter": {"policy_id", "state", "action_type", "failed"}}`.
    const filter = isObject(body) && isObject(body.filter) ? body.filter : {};
    const keep = (m: ManagedIndex) =>
      (filter.policy_id === undefined || filter.policy_id === m.policyId) &&
      (filter.state === undefined || filter.state === m.state?.name) &&
      (filter.action_type === undefined || filter.action_type === m.action?.name) &&
      (filter.failed === undefined || filter.failed === (m.action?.failed ?? false));
    if (expression === undefined || expression === '') {
      const managed = [...this.state.managed.values()]
        .filter(keep)
        .sort((a, b) => (a.index < b.index ? -1 : 1));
      for (const m of managed) {
        out[m.index] = this.explainOne(m, showPolicy);
        total++;
      }
    } else {
      const indices = this.node.resolve(expression, {
        hidden: true,
        closed: true,
        allowNoIndices: true,
        ignoreUnavailable: false,
      });
      if (indices.length === 0 && !expression.includes('*')) throw indexNotFound(expression);
      for (const index of indices.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const m = this.state.managed.get(index.name);
        if (m && !keep(m)) continue;
        if (m) {
          out[index.name] = this.explainOne(m, showPolicy);
          total++;
        } else {
          out[index.name] = { [POLICY_ID_SETTING]: null, [LEGACY_POLICY_ID_SETTING]: null, enabled: null };
        }
      }
    }
    out.total_managed_indices = total;
    return out;
  }

  // ------------------------------------------------------------ templates

  /** Attaches the policy of the best-matching ism_template to a newly created index. */
  onIndexCreated(index: IndexState): void {
    if (this.state.managed.has(index.name)) return;
    if (settingString(index.settings, 'index.plugins.index_state_management.auto_manage') === 'false') return;
    const policy = matchTemplate(
      [...this.state.ismPolicies.values()].map((r) => r.policy),
      {
        name: index.name,
        creationDate: index.creationDate,
        hidden: settingBool(index.settings, 'index.hidden'),
        ...(index.dataStream === undefined ? {} : { dataStream: index.dataStream }),
      },
    );
    if (!policy) return;
    const record = this.state.ismPolicies.get(policy.policy_id);
    if (record) this.node.commit({ t: 'ism.managed.put', managed: this.newManaged(index, record) });
  }

  // ------------------------------------------------------------ the job

  /** One job run over every managed index, in index name order. */
  runAll(): void {
    const names = [...this.state.managed.keys()].sort();
    for (const name of names) {
      const managed = this.state.managed.get(name);
      if (!managed?.enabled) continue;
      const index = this.state.indices.get(name);
      if (!index) {
        this.node.commit({ t: 'ism.managed.delete', index: name });
        continue;
      }
      try {
        this.step(managed, index);
      } catch (error) {
        // A bug in one index's step must not stop the others.
        const message = error instanceof Error ? error.message : String(error);
        this.node.commit({
          t: 'ism.managed.put',
          managed: { ...managed, info: { message: 'Job run failed', cause: message } },
        });
      }
    }
  }

  private facts(m: ManagedIndex, index: IndexState): IndexFacts {
    const now = this.node.now();
    const creation = Number(settingString(index.settings, 'index.creation_date') ?? index.creationDate);
    let size: number | undefined;
    return {
      now,
      creationDate: Number.isFinite(creation) ? creation : index.creationDate,
      docCount: index.docs.size,
      // Measured only when a condition asks: it serialises every document.
      get sizeBytes() {
        size ??= [...index.docs.values()].reduce(
          (n, d) => n + Buffer.byteLength(JSON.stringify(d.source)),
          0,
        );
        return size;
      },
      ...(m.rolledOverTime === undefined ? {} : { rolloverTime: m.rolledOverTime }),
      stateStartTime: m.state?.start_time ?? now,
    };
  }

  private save(m: ManagedIndex): void {
    // A run that changed nothing but the step's time (waiting on a condition) writes no event:
    // the step keeps the time it started, and the journal does not grow while nothing happens.
    const previous = this.state.managed.get(m.index);
    const sameStep =
      previous?.step &&
      m.step &&
      previous.step.name === m.step.name &&
      previous.step.step_status === m.step.step_status;
    const candidate = sameStep && previous.step ? { ...m, step: previous.step } : m;
    if (previous && JSON.stringify(previous) === JSON.stringify(candidate)) return;
    this.node.commit({ t: 'ism.managed.put', managed: candidate });
  }

  private step(original: ManagedIndex, index: IndexState): void {
    const now = this.node.now();
    let m = original;
    // A policy change waits for a safe point: between actions, while evaluating transitions, or failed.
    const safe =
      !m.initialized ||
      m.action === undefined ||
      m.action.name === 'transition' ||
      m.action.failed ||
      m.step?.step_status === 'completed';
    if (m.pendingChange && safe) {
      const record = this.state.ismPolicies.get(m.pendingChange.policyId);
      if (record) {
        const target =
          m.pendingChange.state ??
          (record.policy.states.some((s) => s.name === m.state?.name) ? m.state?.name : undefined) ??
          record.policy.default_state;
        const { pendingChange: _done, action: _a, step: _s, ...rest } = m;
        this.save({
          ...rest,
          policyId: record.id,
          policySeqNo: record.seqNo,
          policyPrimaryTerm: record.primaryTerm,
          policy: record.policy,
          initialized: true,
          state: { name: target, start_time: now },
          info: { message: `Successfully changed policy to [${record.id}] [index=${index.name}]` },
        });
        return;
      }
    }
    if (!m.initialized) {
      const start = m.policy.default_state;
      this.save({
        ...m,
        initialized: true,
        state: { name: start, start_time: now },
        info: { message: `Successfully initialized policy: ${m.policyId}` },
      });
      return;
    }
    if (m.retryState) {
      const { retryState, action: _a, step: _s, ...rest } = m;
      this.save({
        ...rest,
        state: { name: retryState, start_time: now },
        info: { message: `Retrying from state [${retryState}]` },
      });
      return;
    }
    if (m.action?.failed || m.policyCompleted) return;
    const state = m.policy.states.find((s) => s.name === m.state?.name);
    if (!state) {
      this.save({
        ...m,
        action: {
          name: 'transition',
          start_time: now,
          index: -1,
          failed: true,
          consumed_retries: 0,
          last_retry_time: 0,
        },
        info: { message: `Failed to find state=${m.state?.name ?? ''} in policy=${m.policyId}` },
      });
      return;
    }
    // Which action is next: the current one until it completes, then the following one.
    let actionIndex = 0;
    if (m.action && m.action.index >= 0) {
      actionIndex = m.step?.step_status === 'completed' ? m.action.index + 1 : m.action.index;
    } else if (m.action && m.action.index === -1) {
      actionIndex = state.actions.length; // in transition
    }
    if (actionIndex < state.actions.length) {
      const action = state.actions[actionIndex] as IsmAction;
      this.runAction(m, index, action, actionIndex);
      return;
    }
    // All actions done: transitions.
    if (state.transitions.length === 0) {
      this.save({
        ...m,
        policyCompleted: true,
        info: { message: `Policy has completed [index=${index.name}]` },
      });
      return;
    }
    const transition = nextTransition(state.transitions, this.facts(m, index));
    const transitionAction = {
      name: 'transition',
      start_time: m.action?.index === -1 ? m.action.start_time : now,
      index: -1,
      failed: false,
      consumed_retries: 0,
      last_retry_time: 0,
    };
    if (!transition) {
      m = {
        ...m,
        action: transitionAction,
        step: { name: 'attempt_transition_step', start_time: now, step_status: 'condition_not_met' },
        info: { message: `Evaluating transition conditions [index=${index.name}]` },
      };
      this.save(m);
      return;
    }
    const { action: _a, step: _s, ...rest } = m;
    this.save({
      ...rest,
      state: { name: transition.state_name, start_time: now },
      info: { message: `Transitioning to ${transition.state_name} [index=${index.name}]` },
    });
  }

  private runAction(m: ManagedIndex, index: IndexState, action: IsmAction, actionIndex: number): void {
    const now = this.node.now();
    const type = actionType(action);
    const config = (isObject(action[type]) ? action[type] : {}) as Record<string, unknown>;
    const sameAction = m.action !== undefined && m.action.index === actionIndex && m.action.name === type;
    const current =
      sameAction && m.action
        ? m.action
        : {
            name: type,
            start_time: now,
            index: actionIndex,
            failed: false,
            consumed_retries: 0,
            last_retry_time: 0,
          };
    // Action timeout: a step still not done after `timeout` fails the action.
    if (sameAction && action.timeout !== undefined) {
      const limit = parseTimeoutMs(action.timeout);
      if (limit !== undefined && now - current.start_time > limit) {
        this.save({
          ...m,
          action: { ...current, failed: true },
          step: { name: m.step?.name ?? STEP_NAMES[type] ?? type, start_time: now, step_status: 'failed' },
          info: { message: `Action timed out [index=${index.name}]` },
        });
        return;
      }
    }
    let outcome: StepOutcome;
    let stepName = STEP_NAMES[type] ?? `attempt_${type}`;
    let next: ManagedIndex = { ...m };
    try {
      const r = this.execute(next, index, type, config);
      outcome = r.outcome;
      next = r.managed;
      if (r.stepName) stepName = r.stepName;
    } catch (error) {
      outcome = {
        status: 'failed',
        message: `Failed to ${type.replace(/_/g, ' ')} [index=${index.name}]`,
        cause: error instanceof Error ? error.message : String(error),
      };
    }
    if (!this.state.indices.has(index.name)) return; // deleted by its own action
    const step = { name: stepName, start_time: now, step_status: outcome.status };
    if (outcome.status === 'failed') {
      const retries =
        isObject(action.retry) && action.retry.count !== undefined
          ? Number(action.retry.count)
          : DEFAULT_RETRIES;
      const consumed = current.consumed_retries + 1;
      const exhausted = consumed > retries;
      this.save({
        ...next,
        action: {
          ...current,
          failed: exhausted,
          consumed_retries: exhausted ? current.consumed_retries : consumed,
          last_retry_time: now,
        },
        step,
        info: { message: outcome.message, ...(outcome.cause ? { cause: outcome.cause } : {}) },
      });
      return;
    }
    this.save({
      ...next,
      action: current,
      step,
      info: { message: outcome.message, ...(outcome.extra ?? {}) },
    });
  }

  private execute(
    m: ManagedIndex,
    index: IndexState,
    type: string,
    config: Record<string, unknown>,
  ): { outcome: StepOutcome; managed: ManagedIndex; stepName?: string } {
    const name = index.name;
    const done = (message: string, managed = m): { outcome: StepOutcome; managed: ManagedIndex } => ({
      outcome: { status: 'completed', message },
      managed,
    });
    switch (type) {
      case 'rollover': {
        const stream = index.dataStream ? this.state.dataStreams.get(index.dataStream) : undefined;
        const alias = settingString(index.settings, ROLLOVER_ALIAS_SETTING);
        if (m.rolledOver) return done(`Index has already been rolled over [index=${name}]`);
        let target: string;
        if (stream) {
          if (stream.indices[stream.indices.length - 1] !== name) {
            return done(`Index has already been rolled over [index=${name}]`, { ...m, rolledOver: true });
          }
          target = stream.name;
        } else {
          if (!alias) {
            return {
              outcome: { status: 'failed', message: `Missing rollover_alias index setting [index=${name}]` },
              managed: m,
            };
          }
          const meta = index.aliases[alias];
          if (!meta) {
            return {
              outcome: {
                status: 'failed',
                message: `Rollover alias [${alias}] does not point to index [index=${name}]`,
              },
              managed: m,
            };
          }
          const writers = this.node.aliasIndices(alias);
          const isWrite =
            meta.is_write_index === true || (meta.is_write_index === undefined && writers.length === 1);
          if (!isWrite)
            return done(`Index has already been rolled over [index=${name}]`, { ...m, rolledOver: true });
          target = alias;
        }
        const { met, conditions } = rolloverConditions(config, this.facts(m, index));
        if (!met) {
          return {
            outcome: {
              status: 'condition_not_met',
              message: `Pending rollover of index [index=${name}]`,
              extra: { conditions },
            },
            managed: m,
          };
        }
        this.node.rollover(target, undefined, {}, false);
        return {
          outcome: {
            status: 'completed',
            message: `Successfully rolled over index [index=${name}]`,
            extra: { conditions },
          },
          managed: { ...m, rolledOver: true, rolledOverTime: this.node.now() },
        };
      }
      case 'replica_count': {
        const replicas = Number(config.number_of_replicas);
        this.node.updateSettings([index], { 'index.number_of_replicas': String(replicas) });
        return done(`Successfully set number_of_replicas to ${replicas} [index=${name}]`);
      }
      case 'read_only':
        this.node.updateSettings([index], { 'index.blocks.write': 'true' });
        return done(`Successfully set index to read-only [index=${name}]`);
      case 'read_write':
        this.node.updateSettings([index], { 'index.blocks.write': 'false' });
        return done(`Successfully set index to read-write [index=${name}]`);
      case 'force_merge':
        return { ...done(`Successfully force merged [index=${name}]`), stepName: 'wait_for_force_merge' };
      case 'index_priority':
        this.node.updateSettings([index], { 'index.priority': String(Number(config.priority)) });
        return done(`Successfully set index priority [index=${name}]`);
      case 'allocation': {
        const update: Record<string, string> = {};
        for (const kind of ['require', 'include', 'exclude']) {
          const attrs = config[kind];
          if (!isObject(attrs)) continue;
          for (const [attr, value] of Object.entries(attrs)) {
            Object.defineProperty(update, `index.routing.allocation.${kind}.${attr}`, {
              value: String(value),
              enumerable: true,
              writable: true,
              configurable: true,
            });
          }
        }
        if (Object.keys(update).length > 0) this.node.updateSettings([index], update);
        return done(`Successfully updated allocation [index=${name}]`);
      }
      case 'close':
        this.node.setClosed([index], true);
        return done(`Successfully closed index [index=${name}]`);
      case 'open':
        this.node.setClosed([index], false);
        return done(`Successfully opened index [index=${name}]`);
      case 'notification':
        return done(`Successfully sent notification [index=${name}]`);
      case 'delete':
        this.node.deleteIndices(name, { hidden: true, closed: true });
        return done(`Deleted index [index=${name}]`);
      case 'alias': {
        const actions = Array.isArray(config.actions) ? config.actions : [];
        const bound = actions.map((a) => {
          if (!isObject(a)) throw illegalArgument('alias action must be an object');
          const [kind, raw] = Object.entries(a)[0] ?? [];
          return { [String(kind)]: { ...(isObject(raw) ? raw : {}), index: name } };
        });
        if (bound.length > 0) this.node.updateAliases(bound);
        return done(`Successfully updated aliases [index=${name}]`);
      }
      case 'snapshot': {
        const repository = String(config.repository);
        const pending = m.pendingSnapshot;
        if (!pending) {
          const stamp = new Date(this.node.now()).toISOString().replace(/[:]/g, '.').toLowerCase();
          const snapshot = `${String(config.snapshot)}-${stamp}`.toLowerCase();
          this.snapshots.create(repository, snapshot, { indices: name, include_global_state: false });
          return {
            outcome: {
              status: 'condition_not_met',
              message: `Successfully started snapshot [${snapshot}] [index=${name}]`,
            },
            managed: { ...m, pendingSnapshot: { repository, snapshot } },
            stepName: 'attempt_snapshot',
          };
        }
        const record = this.state.snapshots.get(pending.repository)?.get(pending.snapshot);
        const { pendingSnapshot: _p, ...rest } = m;
        if (!record) {
          return {
            outcome: {
              status: 'failed',
              message: `Snapshot [${pending.snapshot}] is missing [index=${name}]`,
            },
            managed: rest,
            stepName: 'wait_for_snapshot',
          };
        }
        if (record.state === 'IN_PROGRESS') {
          return {
            outcome: {
              status: 'condition_not_met',
              message: `Snapshot [${pending.snapshot}] is in progress [index=${name}]`,
            },
            managed: m,
            stepName: 'wait_for_snapshot',
          };
        }
        if (record.state === 'FAILED') {
          return {
            outcome: {
              status: 'failed',
              message: `Snapshot [${pending.snapshot}] failed [index=${name}]`,
              cause: record.failures[0]?.reason ?? '',
            },
            managed: rest,
            stepName: 'wait_for_snapshot',
          };
        }
        return {
          outcome: {
            status: 'completed',
            message: `Successfully created snapshot [${pending.snapshot}] [index=${name}]`,
          },
          managed: rest,
          stepName: 'wait_for_snapshot',
        };
      }
      default:
        return {
          outcome: {
            status: 'failed',
            message: `Action [${type}] is not supported by the local server [index=${name}]`,
          },
          managed: m,
        };
    }
  }
}

function parseTimeoutMs(raw: unknown): number | undefined {
  const text = isObject(raw) ? raw.timeout : raw;
  if (text === undefined) return undefined;
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(String(text));
  if (!match) return undefined;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[
    match[2] as 'ms' | 's' | 'm' | 'h' | 'd'
  ];
  return Number(match[1]) * unit;
}
