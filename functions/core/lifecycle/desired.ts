// Builds the desired OpenSearch state (component templates, index templates, ISM policies, the
// snapshot repository and, in `sm` mode, the SM policy) from the lifecycle config.
//
// Deletion design: the ISM policy ends in `cold` and never deletes. ISM cannot check that a
// snapshot succeeded and holds every shard, so the lifecycle function deletes an index itself,
// and only after `delete_after` has passed AND a verified, catalogued snapshot holds the index
// (see plan.ts). A stuck or absent function therefore keeps data rather than losing it.
// For the same reason the cold state carries no ISM `snapshot` action: ISM names snapshots with
// a timestamp it picks, while the function's names are deterministic (`<prefix>-<index>-<day>`),
// so a retried run finds the snapshot it already took instead of taking another.

import type { LifecycleConfig, ServiceConfig } from './config.ts';
import { TargetKinds } from './config.ts';

export type Json = Record<string, unknown>;

export interface IsmPolicyBody {
  policy: {
    description: string;
    default_state: string;
    states: Array<{
      name: string;
      actions: Json[];
      transitions: Array<{ state_name: string; conditions?: Json }>;
    }>;
    ism_template: Array<{ index_patterns: string[]; priority: number }>;
  };
}

export interface DesiredState {
  componentTemplates: Record<string, Json>;
  indexTemplates: Record<string, Json>;
  /** Policy id → PUT body. */
  policies: Record<string, IsmPolicyBody>;
  repository: { name: string; body: { type: string; settings: Json } };
  smPolicy: { name: string; body: Json } | null;
  /** What writes go to: the alias (bootstrapped with a first index) or the data stream. */
  targets: Array<{
    service: string;
    kind: ServiceConfig['kind'];
    name: string;
    bootstrapIndex: string | null;
  }>;
}

export const IsmStates = { hot: 'hot', warm: 'warm', cold: 'cold' } as const;

/** Marks what this project manages, so drift reports can tell ours from hand-made objects. */
const META = { managed_by: 'sluice' } as const;

export function mappingsComponentName(config: LifecycleConfig): string {
  return `${config.prefix}-ecs-mappings`;
}

export function settingsComponentName(config: LifecycleConfig, service: ServiceConfig): string {
  return `${config.prefix}-${service.name}-settings`;
}

export function indexTemplateName(config: LifecycleConfig, service: ServiceConfig): string {
  return `${config.prefix}-${service.name}`;
}

export function policyId(config: LifecycleConfig, service: ServiceConfig): string {
  return `${config.prefix}-${service.name}`;
}

/** Index patterns of a service's indices: `<alias>-*` for aliases, the data stream name itself. */
export function indexPatterns(service: ServiceConfig): string[] {
  return service.kind === TargetKinds.dataStream ? [service.target] : [`${service.target}-*`];
}

/** First index behind a write alias: `<alias>-000001`, the form rollover increments. */
export function bootstrapIndexName(service: ServiceConfig): string {
  return `${service.target}-000001`;
}

const keyword = { type: 'keyword', ignore_above: 1024 } as const;

/** ECS fields the ingest writes. Nested `properties` (not dotted names): OpenSearch returns them so. */
export function buildMappingsComponent(): Json {
  return {
    template: {
      mappings: {
        dynamic_templates: [{ strings_as_keyword: { match_mapping_type: 'string', mapping: keyword } }],
        properties: {
          '@timestamp': { type: 'date' },
          message: { type: 'text' },
          log: { properties: { level: keyword, logger: keyword } },
          service: { properties: { name: keyword, environment: keyword } },
          kafka: {
            properties: {
              topic: keyword,
              partition: { type: 'integer' },
              offset: { type: 'long' },
              key: keyword,
            },
          },
          http: {
            properties: {
              request: { properties: { method: keyword, bytes: { type: 'long' } } },
              response: { properties: { status_code: { type: 'short' }, bytes: { type: 'long' } } },
              version: keyword,
            },
          },
          url: { properties: { original: keyword, path: keyword, query: keyword, domain: keyword } },
          source: { properties: { ip: { type: 'ip' }, port: { type: 'integer' } } },
          user_agent: { properties: { original: keyword } },
          // Kept for reprocessing, never searched: not indexed saves disk and CPU.
          event: {
            properties: {
              original: { type: 'keyword', index: false, doc_values: false },
              duration: { type: 'long' },
            },
          },
        },
      },
    },
    _meta: META,
  };
}

export function buildSettingsComponent(service: ServiceConfig): Json {
  const index: Json = {
    number_of_shards: service.shards,
    number_of_replicas: service.replicas.hot,
    refresh_interval: service.refresh_interval,
    priority: service.index_priority.hot,
  };
  // Async translog trades the last seconds of writes on a node crash for throughput; the
  // ingest can redeliver from Kafka, so it is offered, but off unless asked for.
  if (service.translog_durability === 'async') index.translog = { durability: 'async' };
  return { template: { settings: { index } }, _meta: META };
}

