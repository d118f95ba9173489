// The single node: index, alias, template and data stream operations and document writes, over
// the ClusterState. Every change goes through commit(), so it is journaled before the answer.
import { randomBytes } from 'node:crypto';
import { setOwn } from '../../../functions/core/pipeline/fields.ts';
import type { BulkOp } from './bulk-parser.ts';
import type { Clock } from './clock.ts';
import { resolveDateMathName } from './date-math-name.ts';
import {
  alreadyExists,
  illegalArgument,
  indexNotFound,
  OpenSearchError,
  resourceNotFound,
  validationError,
} from './errors.ts';
import { indexNameProblem, validateIndexName, wildcardMatch } from './index-name.ts';
import type { Journal } from './journal.ts';
import {
  checkFieldLimit,
  fieldType,
  type Mappings,
  mapDocument,
  mergeMappings,
  validateMappings,
} from './mapping.ts';
import { backingIndexName, evaluateConditions, nextRolloverName } from './rollover.ts';
import {
  FINAL_SETTINGS,
  type FlatSettings,
  flattenSettings,
  mergeSettings,
  settingBool,
  settingString,
} from './settings.ts';
import {
  type AliasMeta,
  type ClusterEvent,
  ClusterState,
  type DataStreamState,
  type DocRecord,
  type IndexState,
  PRIMARY_TERM,
} from './state.ts';
import { composeTemplate, findTemplate, type IndexTemplate } from './templates.ts';
import { parseTimeValue } from './units.ts';

export const NODE_NAME = 'sluice-local';
export const NODE_ID = 'c2x1aWNlLWxvY2FsLW5vZGU';
// OpenSearch 2.19.0 as an index version id (2_19_00_99 with the OpenSearch mask bit).
const VERSION_CREATED = String(2190099 ^ 0x08000000);

export function newUuid(): string {
  return randomBytes(16).toString('base64url');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Partial-document merge of `_update`: objects merge recursively, everything else replaces. */
function deepMerge(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    const current = Object.hasOwn(out, key) ? out[key] : undefined;
    setOwn(out, key, isObject(current) && isObject(value) ? deepMerge(current, value) : value);
  }
  return out;
}

export interface WriteRequest {
  op: BulkOp;
  target: string;
  id: string | undefined;
  meta: Record<string, unknown>;
  source?: unknown;
  sourceError?: string;
}

export interface WriteResult {
  status: number;
  index: IndexState;
  body: Record<string, unknown>;
}

export interface ResolveOptions {
  ignoreUnavailable?: boolean;
  allowNoIndices?: boolean;
  /** Wildcards also expand to hidden indices (expand_wildcards=all|hidden). */
  hidden?: boolean;
  /** Wildcards also expand to closed indices (expand_wildcards=all|closed). */
  closed?: boolean;
  /** Resolve aliases and data streams (false for index-only APIs such as delete). */
  aliases?: boolean;
}

export class LocalNode {
  readonly state = new ClusterState();
  readonly clock: Clock;
  readonly realNow: () => number;
  private journal: Journal | undefined;
  private pending: ClusterEvent[] = [];
  /** Called after an index is created by a request (not on journal replay): ISM templates attach here. */
  onIndexCreated: ((index: IndexState) => void) | undefined;

  constructor(clock: Clock, realNow: () => number = Date.now) {
    this.clock = clock;
    this.realNow = realNow;
    this.state.clockNow = () => this.clock.now();
    this.state.realNow = realNow;
  }

  attachJournal(journal: Journal): void {
    this.journal = journal;
    if (this.state.clusterUuid === '') this.commit({ t: 'cluster.init', uuid: newUuid() });
    this.flush();
  }

  init(): void {
    if (this.state.clusterUuid === '') this.commit({ t: 'cluster.init', uuid: newUuid() });
    this.pending = [];
  }

  commit(event: ClusterEvent): void {
    this.state.apply(event);
    this.pending.push(event);
  }

  /** Writes the journal for everything committed by this request; called before answering. */
  flush(): void {
    const events = this.pending;
    this.pending = [];
    this.journal?.append(events);
  }

  closeJournal(): void {
    this.flush();
    this.journal?.close();
    this.journal = undefined;
  }

  // ---------------------------------------------------------------- name resolution

  aliasIndices(alias: string): IndexState[] {
    return [...this.state.indices.values()].filter((i) => Object.hasOwn(i.aliases, alias));
  }

  allAliasNames(): Set<string> {
    const names = new Set<string>();
    for (const i of this.state.indices.values()) for (const a of Object.keys(i.aliases)) names.add(a);
    return names;
  }

  private isHidden(index: IndexState): boolean {
    return settingBool(index.settings, 'index.hidden');
  }

