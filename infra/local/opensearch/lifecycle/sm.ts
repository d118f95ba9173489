// Snapshot Management: policies (config documents with seq_no/primary_term) and the job that
// creates snapshots on the creation cron and deletes old ones on the deletion cron.
import { randomBytes } from 'node:crypto';
import { getPath } from '../../../../functions/core/pipeline/fields.ts';
import { illegalArgument, OpenSearchError } from '../errors.ts';
import { wildcardMatch } from '../index-name.ts';
import type { LocalNode } from '../node.ts';
import { PRIMARY_TERM } from '../state.ts';
import { nextCronTime, parseCron } from './cron.ts';
import { ISM_INDEX } from './ism.ts';
import {
  type CronSpec,
  type DeletionCondition,
  parseSmPolicy,
  SM_SCHEMA_VERSION,
  selectForDeletion,
  smSnapshotName,
} from './sm-policy.ts';
import type { SnapshotService } from './snapshots.ts';
import type { SmMetadata, SmPolicyRecord, SmStateMetadata } from './types.ts';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The `_id` SM gives a policy document. */
export function smPolicyId(name: string): string {
  return `${name}-sm-policy`;
}

function cronOf(policy: Record<string, unknown>, part: 'creation' | 'deletion'): CronSpec | undefined {
  const section = policy[part];
  if (!isObject(section) || !isObject(section.schedule) || !isObject(section.schedule.cron)) return undefined;
  const { expression, timezone } = section.schedule.cron;
  return typeof expression === 'string'
    ? { expression, timezone: typeof timezone === 'string' ? timezone : 'UTC' }
    : undefined;
}

function nextFire(spec: CronSpec, after: number): number {
  return nextCronTime(parseCron(spec.expression), after, spec.timezone) ?? Number.MAX_SAFE_INTEGER;
}

export class SmService {
  private readonly node: LocalNode;
  private readonly snapshots: SnapshotService;
  private readonly random: () => string;

  constructor(
    node: LocalNode,
    snapshots: SnapshotService,
    random: () => string = () => randomBytes(6).toString('hex').slice(0, 8),
  ) {
    this.node = node;
    this.snapshots = snapshots;
    this.random = random;
  }

  private notFound(): OpenSearchError {
    return new OpenSearchError(404, 'status_exception', 'Snapshot management policy not found');
  }

  private response(record: SmPolicyRecord): Record<string, unknown> {
    return {
      _id: smPolicyId(record.name),
      _version: record.version,
      _seq_no: record.seqNo,
      _primary_term: record.primaryTerm,
      sm_policy: record.policy,
    };
  }

  private initialMeta(name: string, policy: Record<string, unknown>, now: number): SmMetadata {
    const creation = cronOf(policy, 'creation');
    const deletion = cronOf(policy, 'deletion');
    const meta: SmMetadata = {
      name,
      creation: {
        current_state: 'CREATION_START',
        trigger: { time: creation ? nextFire(creation, now) : 0 },
      },
    };
    if (deletion)
      meta.deletion = { current_state: 'DELETION_START', trigger: { time: nextFire(deletion, now) } };
    return meta;
  }

  create(name: string, body: unknown): Record<string, unknown> {
    if (name === '' || name.includes('*') || name.includes(' '))
      throw illegalArgument(`Invalid policy name [${name}]`);
    if (this.node.state.smPolicies.has(name)) {
      throw new OpenSearchError(
        409,
        'version_conflict_engine_exception',
        `[${smPolicyId(name)}]: version conflict, document already exists (current version [${this.node.state.smPolicies.get(name)?.version ?? 1}])`,
      );
    }
    return this.store(name, body, undefined);
  }

  update(name: string, body: unknown, query: Record<string, string>): Record<string, unknown> {
    const existing = this.node.state.smPolicies.get(name);
    if (!existing) throw this.notFound();
    const { if_seq_no: ifSeqNo, if_primary_term: ifTerm } = query;
    if (ifSeqNo === undefined || ifTerm === undefined) {
      throw new OpenSearchError(
        409,
        'version_conflict_engine_exception',
        `[${smPolicyId(name)}]: version conflict, document already exists (current version [${existing.version}])`,
      );
    }
    if (Number(ifSeqNo) !== existing.seqNo || Number(ifTerm) !== existing.primaryTerm) {
      throw new OpenSearchError(
        409,
        'version_conflict_engine_exception',
        `[${smPolicyId(name)}]: version conflict, required seqNo [${ifSeqNo}], primary term [${ifTerm}]. current document has seqNo [${existing.seqNo}] and primary term [${existing.primaryTerm}]`,
      );
    }
    return this.store(name, body, existing);
  }