export function buildIndexTemplate(config: LifecycleConfig, service: ServiceConfig): Json {
  const body: Json = {
    index_patterns: indexPatterns(service),
    composed_of: [mappingsComponentName(config), settingsComponentName(config, service)],
    // Above OpenSearch's built-in `logs-*-*` style templates, so ours wins for our names.
    priority: 200,
    _meta: { ...META, service: service.name },
  };
  if (service.kind === TargetKinds.dataStream) {
    body.data_stream = { timestamp_field: { name: '@timestamp' } };
  } else {
    body.template = {
      settings: { index: { plugins: { index_state_management: { rollover_alias: service.target } } } },
    };
  }
  return body;
}

function rolloverAction(service: ServiceConfig): Json {
  return { rollover: { ...service.rollover } };
}

export function buildIsmPolicy(config: LifecycleConfig, service: ServiceConfig): IsmPolicyBody {
  const warmActions: Json[] = [
    { replica_count: { number_of_replicas: service.replicas.warm } },
    { read_only: {} },
    { force_merge: { max_num_segments: service.force_merge_segments } },
  ];
  if (service.allocation.warm !== null) {
    warmActions.push({ allocation: { require: { box_type: service.allocation.warm }, wait_for: false } });
  }
  warmActions.push({ index_priority: { priority: service.index_priority.warm } });
  const coldActions: Json[] = [];
  if (service.allocation.cold !== null) {
    coldActions.push({ allocation: { require: { box_type: service.allocation.cold }, wait_for: false } });
  }
  coldActions.push({ replica_count: { number_of_replicas: service.replicas.cold } });
  coldActions.push({ index_priority: { priority: service.index_priority.cold } });
  return {
    policy: {
      description: `${config.prefix}: ${service.name} logs, hot → warm → cold; deleted by the lifecycle function after a verified snapshot`,
      default_state: IsmStates.hot,
      states: [
        {
          name: IsmStates.hot,
          actions: [rolloverAction(service)],
          transitions: [{ state_name: IsmStates.warm, conditions: { min_index_age: service.warm_after } }],
        },
        {
          name: IsmStates.warm,
          actions: warmActions,
          transitions: [{ state_name: IsmStates.cold, conditions: { min_index_age: service.cold_after } }],
        },
        // Final state: see the deletion design at the top of this file.
        { name: IsmStates.cold, actions: coldActions, transitions: [] },
      ],
      ism_template: [{ index_patterns: indexPatterns(service), priority: config.ism.template_priority }],
    },
  };
}

export function buildRepository(config: LifecycleConfig): DesiredState['repository'] {
  return {
    name: config.repository.name,
    body: { type: config.repository.type, settings: { ...config.repository.settings } },
  };
}

/** The SM policy body (`sm` mode): scheduled snapshots of the log indices, never the global state. */
export function buildSmPolicy(config: LifecycleConfig): DesiredState['smPolicy'] {
  const sm = config.snapshot.sm;
  if (config.snapshot.mode !== 'sm' || sm === null) return null;
  const deletion: Json = { condition: { ...sm.deletion.condition } };
  if (sm.deletion.schedule !== undefined) deletion.schedule = sm.deletion.schedule;
  if (sm.deletion.time_limit !== undefined) deletion.time_limit = sm.deletion.time_limit;
  const creation: Json = { schedule: sm.creation.schedule };
  if (sm.creation.time_limit !== undefined) creation.time_limit = sm.creation.time_limit;
  return {
    name: sm.policy_name,
    body: {
      description: `${config.prefix}: scheduled snapshots of ${sm.indices}`,
      creation,
      deletion,
      snapshot_config: {
        repository: config.repository.name,
        indices: sm.indices,
        include_global_state: false,
        ignore_unavailable: true,
        partial: false,
        date_format: 'yyyy.MM.dd-HH.mm',
        timezone: 'UTC',
      },
      enabled: true,
    },
  };
}

export function buildDesiredState(config: LifecycleConfig): DesiredState {
  const componentTemplates: Record<string, Json> = {
    [mappingsComponentName(config)]: buildMappingsComponent(),
  };
  const indexTemplates: Record<string, Json> = {};
  const policies: Record<string, IsmPolicyBody> = {};
  const targets: DesiredState['targets'] = [];
  for (const service of config.services) {
    componentTemplates[settingsComponentName(config, service)] = buildSettingsComponent(service);
    indexTemplates[indexTemplateName(config, service)] = buildIndexTemplate(config, service);
    policies[policyId(config, service)] = buildIsmPolicy(config, service);
    targets.push({
      service: service.name,
      kind: service.kind,
      name: service.target,
      bootstrapIndex: service.kind === TargetKinds.alias ? bootstrapIndexName(service) : null,
    });
  }
  return {
    componentTemplates,
    indexTemplates,
    policies,
    repository: buildRepository(config),
    smPolicy: buildSmPolicy(config),
    targets,
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The service whose alias or data stream owns an index: `<alias>-000042` or `.ds-<stream>-000042`
 * (or any index whose parent data stream is known). Null for indices this project does not manage.
 */
export function serviceOfIndex(
  config: LifecycleConfig,
  index: string,
  dataStream: string | null = null,
): ServiceConfig | null {
  for (const service of config.services) {
    const target = escapeRegExp(service.target);
    if (service.kind === TargetKinds.dataStream) {
      if (dataStream === service.target || new RegExp(`^\\.ds-${target}-\\d+$`).test(index)) return service;
    } else if (new RegExp(`^${target}-\\d+$`).test(index)) {
      return service;
    }
  }
  return null;
}
