// The pipeline configuration (`infra/pipelines.yaml`, parsed by the runtime): validated by hand so
// that every error names the key path and the fix, and compiled once (parsers resolved, grok and
// timestamp formats compiled, topic matchers and route templates parsed) before any record.

import { type BulkAction, BulkActions } from '../bulk/types.ts';
import type { Condition } from './condition.ts';
import { PipelineConfigError } from './errors.ts';
import { compileGrok } from './grok/index.ts';
import { type HashAlgorithm, HashAlgorithms, type IdStrategy, IdTypes } from './id.ts';
import {
  DATE_EXAMPLES,
  parseTemplate,
  sanitizeIndexName,
  type Template,
  TemplateSyntaxError,
} from './index-name.ts';
import { DEFAULT_LIMITS, type FieldLimits } from './limits.ts';
import { type ConvertType, ConvertTypes, MetadataSources, type Op } from './ops.ts';
import { type ParserName, parsers as parserFactories } from './parsers/index.ts';
import { type CompiledRoute, RouteKinds } from './route.ts';
import { closest, didYouMean } from './suggest.ts';
import { compileTimestampParser } from './timestamp.ts';
import type { Parser, TimestampParser } from './types.ts';

export const Codecs = { json: 'json', text: 'text', auto: 'auto' } as const;
export type Codec = (typeof Codecs)[keyof typeof Codecs];

export const ParseFailureModes = { deadLetter: 'dead_letter', keep: 'keep' } as const;
export type ParseFailureMode = (typeof ParseFailureModes)[keyof typeof ParseFailureModes];

export interface NamedParser {
  name: string;
  parse: Parser;
}

export interface CompiledTimestamp {
  fields: readonly string[];
  parse: TimestampParser;
}

export interface CompiledPipeline {
  name: string;
  codec: Codec;
  /** Tried in order on text lines; grok patterns sit where `grok` is listed (else last). */
  parsers: readonly NamedParser[];
  onParseFailure: ParseFailureMode;
  timestamp: CompiledTimestamp;
  ops: readonly Op[];
  route: CompiledRoute;
  id: IdStrategy;
  action: BulkAction;
  service: string;
  eventOriginal: boolean;
  limits: FieldLimits;
}

export type TopicMatcher =
  | { kind: 'exact'; topic: string; pipeline: string }
  | { kind: 'pattern'; regex: RegExp; pipeline: string };

export interface PipelineConfig {
  topics: readonly TopicMatcher[];
  defaultPipeline: string | undefined;
  pipelines: ReadonlyMap<string, CompiledPipeline>;
  /** topic → pipeline (or null for none), filled as topics are seen. */
  selected: Map<string, CompiledPipeline | null>;
}

export interface PipelineConfigOptions {
  /** Named line parsers (`json`, `logfmt`, `nginx_access`, …); defaults to `parsers/index.ts`. */
  parsers?: Readonly<Record<string, Parser>>;
  /** Reference clock for year-less timestamp formats (syslog); core code never reads the clock. */
  now?: () => number;
}

/** The registry's parsers that need no settings (`grok` is compiled from the pipeline's section). */
function registryParsers(): Record<string, Parser> {
  const out: Record<string, Parser> = {};
  for (const name of Object.keys(parserFactories) as ParserName[]) {
    if (name !== 'grok') out[name] = parserFactories[name]({});
  }
  return out;
}

const DEFAULT_TIMESTAMP = { fields: ['@timestamp'], formats: ['iso8601', 'epoch_ms'], timezone: 'UTC' };
const DEFAULT_FALLBACK = 'logs-unrouted';
const DEFAULT_SERVICE = 'unknown';
/** Names the document always has, and common ECS names: typos of these in templates are caught. */
const KNOWN_FIELDS = [
  'service.name',
  'service.environment',
  'log.level',
  'log.logger',
  'message',
  'host.name',
  'event.dataset',
  'event.module',
  'kafka.topic',
  'kafka.partition',
  'kafka.key',
  'environment',
];

type Raw = Record<string, unknown>;

// --- small validators ------------------------------------------------------------------------

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function object(value: unknown, path: string): Raw {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PipelineConfigError(path, `expected a mapping, got ${describe(value)}`);
  }
  return value as Raw;
}