  /** Resolves a read expression (`a,b*,-c`, aliases, data streams, `_all`) to indices. */
  resolve(expression: string | undefined, options: ResolveOptions = {}): IndexState[] {
    const useAliases = options.aliases ?? true;
    const parts =
      expression === undefined || expression === '' || expression === '_all' ? ['*'] : expression.split(',');
    const result = new Map<string, IndexState>();
    parts.forEach((raw, position) => {
      const part = resolveDateMathName(raw.trim(), this.clock.now());
      if (part === '') return;
      if (part.startsWith('-') && position > 0) {
        for (const index of this.resolve(part.slice(1), {
          ...options,
          ignoreUnavailable: true,
          allowNoIndices: true,
        })) {
          result.delete(index.name);
        }
        return;
      }
      const name = part === '_all' ? '*' : part;
      if (name.includes('*')) {
        let matched = false;
        for (const index of this.state.indices.values()) {
          if (
            wildcardMatch(name, index.name) &&
            (options.hidden || !this.isHidden(index) || name.startsWith('.'))
          ) {
            result.set(index.name, index);
            matched = true;
          }
        }
        if (useAliases) {
          for (const alias of this.allAliasNames()) {
            if (!wildcardMatch(name, alias)) continue;
            for (const index of this.aliasIndices(alias)) result.set(index.name, index);
            matched = true;
          }
          for (const stream of this.state.dataStreams.values()) {
            if (!wildcardMatch(name, stream.name)) continue;
            for (const backing of stream.indices) {
              const index = this.state.indices.get(backing);
              if (index) result.set(index.name, index);
            }
            matched = true;
          }
        }
        if (!matched && options.allowNoIndices === false) throw indexNotFound(name);
        return;
      }
      const index = this.state.indices.get(name);
      if (index) {
        result.set(name, index);
        return;
      }
      if (useAliases) {
        const stream = this.state.dataStreams.get(name);
        if (stream) {
          for (const backing of stream.indices) {
            const b = this.state.indices.get(backing);
            if (b) result.set(b.name, b);
          }
          return;
        }
        const aliased = this.aliasIndices(name);
        if (aliased.length > 0) {
          for (const a of aliased) result.set(a.name, a);
          return;
        }
      } else if (this.aliasIndices(name).length > 0) {
        throw illegalArgument(
          `The provided expression [${name}] matches an alias, specify the corresponding concrete indices instead.`,
        );
      }
      if (!options.ignoreUnavailable) throw indexNotFound(name);
    });
    if (result.size === 0 && options.allowNoIndices === false && expression) throw indexNotFound(expression);
    return [...result.values()];
  }

  /**
   * Alias filters of a read expression, per index: an index reached only through filtered aliases
   * sees the OR of their filters; one named directly or through an unfiltered alias sees all.
   */
  aliasFilters(expression: string | undefined): Map<string, unknown[]> {
    const filters = new Map<string, unknown[]>();
    const unfiltered = new Set<string>();
    const parts = expression === undefined ? ['*'] : expression.split(',');
    for (const raw of parts) {
      const part = raw.trim();
      if (part.startsWith('-')) continue;
      if (
        part.includes('*') ||
        part === '_all' ||
        this.state.indices.has(part) ||
        this.state.dataStreams.has(part)
      ) {
        for (const index of this.resolve(part, { ignoreUnavailable: true, allowNoIndices: true }))
          unfiltered.add(index.name);
        continue;
      }
      for (const index of this.aliasIndices(part)) {
        const filter = index.aliases[part]?.filter;
        if (filter === undefined) unfiltered.add(index.name);
        else filters.set(index.name, [...(filters.get(index.name) ?? []), filter]);
      }
    }
    for (const name of unfiltered) filters.delete(name);
    return filters;
  }

  /** The single index a by-id read addresses (an index, or an alias with one index). */
  resolveSingle(expression: string): IndexState {
    const name = resolveDateMathName(expression, this.clock.now());
    const index = this.state.indices.get(name);
    if (index) return index;
    const stream = this.state.dataStreams.get(name);
    if (stream) {
      throw illegalArgument(
        `index request on data stream [${name}] is not supported: use the backing index name instead`,
      );
    }
    const aliased = this.aliasIndices(name);
    if (aliased.length === 1 && aliased[0]) return aliased[0];
    if (aliased.length > 1) {
      throw illegalArgument(
        `alias [${name}] has more than one index associated with it [${aliased.map((i) => i.name).join(', ')}], can't execute a single index op`,
      );
    }
    throw indexNotFound(name);
  }

  writeIndexOfAlias(alias: string): IndexState {
    const indices = this.aliasIndices(alias);
    const explicit = indices.filter((i) => i.aliases[alias]?.is_write_index === true);
    if (explicit.length === 1 && explicit[0]) return explicit[0];
    if (indices.length === 1 && indices[0] && indices[0].aliases[alias]?.is_write_index !== false)
      return indices[0];
    throw illegalArgument(
      `no write index is defined for alias [${alias}]. The write index may be explicitly disabled using is_write_index=false or the alias points to multiple indices without one being designated as a write index`,
    );
  }