  private store(name: string, body: unknown, existing: SmPolicyRecord | undefined): Record<string, unknown> {
    const now = this.node.now();
    const parsed = parseSmPolicy(body);
    const enabled = parsed.enabled === true;
    const policy: Record<string, unknown> = {
      name,
      description: parsed.description,
      schema_version: SM_SCHEMA_VERSION,
      creation: parsed.creation,
      ...(parsed.deletion ? { deletion: parsed.deletion } : {}),
      snapshot_config: parsed.snapshot_config,
      schedule: { interval: { start_time: now, period: 1, unit: 'Minutes' } },
      enabled,
      last_updated_time: now,
      enabled_time: enabled ? now : null,
      ...(parsed.notification ? { notification: parsed.notification } : {}),
    };
    if (!enabled) delete policy.enabled_time;
    const record: SmPolicyRecord = {
      name,
      seqNo: this.node.state.configSeqNo + 1,
      primaryTerm: PRIMARY_TERM,
      version: (existing?.version ?? 0) + 1,
      policy,
    };
    this.node.commit({ t: 'sm.policy.put', record });
    this.node.commit({ t: 'sm.meta.put', meta: this.initialMeta(name, policy, now) });
    return this.response(record);
  }

  get(name: string): Record<string, unknown> {
    const record = this.node.state.smPolicies.get(name);
    if (!record) throw this.notFound();
    return this.response(record);
  }