function keys(raw: Raw, path: string, allowed: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      throw new PipelineConfigError(
        path,
        `unknown key "${key}" (allowed: ${allowed.join(', ')})${didYouMean(key, allowed)}`,
      );
    }
  }
}

function string(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new PipelineConfigError(path, `expected a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function optionalString(raw: Raw, key: string, path: string, fallback: string): string {
  return raw[key] === undefined ? fallback : string(raw[key], `${path}.${key}`);
}

/** A list of strings; a single string is accepted as a list of one. */
function strings(value: unknown, path: string): string[] {
  if (typeof value === 'string') return [string(value, path)];
  if (!Array.isArray(value) || value.length === 0) {
    throw new PipelineConfigError(path, `expected a non-empty list of strings, got ${describe(value)}`);
  }
  return value.map((item, i) => string(item, `${path}[${i}]`));
}

function oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  const hint = typeof value === 'string' ? didYouMean(value, allowed) : '';
  throw new PipelineConfigError(path, `expected one of ${allowed.join(', ')}, got ${describe(value)}${hint}`);
}

function positiveInteger(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new PipelineConfigError(path, `expected a positive integer, got ${describe(value)}`);
  }
  return value;
}

function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean')
    throw new PipelineConfigError(path, `expected true or false, got ${describe(value)}`);
  return value;
}

function fieldPath(value: unknown, path: string): string {
  const text = string(value, path);
  if (text.startsWith('.') || text.endsWith('.') || text.includes('..')) {
    throw new PipelineConfigError(path, `"${text}" is not a field path (dotted names without empty parts)`);
  }
  return text;
}

/** Error message text of an unknown thrown value. */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// --- topics ----------------------------------------------------------------------------------

const GLOB_SPECIAL = /[.+^${}()|[\]\\]/g;

function compileTopicMatcher(match: string, pipeline: string, path: string): TopicMatcher {
  const regexForm = /^\/(.+)\/([a-z]*)$/s.exec(match);
  if (regexForm !== null) {
    const [, source = '', flags = ''] = regexForm;
    if (flags !== '' && flags !== 'i')
      throw new PipelineConfigError(path, `only the "i" flag is allowed, got "/${flags}"`);
    try {
      // Anchored so that `/logs/` does not also match `audit-logs-old` by accident.
      return { kind: 'pattern', regex: new RegExp(`^(?:${source})$`, flags), pipeline };
    } catch (error) {
      throw new PipelineConfigError(path, `invalid regular expression: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
  if (match.includes('*') || match.includes('?')) {
    const source = match.replace(GLOB_SPECIAL, '\\$&').replaceAll('*', '.*').replaceAll('?', '.');
    return { kind: 'pattern', regex: new RegExp(`^${source}$`), pipeline };
  }
  return { kind: 'exact', topic: match, pipeline };
}

// --- ops -------------------------------------------------------------------------------------

const OP_NAMES = ['rename', 'remove', 'add', 'copy', 'lowercase', 'convert', 'truncate', 'drop'] as const;

function fromTo(value: unknown, path: string): { from: string; to: string } {
  const raw = object(value, path);
  keys(raw, path, ['from', 'to']);
  return { from: fieldPath(raw.from, `${path}.from`), to: fieldPath(raw.to, `${path}.to`) };
}

function compileOp(value: unknown, path: string): Op {
  const raw = object(value, path);
  const names = Object.keys(raw);
  const name = names[0];
  if (names.length !== 1 || name === undefined) {
    throw new PipelineConfigError(path, `an op is a mapping with exactly one of: ${OP_NAMES.join(', ')}`);
  }
  const body = raw[name];
  const at = `${path}.${name}`;
  switch (name) {
    case 'rename':
      return { op: 'rename', ...fromTo(body, at) };
    case 'copy':
      return { op: 'copy', ...fromTo(body, at) };
    case 'remove':
      return { op: 'remove', fields: strings(body, at).map((f, i) => fieldPath(f, `${at}[${i}]`)) };
    case 'lowercase':
      return { op: 'lowercase', fields: strings(body, at).map((f, i) => fieldPath(f, `${at}[${i}]`)) };
    case 'add': {
      const add = object(body, at);
      keys(add, at, ['field', 'value', 'header', 'from']);
      const field = fieldPath(add.field, `${at}.field`);
      const sources = ['value', 'header', 'from'].filter((key) => add[key] !== undefined);
      if (sources.length !== 1) {
        throw new PipelineConfigError(
          at,
          'give exactly one of value, header (a Kafka header name) or from (topic, partition, key)',
        );
      }
      if (add.header !== undefined)
        return { op: 'add_header', field, header: string(add.header, `${at}.header`) };
      if (add.from !== undefined)
        return { op: 'add_metadata', field, source: oneOf(add.from, `${at}.from`, MetadataSources) };
      return { op: 'add', field, value: add.value };
    }
    case 'convert': {
      const convert = object(body, at);
      keys(convert, at, ['field', 'type']);
      const type: ConvertType = oneOf(convert.type, `${at}.type`, ConvertTypes);
      return { op: 'convert', field: fieldPath(convert.field, `${at}.field`), type };
    }
    case 'truncate': {
      const truncate = object(body, at);
      keys(truncate, at, ['field', 'max_bytes']);
      return {
        op: 'truncate',
        field: fieldPath(truncate.field, `${at}.field`),
        maxBytes: positiveInteger(truncate.max_bytes, `${at}.max_bytes`),
      };
    }
    case 'drop': {
      const drop = object(body, at);
      keys(drop, at, ['when']);
      return { op: 'drop', when: compileCondition(drop.when, `${at}.when`) };
    }
    default:
      throw new PipelineConfigError(
        path,
        `unknown op "${name}" (allowed: ${OP_NAMES.join(', ')})${didYouMean(name, OP_NAMES)}`,
      );
  }
}

const CONDITION_OPS = ['equals', 'in', 'matches', 'exists'] as const;

function compileCondition(value: unknown, path: string): Condition {
  const raw = object(value, path);
  keys(raw, path, ['field', ...CONDITION_OPS]);
  const field = fieldPath(raw.field, `${path}.field`);
  const given = CONDITION_OPS.filter((key) => raw[key] !== undefined);
  if (given.length !== 1) {
    throw new PipelineConfigError(path, `give exactly one of ${CONDITION_OPS.join(', ')}`);
  }
  if (raw.equals !== undefined) {
    if (typeof raw.equals === 'object' && raw.equals !== null) {
      throw new PipelineConfigError(`${path}.equals`, 'expected a string, number or boolean');
    }
    return { field, op: 'equals', value: raw.equals };
  }
  if (raw.in !== undefined) {
    if (!Array.isArray(raw.in) || raw.in.some((v) => typeof v === 'object' && v !== null)) {
      throw new PipelineConfigError(`${path}.in`, 'expected a list of strings, numbers or booleans');
    }
    return { field, op: 'in', values: new Set(raw.in) };
  }
  if (raw.matches !== undefined) {
    const source = string(raw.matches, `${path}.matches`);
    try {
      return { field, op: 'matches', regex: new RegExp(source, 'u') };
    } catch (error) {
      throw new PipelineConfigError(`${path}.matches`, `invalid regular expression: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }
  return { field, op: 'exists', exists: boolean(raw.exists, `${path}.exists`) };
}

// --- route, id, limits -------------------------------------------------------------------------

function compileTemplate(source: string, path: string, knownFields: readonly string[]): Template {
  let template: Template;
  try {
    template = parseTemplate(source);
  } catch (error) {
    if (error instanceof TemplateSyntaxError) {
      const hint = error.placeholder === undefined ? '' : didYouMean(error.placeholder, DATE_EXAMPLES);
      throw new PipelineConfigError(path, `${error.message}${hint}`, { cause: error });
    }
    throw error;
  }
  for (const part of template.parts) {
    if (part.kind !== 'field' || knownFields.includes(part.path)) continue;
    // A field the pipeline never mentions but one edit away from one it does: almost surely a typo.
    const hint = closest(part.path, [...knownFields, ...DATE_EXAMPLES]);
    if (hint !== undefined) {
      throw new PipelineConfigError(path, `unknown placeholder "{${part.path}}"; did you mean "{${hint}}"?`);
    }
  }
  return template;
}

function compileRoute(
  value: unknown,
  path: string,
  action: BulkAction | undefined,
  knownFields: readonly string[],
): CompiledRoute {
  const raw = object(value, path);
  keys(raw, path, ['index', 'data_stream', 'fallback']);
  if ((raw.index === undefined) === (raw.data_stream === undefined)) {
    throw new PipelineConfigError(
      path,
      'give exactly one of index (a name template) or data_stream (a data stream name template)',
    );
  }
  const kind = raw.index !== undefined ? RouteKinds.index : RouteKinds.dataStream;
  const at = `${path}.${kind}`;
  const template = compileTemplate(string(raw[kind], at), at, knownFields);
  if (kind === RouteKinds.dataStream) {
    if (template.parts.some((part) => part.kind === 'date')) {
      throw new PipelineConfigError(at, 'a data stream rolls over by itself: remove the date placeholder');
    }
    if (action === BulkActions.index) {
      throw new PipelineConfigError(
        path.replace(/\.route$/, '.action'),
        'data streams accept only "create": remove action or set it to create',
      );
    }
  }
  const fallbackSource = optionalString(raw, 'fallback', path, DEFAULT_FALLBACK);
  const fallback = sanitizeIndexName(fallbackSource);
  if (fallback !== fallbackSource) {
    const hint = fallback === undefined ? '' : `; did you mean "${fallback}"?`;
    throw new PipelineConfigError(`${path}.fallback`, `"${fallbackSource}" is not a valid index name${hint}`);
  }
  return {
    kind,
    template,
    fallback,
    action: kind === RouteKinds.dataStream ? BulkActions.create : (action ?? BulkActions.create),
  };
}

function compileId(value: unknown, path: string): IdStrategy {
  if (value === undefined) return { type: IdTypes.coordinates };
  const raw = object(value, path);
  keys(raw, path, ['type', 'field', 'algorithm']);
  const type = oneOf(raw.type ?? IdTypes.coordinates, `${path}.type`, Object.values(IdTypes));
  if (type !== IdTypes.field && raw.field !== undefined) {
    throw new PipelineConfigError(`${path}.field`, `only used with type: field (type is ${type})`);
  }
  if (type !== IdTypes.hash && raw.algorithm !== undefined) {
    throw new PipelineConfigError(`${path}.algorithm`, `only used with type: hash (type is ${type})`);
  }
  if (type === IdTypes.field) return { type, field: fieldPath(raw.field, `${path}.field`) };
  if (type === IdTypes.hash) {
    const algorithm: HashAlgorithm = oneOf(
      raw.algorithm ?? HashAlgorithms.sha256,
      `${path}.algorithm`,
      Object.values(HashAlgorithms),
    );
    return { type, algorithm };
  }
  return { type };
}

function compileLimits(value: unknown, path: string): FieldLimits {
  if (value === undefined) return DEFAULT_LIMITS;
  const raw = object(value, path);
  keys(raw, path, ['max_fields', 'max_depth', 'max_field_bytes']);
  return {
    maxFields:
      raw.max_fields === undefined
        ? DEFAULT_LIMITS.maxFields
        : positiveInteger(raw.max_fields, `${path}.max_fields`),
    maxDepth:
      raw.max_depth === undefined
        ? DEFAULT_LIMITS.maxDepth
        : positiveInteger(raw.max_depth, `${path}.max_depth`),
    maxFieldBytes:
      raw.max_field_bytes === undefined
        ? DEFAULT_LIMITS.maxFieldBytes
        : positiveInteger(raw.max_field_bytes, `${path}.max_field_bytes`),
  };
}

// --- parsers and timestamps ------------------------------------------------------------------

function compileGrokParsers(value: unknown, path: string): NamedParser[] {
  const raw = object(value, path);
  keys(raw, path, ['patterns', 'definitions', 'anchored']);
  const patterns = strings(raw.patterns, `${path}.patterns`);
  const definitions: Record<string, string> = {};
  if (raw.definitions !== undefined) {
    const defs = object(raw.definitions, `${path}.definitions`);
    for (const [name, body] of Object.entries(defs))
      definitions[name] = string(body, `${path}.definitions.${name}`);
  }
  const anchored = raw.anchored === undefined ? false : boolean(raw.anchored, `${path}.anchored`);
  return patterns.map((pattern, i) => {
    try {
      return { name: 'grok', parse: compileGrok(pattern, definitions, { anchored }) };
    } catch (error) {
      throw new PipelineConfigError(`${path}.patterns[${i}]`, messageOf(error), { cause: error });
    }
  });
}

function compileParsers(raw: Raw, path: string, available: Readonly<Record<string, Parser>>): NamedParser[] {
  const grok = raw.grok === undefined ? [] : compileGrokParsers(raw.grok, `${path}.grok`);
  const names = raw.parsers === undefined ? [] : strings(raw.parsers, `${path}.parsers`);
  const parsers: NamedParser[] = [];
  const choices = [...Object.keys(available), 'grok'];
  names.forEach((name, i) => {
    if (name === 'grok') {
      if (grok.length === 0)
        throw new PipelineConfigError(
          `${path}.parsers[${i}]`,
          '"grok" is listed but grok.patterns is not set',
        );
      parsers.push(...grok);
    } else if (Object.hasOwn(available, name)) {
      parsers.push({ name, parse: available[name] as Parser });
    } else {
      throw new PipelineConfigError(
        `${path}.parsers[${i}]`,
        `unknown parser "${name}" (available: ${choices.join(', ')})${didYouMean(name, choices)}`,
      );
    }
  });
  if (!names.includes('grok')) parsers.push(...grok);
  return parsers;
}

function compileTimestamp(value: unknown, path: string, now: (() => number) | undefined): CompiledTimestamp {
  const raw = value === undefined ? {} : object(value, path);
  keys(raw, path, ['fields', 'formats', 'timezone', 'year']);
  const fields = raw.fields === undefined ? DEFAULT_TIMESTAMP.fields : strings(raw.fields, `${path}.fields`);
  const formats =
    raw.formats === undefined ? DEFAULT_TIMESTAMP.formats : strings(raw.formats, `${path}.formats`);
  const timezone = optionalString(raw, 'timezone', path, DEFAULT_TIMESTAMP.timezone);
  const year = raw.year === undefined ? undefined : positiveInteger(raw.year, `${path}.year`);
  try {
    const options = {
      timezone,
      ...(year === undefined ? {} : { year }),
      ...(now === undefined ? {} : { now }),
    };
    return { fields, parse: compileTimestampParser(formats, options) };
  } catch (error) {
    const format = (error as { format?: unknown }).format;
    const key = typeof format === 'string' && format === timezone ? 'timezone' : 'formats';
    throw new PipelineConfigError(`${path}.${key}`, messageOf(error), { cause: error });
  }
}

// --- pipelines -------------------------------------------------------------------------------

const PIPELINE_KEYS = [
  'codec',
  'parsers',
  'on_parse_failure',
  'grok',
  'timestamp',
  'ops',
  'route',
  'id',
  'action',
  'service',
  'event_original',
  'limits',
] as const;

function compilePipeline(
  name: string,
  value: unknown,
  path: string,
  options: PipelineConfigOptions,
): CompiledPipeline {
  const raw = object(value, path);
  keys(raw, path, PIPELINE_KEYS);
  const codec =
    raw.codec === undefined ? Codecs.auto : oneOf(raw.codec, `${path}.codec`, Object.values(Codecs));
  const parsers = compileParsers(raw, path, options.parsers ?? registryParsers());
  const onParseFailure =
    raw.on_parse_failure === undefined
      ? ParseFailureModes.deadLetter
      : oneOf(raw.on_parse_failure, `${path}.on_parse_failure`, Object.values(ParseFailureModes));
  if (codec === Codecs.text && parsers.length === 0 && onParseFailure !== ParseFailureModes.keep) {
    throw new PipelineConfigError(path, 'a text pipeline needs parsers, grok, or on_parse_failure: keep');
  }
  if (raw.ops !== undefined && !Array.isArray(raw.ops)) {
    throw new PipelineConfigError(`${path}.ops`, `expected a list of ops, got ${describe(raw.ops)}`);
  }
  const ops = ((raw.ops as unknown[] | undefined) ?? []).map((op, i) => compileOp(op, `${path}.ops[${i}]`));
  const action =
    raw.action === undefined ? undefined : oneOf(raw.action, `${path}.action`, Object.values(BulkActions));
  if (raw.route === undefined)
    throw new PipelineConfigError(`${path}.route`, 'missing: give route.index or route.data_stream');
  const route = compileRoute(raw.route, `${path}.route`, action, [...KNOWN_FIELDS, ...opTargets(ops)]);
  return {
    name,
    codec,
    parsers,
    onParseFailure,
    timestamp: compileTimestamp(raw.timestamp, `${path}.timestamp`, options.now),
    ops,
    route,
    id: compileId(raw.id, `${path}.id`),
    action: route.action,
    service: optionalString(raw, 'service', path, DEFAULT_SERVICE),
    eventOriginal:
      raw.event_original === undefined ? false : boolean(raw.event_original, `${path}.event_original`),
    limits: compileLimits(raw.limits, `${path}.limits`),
  };
}

/** Fields that ops create: legitimate placeholders even when they look like a typo of another. */
function opTargets(ops: readonly Op[]): string[] {
  const targets: string[] = [];
  for (const op of ops) {
    if (op.op === 'rename' || op.op === 'copy') targets.push(op.to);
    else if (op.op === 'add' || op.op === 'add_header' || op.op === 'add_metadata' || op.op === 'convert')
      targets.push(op.field);
  }
  return targets;
}

/** Validates and compiles the parsed configuration; throws PipelineConfigError naming the key. */
export function parsePipelineConfig(raw: unknown, options: PipelineConfigOptions = {}): PipelineConfig {
  const root = object(raw, '');
  keys(root, '', ['topics', 'default_pipeline', 'pipelines']);
  const pipelinesRaw = object(root.pipelines, 'pipelines');
  const resolved: PipelineConfigOptions = { ...options, parsers: options.parsers ?? registryParsers() };
  const pipelines = new Map<string, CompiledPipeline>();
  for (const [name, value] of Object.entries(pipelinesRaw)) {
    pipelines.set(name, compilePipeline(name, value, `pipelines.${name}`, resolved));
  }
  if (pipelines.size === 0) throw new PipelineConfigError('pipelines', 'define at least one pipeline');
  const defined = [...pipelines.keys()];
  const reference = (value: unknown, path: string): string => {
    const name = string(value, path);
    if (!pipelines.has(name)) {
      throw new PipelineConfigError(
        path,
        `pipeline "${name}" is not defined (defined: ${defined.join(', ')})${didYouMean(name, defined)}`,
      );
    }
    return name;
  };
  const topics: TopicMatcher[] = [];
  if (root.topics !== undefined) {
    if (!Array.isArray(root.topics))
      throw new PipelineConfigError('topics', `expected a list, got ${describe(root.topics)}`);
    root.topics.forEach((value, i) => {
      const path = `topics[${i}]`;
      const rule = object(value, path);
      keys(rule, path, ['match', 'pipeline']);
      const pipeline = reference(rule.pipeline, `${path}.pipeline`);
      topics.push(compileTopicMatcher(string(rule.match, `${path}.match`), pipeline, `${path}.match`));
    });
  }
  const defaultPipeline =
    root.default_pipeline === undefined ? undefined : reference(root.default_pipeline, 'default_pipeline');
  if (topics.length === 0 && defaultPipeline === undefined) {
    throw new PipelineConfigError('topics', 'no topic can reach a pipeline: add topics or default_pipeline');
  }
  return { topics, defaultPipeline, pipelines, selected: new Map() };
}

const SELECTED_LIMIT = 10_000;

/** The pipeline for a topic: first matching rule, else the default; undefined when none. */
export function selectPipeline(config: PipelineConfig, topic: string): CompiledPipeline | undefined {
  const cached = config.selected.get(topic);
  if (cached !== undefined) return cached ?? undefined;
  let name = config.defaultPipeline;
  for (const rule of config.topics) {
    if (rule.kind === 'exact' ? rule.topic === topic : rule.regex.test(topic)) {
      name = rule.pipeline;
      break;
    }
  }
  const pipeline = name === undefined ? undefined : config.pipelines.get(name);
  if (config.selected.size >= SELECTED_LIMIT) config.selected.clear();
  config.selected.set(topic, pipeline ?? null);
  return pipeline;
}