  /** The index a write goes to, creating it (or its data stream) when missing, as auto-create does. */
  resolveWriteTarget(
    target: string,
    requireAlias = false,
  ): { index: IndexState; dataStream?: DataStreamState } {
    const name = resolveDateMathName(target, this.clock.now());
    const stream = this.state.dataStreams.get(name);
    if (stream) {
      const backing = stream.indices[stream.indices.length - 1];
      const index = backing === undefined ? undefined : this.state.indices.get(backing);
      if (!index) throw indexNotFound(name);
      return { index, dataStream: stream };
    }
    if (this.aliasIndices(name).length > 0) return { index: this.writeIndexOfAlias(name) };
    if (requireAlias) {
      throw new OpenSearchError(
        404,
        'index_not_found_exception',
        `no such index [${name}] and [require_alias] request flag is [true] and [${name}] is not an alias`,
        {
          extra: { index_uuid: '_na_', index: name },
        },
      );
    }
    const existing = this.state.indices.get(name);
    if (existing) return { index: existing };
    validateIndexName(name);
    const found = findTemplate(name, this.state.templates);
    if (found?.template.data_stream) {
      const created = this.createDataStream(name);
      const index = this.state.indices.get(created.indices[0] ?? '');
      if (!index) throw indexNotFound(name);
      return { index, dataStream: created };
    }
    return { index: this.createIndex(name, {}) };
  }

  // ---------------------------------------------------------------- indices

  private nameTaken(name: string): void {
    const existing = this.state.indices.get(name);
    if (existing) throw alreadyExists(name, existing.uuid);
    if (this.state.dataStreams.has(name)) {
      throw new OpenSearchError(
        400,
        'resource_already_exists_exception',
        `data stream [${name}] already exists`,
        {
          extra: { index: name },
        },
      );
    }
    if (this.allAliasNames().has(name)) {
      throw new OpenSearchError(
        400,
        'invalid_index_name_exception',
        `Invalid index name [${name}], already exists as alias`,
        {
          extra: { index_uuid: '_na_', index: name },
        },
      );
    }
  }

  private validateSettings(settings: FlatSettings): void {
    const int = (key: string, min: number) => {
      const v = settingString(settings, key);
      if (v === undefined) return;
      const n = Number(v);
      if (!Number.isInteger(n)) throw illegalArgument(`Failed to parse value [${v}] for setting [${key}]`);
      if (n < min)
        throw illegalArgument(`Failed to parse value [${v}] for setting [${key}] must be >= ${min}`);
    };
    int('index.number_of_shards', 1);
    int('index.number_of_replicas', 0);
    int('index.mapping.total_fields.limit', 0);
    const refresh = settingString(settings, 'index.refresh_interval');
    if (refresh !== undefined) parseTimeValue(refresh, 'index.refresh_interval');
  }

  private buildAliases(name: string, raw: unknown): Record<string, AliasMeta> {
    const out: Record<string, AliasMeta> = {};
    if (raw === undefined || raw === null) return out;
    if (!isObject(raw)) throw illegalArgument('aliases must be an object');
    for (const [alias, def] of Object.entries(raw)) {
      this.checkAliasName(alias, name);
      setOwn(out, alias, isObject(def) ? this.aliasMeta(def) : {});
    }
    return out;
  }

  private checkAliasName(alias: string, index: string): void {
    const problem = indexNameProblem(alias);
    if (problem) {
      throw new OpenSearchError(
        400,
        'invalid_alias_name_exception',
        `Invalid alias name [${alias}]: ${problem.message.replace(/^Invalid index name \[[^\]]*\], /, '')}`,
      );
    }
    if (alias === index || this.state.indices.has(alias) || this.state.dataStreams.has(alias)) {
      throw new OpenSearchError(
        400,
        'invalid_alias_name_exception',
        `Invalid alias name [${alias}], an index or data stream exists with the same name as the alias`,
        {
          extra: { index_uuid: '_na_', index: alias },
        },
      );
    }
  }

  private aliasMeta(def: Record<string, unknown>): AliasMeta {
    const meta: AliasMeta = {};
    if (def.is_write_index !== undefined && def.is_write_index !== null)
      meta.is_write_index = def.is_write_index === true || def.is_write_index === 'true';
    if (def.is_hidden !== undefined) meta.is_hidden = def.is_hidden === true || def.is_hidden === 'true';
    if (def.filter !== undefined) meta.filter = def.filter;
    if (def.routing !== undefined) meta.routing = String(def.routing);
    if (def.index_routing !== undefined) meta.index_routing = String(def.index_routing);
    if (def.search_routing !== undefined) meta.search_routing = String(def.search_routing);
    return meta;
  }

  /** Checks that no alias ends up with two write indices. */
  private checkWriteIndices(): void {
    const writers = new Map<string, string[]>();
    for (const index of this.state.indices.values()) {
      for (const [alias, meta] of Object.entries(index.aliases)) {
        if (meta.is_write_index) writers.set(alias, [...(writers.get(alias) ?? []), index.name]);
      }
    }
    for (const [alias, names] of writers) {
      if (names.length > 1)
        throw illegalArgument(`alias [${alias}] has more than one write index [${names.join(',')}]`);
    }
  }