  list(query: Record<string, string>): Record<string, unknown> {
    const text = (query.queryString ?? '*').trim();
    const all = [...this.node.state.smPolicies.values()].filter(
      (r) => text === '' || text === '*' || wildcardMatch(text.includes('*') ? text : `*${text}*`, r.name),
    );
    const desc = query.sortOrder === 'desc';
    // sortField is a path in the listed document (`sm_policy.name`, `sm_policy.last_updated_time`).
    const field = (query.sortField ?? 'sm_policy.name').replace(/\.keyword$/, '');
    const key = (r: SmPolicyRecord) => {
      const v = getPath({ sm_policy: r.policy, _id: smPolicyId(r.name) }, field);
      return typeof v === 'number' ? v : String(v ?? '');
    };
    all.sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const cmp = x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
      return desc ? -cmp : cmp;
    });
    const from = Number(query.from ?? '0');
    const size = Number(query.size ?? '20');
    return {
      policies: all.slice(from, from + size).map((r) => ({
        _id: smPolicyId(r.name),
        _seq_no: r.seqNo,
        _primary_term: r.primaryTerm,
        sm_policy: r.policy,
      })),
      total_policies: all.length,
    };
  }

  delete(name: string): Record<string, unknown> {
    const record = this.node.state.smPolicies.get(name);
    if (!record) throw this.notFound();
    const seqNo = this.node.state.configSeqNo + 1;
    this.node.commit({ t: 'sm.policy.delete', name, seqNo });
    return {
      _index: ISM_INDEX,
      _id: smPolicyId(name),
      _version: record.version + 1,
      result: 'deleted',
      forced_refresh: true,
      _shards: { total: 2, successful: 1, failed: 0 },
      _seq_no: seqNo,
      _primary_term: PRIMARY_TERM,
    };
  }

  setEnabled(name: string, enabled: boolean): Record<string, unknown> {
    const record = this.node.state.smPolicies.get(name);
    if (!record) throw this.notFound();
    const now = this.node.now();
    if (record.policy.enabled !== enabled) {
      const policy: Record<string, unknown> = { ...record.policy, enabled, last_updated_time: now };
      if (enabled) policy.enabled_time = now;
      else delete policy.enabled_time;
      this.node.commit({
        t: 'sm.policy.put',
        record: { ...record, policy, seqNo: this.node.state.configSeqNo + 1, version: record.version + 1 },
      });
      // A started policy schedules from now, not from when it was stopped.
      if (enabled) this.node.commit({ t: 'sm.meta.put', meta: this.initialMeta(name, policy, now) });
    }
    return { acknowledged: true };
  }

  explain(expression: string): Record<string, unknown> {
    const patterns = expression.split(',').map((s) => s.trim());
    const records = [...this.node.state.smPolicies.values()].filter((r) =>
      patterns.some((p) => wildcardMatch(p, r.name)),
    );
    return {
      policies: records.map((r) => {
        const meta = this.node.state.smMeta.get(r.name);
        const out: Record<string, unknown> = { name: r.name };
        if (meta) {
          out.creation = meta.creation;
          if (meta.deletion) out.deletion = meta.deletion;
        }
        out.policy_seq_no = r.seqNo;
        out.policy_primary_term = r.primaryTerm;
        out.enabled = r.policy.enabled === true;
        return out;
      }),
    };
  }

  /** One job run: every enabled policy whose creation or deletion time has come. */
  runAll(): void {
    const now = this.node.now();
    for (const record of [...this.node.state.smPolicies.values()].sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (record.policy.enabled !== true) continue;
      let meta = this.node.state.smMeta.get(record.name) ?? this.initialMeta(record.name, record.policy, now);
      meta = this.runCreation(record, meta, now);
      meta = this.runDeletion(record, meta, now);
      if (JSON.stringify(meta) !== JSON.stringify(this.node.state.smMeta.get(record.name)))
        this.node.commit({ t: 'sm.meta.put', meta });
    }
  }

  private runCreation(record: SmPolicyRecord, meta: SmMetadata, now: number): SmMetadata {
    const spec = cronOf(record.policy, 'creation');
    if (!spec) return meta;
    let creation: SmStateMetadata = meta.creation;
    // Finish the bookkeeping of a snapshot started by an earlier run.
    const latest = creation.latest_execution;
    if (latest?.status === 'IN_PROGRESS') {
      const name = latest.info?.message?.match(/\[(.+)\]/)?.[1];
      const repo = String((record.policy.snapshot_config as Record<string, unknown>).repository);
      const s = name ? this.node.state.snapshots.get(repo)?.get(name) : undefined;
      if (s?.state !== 'IN_PROGRESS') {
        creation = {
          ...creation,
          current_state: 'CREATION_FINISHED',
          latest_execution: {
            ...latest,
            status: s && (s.state === 'SUCCESS' || s.state === 'PARTIAL') ? 'SUCCESS' : 'FAILED',
            end_time: now,
          },
        };
      }
    }
    if (now < creation.trigger.time) return { ...meta, creation };
    const config = record.policy.snapshot_config as Record<string, unknown>;
    const name = smSnapshotName(
      record.name,
      now,
      String(config.date_format ?? "yyyy-MM-dd'T'HH:mm:ss"),
      String(config.timezone ?? 'UTC'),
      this.random(),
    );
    let execution: SmStateMetadata['latest_execution'];
    try {
      this.snapshots.create(
        String(config.repository),
        name,
        {
          indices: config.indices ?? '*',
          ignore_unavailable: config.ignore_unavailable ?? false,
          include_global_state: config.include_global_state ?? true,
          partial: config.partial ?? false,
        },
        { ...(isObject(config.metadata) ? config.metadata : {}), sm_policy: record.name },
      );
      execution = {
        status: 'IN_PROGRESS',
        start_time: now,
        info: { message: `Creating snapshot [${name}]` },
      };
    } catch (error) {
      execution = {
        status: 'FAILED',
        start_time: now,
        end_time: now,
        info: {
          message: `Caught exception while creating snapshot [${name}]`,
          cause: error instanceof Error ? error.message : String(error),
        },
      };
    }
    return {
      ...meta,
      creation: {
        current_state: 'CREATING',
        trigger: { time: nextFire(spec, now) },
        latest_execution: execution,
      },
    };
  }

  private runDeletion(record: SmPolicyRecord, meta: SmMetadata, now: number): SmMetadata {
    const deletion = record.policy.deletion;
    const spec = cronOf(record.policy, 'deletion');
    if (!isObject(deletion) || !spec || !meta.deletion || now < meta.deletion.trigger.time) return meta;
    const repo = String((record.policy.snapshot_config as Record<string, unknown>).repository);
    const mine = this.snapshots
      .snapshots(repo)
      .filter(
        (s) => s.metadata?.sm_policy === record.name && (s.state === 'SUCCESS' || s.state === 'PARTIAL'),
      );
    const doomed = selectForDeletion(mine, deletion.condition as DeletionCondition, now);
    let execution: SmStateMetadata['latest_execution'] = {
      status: 'SUCCESS',
      start_time: now,
      end_time: now,
      info: {
        message:
          doomed.length === 0
            ? 'No snapshots to delete'
            : `Deleting snapshots [${doomed.map((s) => s.name).join(', ')}]`,
      },
    };
    if (doomed.length > 0) {
      execution = { ...execution, status: 'IN_PROGRESS' };
      delete execution.end_time;
      this.snapshots.track(this.snapshots.delete(repo, doomed.map((s) => s.name).join(','))).catch(() => {});
    }
    return {
      ...meta,
      deletion: {
        current_state: 'DELETING',
        trigger: { time: nextFire(spec, now) },
        latest_execution: execution,
      },
    };
  }
}