  createIndex(
    requested: string,
    body: unknown,
    options: { dataStream?: string; template?: IndexTemplate } = {},
  ): IndexState {
    const name = resolveDateMathName(requested, this.clock.now());
    if (!options.dataStream) validateIndexName(name);
    this.nameTaken(name);
    if (body !== undefined && body !== null && !isObject(body))
      throw illegalArgument('index body must be an object');
    const request = (body ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(request)) {
      if (!['settings', 'mappings', 'aliases'].includes(key)) {
        throw new OpenSearchError(400, 'parse_exception', `unknown key [${key}] for create index`);
      }
    }
    const found = findTemplate(name, this.state.templates);
    if (found?.template.data_stream && !options.dataStream) {
      throw illegalArgument(
        `cannot create index with name [${name}], because it matches with template [${found.name}] that creates data streams only, use create data stream api instead`,
      );
    }
    const resolved = found ? composeTemplate(found.name, found.template, this.state.components) : undefined;
    const now = this.clock.now();
    const uuid = newUuid();
    let settings: FlatSettings = {
      'index.number_of_shards': '1',
      'index.number_of_replicas': '1',
    };
    settings = mergeSettings(settings, flattenSettings(resolved?.settings ?? {}));
    settings = mergeSettings(settings, flattenSettings(request.settings));
    if (options.dataStream) settings['index.hidden'] = 'true';
    this.validateSettings(settings);
    settings = mergeSettings(settings, {
      'index.creation_date': String(now),
      'index.uuid': uuid,
      'index.version.created': VERSION_CREATED,
      'index.provided_name': name,
    });
    let mappings: Mappings = resolved?.mappings ?? {};
    if (request.mappings !== undefined)
      mappings = mergeMappings(mappings, validateMappings(request.mappings));
    if (options.dataStream) {
      const stream = this.state.dataStreams.get(options.dataStream);
      const tsField =
        stream?.timestampField ?? found?.template.data_stream?.timestamp_field?.name ?? '@timestamp';
      if (fieldType(mappings, tsField) === undefined) {
        mappings = mergeMappings(
          mappings,
          tsField
            .split('.')
            .reduceRight<Mappings>((inner, part) => ({ properties: { [part]: inner } }), { type: 'date' }),
        );
      }
    }
    checkFieldLimit(mappings, Number(settingString(settings, 'index.mapping.total_fields.limit') ?? '1000'));
    this.checkShardLimit(1 + Number(settingString(settings, 'index.number_of_replicas') ?? '0'));
    const aliases = {
      ...this.buildAliases(name, options.dataStream ? {} : resolved?.aliases),
      ...this.buildAliases(name, request.aliases),
    };
    this.commit({
      t: 'index.create',
      name,
      uuid,
      creationDate: now,
      settings,
      mappings,
      aliases,
      ...(options.dataStream ? { dataStream: options.dataStream } : {}),
    });
    try {
      this.checkWriteIndices();
    } catch (error) {
      this.commit({ t: 'index.delete', name });
      throw error;
    }
    const created = this.state.mustIndex(name);
    this.onIndexCreated?.(created);
    return created;
  }

  /** cluster.max_shards_per_node (default 1000) times the one data node, counting replicas too. */
  private checkShardLimit(adding: number): void {
    const { persistent, transient } = this.state.clusterSettings;
    const limit = Number(
      transient['cluster.max_shards_per_node'] ?? persistent['cluster.max_shards_per_node'] ?? '1000',
    );
    let open = 0;
    for (const index of this.state.indices.values()) {
      if (!index.closed) open += 1 + Number(settingString(index.settings, 'index.number_of_replicas') ?? '0');
    }
    if (open + adding > limit) {
      throw new OpenSearchError(
        400,
        'validation_exception',
        `Validation Failed: 1: this action would add [${adding}] total shards, but this cluster currently has [${open}]/[${limit}] maximum shards open;`,
      );
    }
  }

  deleteIndices(expression: string, options: ResolveOptions): string[] {
    const indices = this.resolve(expression, { ...options, aliases: false, hidden: options.hidden ?? false });
    for (const index of indices) {
      if (index.dataStream) {
        const stream = this.state.dataStreams.get(index.dataStream);
        if (stream && stream.indices[stream.indices.length - 1] === index.name) {
          throw illegalArgument(
            `index [${index.name}] is the write index for data stream [${stream.name}] and cannot be deleted`,
          );
        }
      }
    }
    for (const index of indices) {
      this.commit({ t: 'index.delete', name: index.name });
      if (index.dataStream) {
        const stream = this.state.dataStreams.get(index.dataStream);
        if (stream) {
          this.commit({
            t: 'datastream.put',
            stream: { ...stream, indices: stream.indices.filter((n) => n !== index.name) },
          });
        }
      }
    }
    return indices.map((i) => i.name);
  }

  updateSettings(indices: IndexState[], body: unknown, preserveExisting = false): void {
    const raw = isObject(body) && isObject(body.settings) ? body.settings : body;
    const update = flattenSettings(raw);
    if (Object.keys(update).length === 0) throw validationError('no settings to update');
    for (const key of Object.keys(update)) {
      if (FINAL_SETTINGS.has(key))
        throw illegalArgument(`final ${indices[0]?.name ?? ''} setting [${key}], not updateable`);
    }
    for (const index of indices) {
      const filtered = preserveExisting
        ? Object.fromEntries(Object.entries(update).filter(([k]) => index.settings[k] === undefined))
        : update;
      const next = mergeSettings(index.settings, filtered);
      this.validateSettings(next);
      this.commit({ t: 'index.settings', name: index.name, settings: next });
    }
  }

  putMapping(indices: IndexState[], body: unknown): void {
    const update = validateMappings(body);
    const next = indices.map((index) => {
      const mappings = mergeMappings(index.mappings, update);
      checkFieldLimit(
        mappings,
        Number(settingString(index.settings, 'index.mapping.total_fields.limit') ?? '1000'),
      );
      return { index, mappings };
    });
    for (const { index, mappings } of next) this.commit({ t: 'index.mappings', name: index.name, mappings });
  }

  // ---------------------------------------------------------------- aliases

  updateAliases(actions: unknown): void {
    if (!Array.isArray(actions) || actions.length === 0) throw validationError('no actions specified');
    const next = new Map<string, Record<string, AliasMeta>>();
    const current = (index: IndexState) => next.get(index.name) ?? { ...index.aliases };
    const removed = new Set<string>();
    const names = (one: unknown, many: unknown): string[] => {
      const list = many ?? one;
      return Array.isArray(list) ? list.map(String) : list === undefined ? [] : String(list).split(',');
    };
    for (const entry of actions) {
      if (!isObject(entry)) throw illegalArgument('alias action must be an object');
      const [type, raw] = Object.entries(entry)[0] ?? [];
      if (!isObject(raw)) throw illegalArgument(`[${String(type)}] alias action must be an object`);
      const indexNames = names(raw.index, raw.indices);
      if (indexNames.length === 0) throw validationError('One of [index] or [indices] is required');
      const targets = indexNames.flatMap((n) =>
        this.resolve(n, { aliases: false, allowNoIndices: false, hidden: true }),
      );
      if (type === 'remove_index') {
        for (const t of targets) removed.add(t.name);
        continue;
      }
      const aliasNames = names(raw.alias, raw.aliases);
      if (aliasNames.length === 0) throw validationError('One of [alias] or [aliases] is required');
      for (const target of targets) {
        const aliases = current(target);
        if (type === 'add') {
          for (const alias of aliasNames) {
            this.checkAliasName(alias, target.name);
            setOwn(aliases, alias, this.aliasMeta(raw));
          }
        } else if (type === 'remove') {
          const matched = Object.keys(aliases).filter((a) => aliasNames.some((p) => wildcardMatch(p, a)));
          if (matched.length === 0 && raw.must_exist !== false) {
            throw new OpenSearchError(
              404,
              'aliases_not_found_exception',
              `aliases [${aliasNames.join(',')}] missing`,
              {
                extra: { 'resource.type': 'aliases', 'resource.id': aliasNames.join(',') },
              },
            );
          }
          for (const a of matched) delete aliases[a];
        } else {
          throw illegalArgument(`unknown alias action [${String(type)}]`);
        }
        next.set(target.name, aliases);
      }
    }
    // Validate the result before committing anything: actions are atomic.
    const writers = new Map<string, number>();
    for (const index of this.state.indices.values()) {
      if (removed.has(index.name)) continue;
      for (const [alias, meta] of Object.entries(next.get(index.name) ?? index.aliases)) {
        if (meta.is_write_index) writers.set(alias, (writers.get(alias) ?? 0) + 1);
      }
    }
    for (const [alias, count] of writers) {
      if (count > 1) throw illegalArgument(`alias [${alias}] has more than one write index`);
    }
    for (const [name, aliases] of next) {
      if (!removed.has(name)) this.commit({ t: 'index.aliases', name, aliases });
    }
    for (const name of removed) this.commit({ t: 'index.delete', name });
  }

  // ---------------------------------------------------------------- data streams

  createDataStream(name: string): DataStreamState {
    validateIndexName(name);
    if (this.state.dataStreams.has(name)) {
      throw new OpenSearchError(
        400,
        'resource_already_exists_exception',
        `data_stream [${name}] already exists`,
      );
    }
    if (this.state.indices.has(name) || this.allAliasNames().has(name)) {
      throw new OpenSearchError(
        400,
        'resource_already_exists_exception',
        `index or alias [${name}] already exists`,
      );
    }
    const found = findTemplate(name, this.state.templates);
    if (!found?.template.data_stream) {
      throw illegalArgument(`no matching index template found for data stream [${name}]`);
    }
    const stream: DataStreamState = {
      name,
      timestampField: found.template.data_stream.timestamp_field?.name ?? '@timestamp',
      indices: [backingIndexName(name, 1)],
      generation: 1,
      template: found.name,
    };
    this.commit({ t: 'datastream.put', stream });
    this.createIndex(backingIndexName(name, 1), {}, { dataStream: name });
    return stream;
  }

  deleteDataStreams(expression: string): void {
    const names = expression.split(',');
    const streams = [...this.state.dataStreams.values()].filter((s) =>
      names.some((n) => wildcardMatch(n, s.name)),
    );
    if (streams.length === 0 && names.some((n) => !n.includes('*'))) {
      throw resourceNotFound(`data_streams matching [${expression}] not found`);
    }
    for (const stream of streams) {
      for (const backing of stream.indices) {
        if (this.state.indices.has(backing)) this.commit({ t: 'index.delete', name: backing });
      }
      this.commit({ t: 'datastream.delete', name: stream.name });
    }
  }

  // ---------------------------------------------------------------- rollover

  rollover(
    target: string,
    newName: string | undefined,
    body: unknown,
    dryRun: boolean,
  ): Record<string, unknown> {
    const request = isObject(body) ? body : {};
    const conditions = isObject(request.conditions) ? request.conditions : {};
    const stream = this.state.dataStreams.get(target);
    let old: IndexState;
    let next: string;
    if (stream) {
      const last = stream.indices[stream.indices.length - 1];
      old = this.state.mustIndex(last ?? '');
      next = backingIndexName(stream.name, stream.generation + 1);
    } else {
      const aliased = this.aliasIndices(target);
      if (aliased.length === 0) {
        if (this.state.indices.has(target)) {
          throw illegalArgument(
            `rollover target is a [concrete index] but one of [alias,data_stream] was expected`,
          );
        }
        throw illegalArgument(`rollover target [${target}] does not exist`);
      }
      try {
        old = this.writeIndexOfAlias(target);
      } catch {
        throw illegalArgument(`rollover target [${target}] does not point to a write index`);
      }
      next = newName ?? nextRolloverName(old.name);
    }
    const now = this.clock.now();
    const sizeBytes = [...old.docs.values()].reduce(
      (sum, d) => sum + Buffer.byteLength(JSON.stringify(d.source)),
      0,
    );
    const results = evaluateConditions(conditions, {
      ageMs: now - old.creationDate,
      docs: old.docs.size,
      sizeBytes,
    });
    const met = Object.keys(results).length === 0 || Object.values(results).some(Boolean);
    const answer = {
      acknowledged: false,
      shards_acknowledged: false,
      old_index: old.name,
      new_index: next,
      rolled_over: false,
      dry_run: dryRun,
      conditions: results,
    };
    if (dryRun || !met) return answer;
    if (stream) {
      const updated = { ...stream, indices: [...stream.indices, next], generation: stream.generation + 1 };
      this.commit({ t: 'datastream.put', stream: updated });
      this.createIndex(
        next,
        { settings: request.settings, mappings: request.mappings },
        { dataStream: stream.name },
      );
    } else {
      const oldMeta = old.aliases[target] ?? {};
      const explicitWriter = oldMeta.is_write_index === true;
      const createBody: Record<string, unknown> = {};
      if (request.settings !== undefined) createBody.settings = request.settings;
      if (request.mappings !== undefined) createBody.mappings = request.mappings;
      if (request.aliases !== undefined) createBody.aliases = request.aliases;
      // Move the alias first so the new index may carry it as its write index.
      const oldAliases = { ...old.aliases };
      if (explicitWriter) setOwn(oldAliases, target, { ...oldMeta, is_write_index: false });
      else delete oldAliases[target];
      this.commit({ t: 'index.aliases', name: old.name, aliases: oldAliases });
      try {
        const created = this.createIndex(next, createBody);
        const aliases = { ...created.aliases };
        setOwn(aliases, target, explicitWriter ? { ...oldMeta, is_write_index: true } : { ...oldMeta });
        this.commit({ t: 'index.aliases', name: next, aliases });
      } catch (error) {
        this.commit({ t: 'index.aliases', name: old.name, aliases: old.aliases });
        throw error;
      }
    }
    return { ...answer, acknowledged: true, shards_acknowledged: true, rolled_over: true };
  }

  // ---------------------------------------------------------------- documents

  private shards(index: IndexState): { total: number; successful: number; failed: number } {
    const replicas = Number(settingString(index.settings, 'index.number_of_replicas') ?? '0');
    return { total: 1 + replicas, successful: 1, failed: 0 };
  }

  private docError(index: IndexState, status: number, type: string, reason: string): OpenSearchError {
    return new OpenSearchError(status, type, reason, {
      extra: { index: index.name, shard: '0', index_uuid: index.uuid },
    });
  }

  private checkOpen(index: IndexState): void {
    if (index.closed) {
      throw new OpenSearchError(400, 'index_closed_exception', 'closed', {
        extra: { index_uuid: index.uuid, index: index.name },
      });
    }
  }

  checkWriteBlock(index: IndexState): void {
    this.checkOpen(index);
    if (settingBool(index.settings, 'index.blocks.read_only_allow_delete')) {
      throw new OpenSearchError(
        429,
        'cluster_block_exception',
        `index [${index.name}] blocked by: [TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block];`,
      );
    }
    if (settingBool(index.settings, 'index.blocks.read_only')) {
      throw new OpenSearchError(
        403,
        'cluster_block_exception',
        `index [${index.name}] blocked by: [FORBIDDEN/5/index read-only (api)];`,
      );
    }
    if (settingBool(index.settings, 'index.blocks.write')) {
      throw new OpenSearchError(
        403,
        'cluster_block_exception',
        `index [${index.name}] blocked by: [FORBIDDEN/8/index write (api)];`,
      );
    }
  }

  checkReadBlock(index: IndexState): void {
    this.checkOpen(index);
    if (settingBool(index.settings, 'index.blocks.read')) {
      throw new OpenSearchError(
        403,
        'cluster_block_exception',
        `index [${index.name}] blocked by: [FORBIDDEN/7/index read (api)];`,
      );
    }
  }

  private nextVersion(index: IndexState, id: string): number {
    const existing = index.docs.get(id);
    if (existing) return existing.version + 1;
    return (index.tombstones.get(id) ?? 0) + 1;
  }

  private checkConcurrency(index: IndexState, id: string, meta: Record<string, unknown>): void {
    const ifSeqNo = meta.if_seq_no;
    const ifTerm = meta.if_primary_term;
    if (ifSeqNo === undefined && ifTerm === undefined) return;
    if (ifSeqNo === undefined || ifTerm === undefined) {
      throw validationError('ifSeqNo is unassigned, but primary term is [' + String(ifTerm ?? 0) + ']');
    }
    const existing = index.docs.get(id);
    if (!existing) {
      throw this.docError(
        index,
        409,
        'version_conflict_engine_exception',
        `[${id}]: version conflict, required seqNo [${String(ifSeqNo)}], primary term [${String(ifTerm)}] but no document was found`,
      );
    }
    if (existing.seqNo !== Number(ifSeqNo) || existing.primaryTerm !== Number(ifTerm)) {
      throw this.docError(
        index,
        409,
        'version_conflict_engine_exception',
        `[${id}]: version conflict, required seqNo [${String(ifSeqNo)}], primary term [${String(ifTerm)}]. current document has seqNo [${existing.seqNo}] and primary term [${existing.primaryTerm}]`,
      );
    }
  }

  /** Maps and stores a document; returns the stored record. */
  private store(
    index: IndexState,
    id: string,
    source: Record<string, unknown>,
    version: number,
    dataStream?: DataStreamState,
  ): DocRecord {
    if (dataStream) {
      const ts =
        source[dataStream.timestampField] ??
        dataStream.timestampField
          .split('.')
          .reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), source);
      if (ts === undefined || ts === null || Array.isArray(ts)) {
        throw new OpenSearchError(400, 'mapper_parsing_exception', 'failed to parse', {
          causedBy: {
            type: 'illegal_argument_exception',
            reason: `documents must contain a single-valued timestamp field '${dataStream.timestampField}' of date type`,
          },
        });
      }
    }
    const mapped = mapDocument(index.mappings, source, id);
    if (mapped.changed) {
      checkFieldLimit(
        mapped.mappings,
        Number(settingString(index.settings, 'index.mapping.total_fields.limit') ?? '1000'),
      );
      this.commit({ t: 'index.mappings', name: index.name, mappings: mapped.mappings });
    }
    const seqNo = index.maxSeqNo + 1;
    this.commit({ t: 'doc.put', index: index.name, id, source, seqNo, version });
    return index.docs.get(id) as DocRecord;
  }

  private itemBody(
    index: IndexState,
    id: string,
    rec: { version: number; seqNo: number },
    result: string,
  ): Record<string, unknown> {
    return {
      _index: index.name,
      _id: id,
      _version: rec.version,
      result,
      _shards: this.shards(index),
      _seq_no: rec.seqNo,
      _primary_term: PRIMARY_TERM,
    };
  }

  /** One write (bulk item or single-document API). Throws an OpenSearchError for a failed item. */
  write(request: WriteRequest): WriteResult {
    const requireAlias = request.meta.require_alias === true || request.meta.require_alias === 'true';
    const { index, dataStream } = this.resolveWriteTarget(request.target, requireAlias);
    let op = request.op;
    if (op === 'index' && request.meta.op_type === 'create') op = 'create';
    if (dataStream && op !== 'create') {
      throw illegalArgument(`only write ops with an op_type of create are allowed in data streams`);
    }
    this.checkWriteBlock(index);
    if (request.id !== undefined && Buffer.byteLength(request.id) > 512) {
      throw validationError(
        `id [${request.id}] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(request.id)}`,
      );
    }
    if (request.id === '') throw validationError('if _id is specified it must not be empty');
    switch (op) {
      case 'index':
      case 'create': {
        if (request.sourceError !== undefined) {
          throw new OpenSearchError(400, 'mapper_parsing_exception', 'failed to parse', {
            causedBy: { type: 'json_parse_exception', reason: request.sourceError },
          });
        }
        if (!isObject(request.source)) {
          throw new OpenSearchError(400, 'mapper_parsing_exception', 'failed to parse', {
            causedBy: {
              type: 'not_x_content_exception',
              reason:
                'Compressor detection can only be called on some xcontent bytes or compressed xcontent bytes',
            },
          });
        }
        const id = request.id ?? randomBytes(15).toString('base64url');
        const existing = index.docs.get(id);
        if (op === 'create' && existing) {
          throw this.docError(
            index,
            409,
            'version_conflict_engine_exception',
            `[${id}]: version conflict, document already exists (current version [${existing.version}])`,
          );
        }
        this.checkConcurrency(index, id, request.meta);
        let version = this.nextVersion(index, id);
        if (request.meta.version_type === 'external' || request.meta.version_type === 'external_gte') {
          const wanted = Number(request.meta.version);
          const current = existing?.version ?? index.tombstones.get(id);
          const ok =
            current === undefined ||
            (request.meta.version_type === 'external' ? wanted > current : wanted >= current);
          if (!ok) {
            throw this.docError(
              index,
              409,
              'version_conflict_engine_exception',
              `[${id}]: version conflict, current version [${current}] is higher or equal to the one provided [${wanted}]`,
            );
          }
          version = wanted;
        }
        const rec = this.store(index, id, request.source, version, dataStream);
        return {
          status: existing ? 200 : 201,
          index,
          body: this.itemBody(index, id, rec, existing ? 'updated' : 'created'),
        };
      }
      case 'update': {
        const id = request.id;
        if (id === undefined) throw validationError('id is missing');
        const body = isObject(request.source) ? request.source : {};
        if (body.script !== undefined) {
          throw new OpenSearchError(
            400,
            'unsupported_operation_exception',
            'scripted updates are not supported by the local OpenSearch server (Painless is not implemented); use a partial document (`doc`) instead',
          );
        }
        const existing = index.docs.get(id);
        this.checkConcurrency(index, id, request.meta);
        const wantSource = body._source === true || request.meta._source === true;
        let rec: DocRecord;
        let status: number;
        let result: string;
        if (!existing) {
          const upsert = body.doc_as_upsert === true ? body.doc : body.upsert;
          if (!isObject(upsert)) {
            throw this.docError(index, 404, 'document_missing_exception', `[${id}]: document missing`);
          }
          rec = this.store(index, id, upsert, this.nextVersion(index, id), dataStream);
          status = 201;
          result = 'created';
        } else {
          if (!isObject(body.doc)) throw validationError('script or doc is missing');
          const merged = deepMerge(existing.source, body.doc);
          if (body.detect_noop !== false && deepEqual(merged, existing.source)) {
            const noop: Record<string, unknown> = {
              ...this.itemBody(index, id, existing, 'noop'),
              _shards: { total: 0, successful: 0, failed: 0 },
            };
            if (wantSource)
              noop.get = {
                _seq_no: existing.seqNo,
                _primary_term: PRIMARY_TERM,
                found: true,
                _source: existing.source,
              };
            return { status: 200, index, body: noop };
          }
          rec = this.store(index, id, merged, existing.version + 1, dataStream);
          status = 200;
          result = 'updated';
        }
        const out = this.itemBody(index, id, rec, result);
        if (wantSource)
          out.get = { _seq_no: rec.seqNo, _primary_term: PRIMARY_TERM, found: true, _source: rec.source };
        return { status, index, body: out };
      }
      case 'delete': {
        const id = request.id;
        if (id === undefined) throw validationError('id is missing');
        this.checkConcurrency(index, id, request.meta);
        const existing = index.docs.get(id);
        const version = this.nextVersion(index, id);
        const seqNo = index.maxSeqNo + 1;
        this.commit({ t: 'doc.delete', index: index.name, id, seqNo, version });
        return {
          status: existing ? 200 : 404,
          index,
          body: this.itemBody(index, id, { version, seqNo }, existing ? 'deleted' : 'not_found'),
        };
      }
    }
  }

  setClosed(indices: IndexState[], closed: boolean): void {
    for (const index of indices) {
      if (closed && index.dataStream) {
        const stream = this.state.dataStreams.get(index.dataStream);
        if (stream?.indices[stream.indices.length - 1] === index.name) {
          throw illegalArgument(
            `cannot close the write index [${index.name}] of data stream [${stream.name}]`,
          );
        }
      }
    }
    for (const index of indices) {
      if (Boolean(index.closed) !== closed) this.commit({ t: 'index.state', name: index.name, closed });
    }
  }

  /** Applies the periodic refresh rule before a search reads an index. */
  searchable(index: IndexState): DocRecord[] {
    const interval = settingString(index.settings, 'index.refresh_interval') ?? '1s';
    this.state.autoRefresh(index, parseTimeValue(interval, 'index.refresh_interval'));
    return [...index.view.values()];
  }

  refresh(indices: IndexState[]): void {
    for (const index of indices) this.state.refresh(index);
  }

  /** Cluster health of one index: red (unassigned primary), yellow (unassigned replicas) or green. */
  indexHealth(index: IndexState): 'green' | 'yellow' | 'red' {
    const require = Object.entries(index.settings).filter(([k]) =>
      k.startsWith('index.routing.allocation.require.'),
    );
    const unassignable = require.some(([k, v]) => {
      const attr = k.slice('index.routing.allocation.require.'.length);
      if (attr === '_name') return String(v) !== NODE_NAME;
      if (attr === '_id') return String(v) !== NODE_ID;
      return true; // the node has no custom attributes
    });
    if (unassignable) return 'red';
    const replicas = Number(settingString(index.settings, 'index.number_of_replicas') ?? '0');
    return replicas > 0 ? 'yellow' : 'green';
  }

  now(): number {
    return this.clock.now();
  }
}
