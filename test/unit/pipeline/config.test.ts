import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parsePipelineConfig, selectPipeline } from '../../../functions/core/pipeline/config.ts';
import { PipelineConfigError } from '../../../functions/core/pipeline/errors.ts';

const repo = path.resolve(import.meta.dirname, '../../..');

// biome-ignore lint/suspicious/noExplicitAny: the mutations below reach deep into untyped raw config.
type RawConfig = Record<string, any>;

function base(): RawConfig {
  return {
    topics: [
      { match: 'app-logs', pipeline: 'app-json' },
      { match: 'nginx.*', pipeline: 'nginx' },
      { match: '/audit-(eu|us)/i', pipeline: 'app-json' },
    ],
    default_pipeline: 'app-json',
    pipelines: {
      'app-json': {
        codec: 'json',
        parsers: ['json', 'logfmt'],
        timestamp: { fields: ['@timestamp', 'time'], formats: ['iso8601', 'epoch_ms'], timezone: 'UTC' },
        ops: [
          { rename: { from: 'lvl', to: 'log.level' } },
          { remove: ['password', 'secret'] },
          { add: { field: 'environment', value: 'prod' } },
          { add: { field: 'trace.id', header: 'traceparent' } },
          { add: { field: 'event.dataset', from: 'topic' } },
          { copy: { from: 'host', to: 'host.name' } },
          { lowercase: ['log.level'] },
          { convert: { field: 'http.response.status_code', type: 'integer' } },
          { truncate: { field: 'message', max_bytes: 32766 } },
          { drop: { when: { field: 'log.level', equals: 'debug' } } },
        ],
        route: { index: 'logs-{service.name}-{yyyy.MM.dd}', fallback: 'logs-unrouted' },
        id: { type: 'coordinates' },
        action: 'create',
        service: 'unknown',
        event_original: false,
        limits: { max_fields: 1000, max_depth: 20, max_field_bytes: 32766 },
      },
      nginx: {
        codec: 'text',
        parsers: ['nginx_access'],
        grok: { patterns: ['%{SYSLOGBASE} %{GREEDYDATA:message}'], definitions: { MYNUM: '\\d+' } },
        timestamp: { fields: ['@timestamp'], formats: ['httpdate'] },
        route: { data_stream: 'logs-nginx-{kafka.topic}' },
        id: { type: 'hash' },
        service: 'nginx',
      },
    },
  };
}

function errorOf(raw: unknown): PipelineConfigError {
  try {
    parsePipelineConfig(raw);
  } catch (error) {
    if (error instanceof PipelineConfigError) return error;
    throw error;
  }
  throw new Error('expected a PipelineConfigError');
}

type Mutation = (c: RawConfig) => void;

describe('parsePipelineConfig', () => {
  it('accepts the documented example', () => {
    const config = parsePipelineConfig(base());
    expect([...config.pipelines.keys()]).toEqual(['app-json', 'nginx']);
    const nginx = config.pipelines.get('nginx');
    expect(nginx?.parsers.map((p) => p.name)).toEqual(['nginx_access', 'grok']);
    expect(nginx?.route.kind).toBe('data_stream');
    expect(nginx?.action).toBe('create');
    expect(nginx?.id).toEqual({ type: 'hash', algorithm: 'sha256' });
    expect(config.pipelines.get('app-json')?.ops).toHaveLength(10);
  });

  it('accepts infra/pipelines.yaml', () => {
    const raw = parse(readFileSync(path.join(repo, 'infra/pipelines.yaml'), 'utf8'));
    const config = parsePipelineConfig(raw, { now: () => Date.UTC(2024, 5, 1) });
    expect(config.pipelines.size).toBeGreaterThan(3);
    expect(selectPipeline(config, 'nginx.prod')?.name).toBe('nginx');
    expect(selectPipeline(config, 'no-such-topic')?.name).toBe(raw.default_pipeline);
  });

  const cases: Array<[string, Mutation, string, RegExp]> = [
    [
      'unknown top-level key',
      (c) => (c.pipeline = {}),
      '',
      /unknown key "pipeline".*allowed: topics, default_pipeline, pipelines.*did you mean "pipelines"/,
    ],
    ['pipelines missing', (c) => delete c.pipelines, 'pipelines', /expected a mapping, got undefined/],
    ['no pipelines', (c) => (c.pipelines = {}), 'pipelines', /at least one pipeline/],
    [
      'topic names an undefined pipeline',
      (c) => (c.topics[2].pipeline = 'ngnix'),
      'topics[2].pipeline',
      /pipeline "ngnix" is not defined \(defined: app-json, nginx\); did you mean "nginx"/,
    ],
    [
      'default names an undefined pipeline',
      (c) => (c.default_pipeline = 'nope'),
      'default_pipeline',
      /pipeline "nope" is not defined/,
    ],
    ['topics not a list', (c) => (c.topics = 'app-logs'), 'topics', /expected a list/],
    [
      'topic rule unknown key',
      (c) => (c.topics[0].pipe = 'x'),
      'topics[0]',
      /unknown key "pipe" \(allowed: match, pipeline\)/,
    ],
    [
      'invalid topic regex',
      (c) => (c.topics[0].match = '/a(/'),
      'topics[0].match',
      /invalid regular expression/,
    ],
    ['topic regex flag', (c) => (c.topics[0].match = '/a/g'), 'topics[0].match', /only the "i" flag/],
    [
      'nothing reachable',
      (c) => {
        c.topics = [];
        delete c.default_pipeline;
      },
      'topics',
      /no topic can reach a pipeline/,
    ],
    [
      'unknown pipeline key',
      (c) => (c.pipelines['app-json'].codecs = 'json'),
      'pipelines.app-json',
      /unknown key "codecs" \(allowed: codec, parsers.*did you mean "codec"/,
    ],
    [
      'bad codec',
      (c) => (c.pipelines['app-json'].codec = 'jsn'),
      'pipelines.app-json.codec',
      /expected one of json, text, auto, got string "jsn"; did you mean "json"/,
    ],
    [
      'unknown parser',
      (c) => (c.pipelines.nginx.parsers = ['nginx']),
      'pipelines.nginx.parsers[0]',
      /unknown parser "nginx" \(available: .*nginx_access/,
    ],
    [
      'grok listed without section',
      (c) => {
        c.pipelines['app-json'].parsers = ['grok'];
        c.pipelines['app-json'].codec = 'text';
      },
      'pipelines.app-json.parsers[0]',
      /grok.patterns is not set/,
    ],
    [
      'bad grok pattern',
      (c) => (c.pipelines.nginx.grok.patterns = ['%{NOPE:x}']),
      'pipelines.nginx.grok.patterns[0]',
      /NOPE/,
    ],
    [
      'grok patterns empty',
      (c) => (c.pipelines.nginx.grok.patterns = []),
      'pipelines.nginx.grok.patterns',
      /non-empty list/,
    ],
    [
      'text pipeline with nothing to parse',
      (c) => {
        delete c.pipelines.nginx.parsers;
        delete c.pipelines.nginx.grok;
      },
      'pipelines.nginx',
      /needs parsers, grok, or on_parse_failure: keep/,
    ],
    [
      'on_parse_failure typo',
      (c) => (c.pipelines.nginx.on_parse_failure = 'kep'),
      'pipelines.nginx.on_parse_failure',
      /dead_letter, keep.*did you mean "keep"/,
    ],
    [
      'bad timezone',
      (c) => (c.pipelines['app-json'].timestamp.timezone = 'Mars/Olympus'),
      'pipelines.app-json.timestamp.timezone',
      /Mars\/Olympus/,
    ],
    [
      'bad timestamp format',
      (c) => (c.pipelines['app-json'].timestamp.formats = ['yyyy-QQ']),
      'pipelines.app-json.timestamp.formats',
      /./,
    ],
    [
      'timestamp unknown key',
      (c) => (c.pipelines['app-json'].timestamp.field = 'x'),
      'pipelines.app-json.timestamp',
      /unknown key "field".*did you mean "fields"/,
    ],
    [
      'ops not a list',
      (c) => (c.pipelines['app-json'].ops = { remove: ['a'] }),
      'pipelines.app-json.ops',
      /expected a list of ops/,
    ],
    [
      'unknown op',
      (c) => (c.pipelines['app-json'].ops[0] = { renam: { from: 'a', to: 'b' } }),
      'pipelines.app-json.ops[0]',
      /unknown op "renam".*did you mean "rename"/,
    ],
    [
      'two ops in one',
      (c) => (c.pipelines['app-json'].ops[0] = { remove: ['a'], lowercase: ['b'] }),
      'pipelines.app-json.ops[0]',
      /exactly one of/,
    ],
    [
      'rename without to',
      (c) => (c.pipelines['app-json'].ops[0] = { rename: { from: 'a' } }),
      'pipelines.app-json.ops[0].rename.to',
      /non-empty string/,
    ],
    [
      'empty field path',
      (c) => (c.pipelines['app-json'].ops[1] = { remove: ['a..b'] }),
      'pipelines.app-json.ops[1].remove[0]',
      /not a field path/,
    ],
    [
      'add with two sources',
      (c) => (c.pipelines['app-json'].ops[2] = { add: { field: 'a', value: 1, header: 'h' } }),
      'pipelines.app-json.ops[2].add',
      /exactly one of value, header/,
    ],
    [
      'add from unknown metadata',
      (c) => (c.pipelines['app-json'].ops[4] = { add: { field: 'a', from: 'offset' } }),
      'pipelines.app-json.ops[4].add.from',
      /topic, partition, key/,
    ],
    [
      'convert type',
      (c) => (c.pipelines['app-json'].ops[7].convert.type = 'int'),
      'pipelines.app-json.ops[7].convert.type',
      /integer, float, boolean, string.*did you mean "integer"/,
    ],
    [
      'truncate max_bytes',
      (c) => (c.pipelines['app-json'].ops[8].truncate.max_bytes = 0),
      'pipelines.app-json.ops[8].truncate.max_bytes',
      /positive integer/,
    ],
    [
      'drop with two tests',
      (c) => (c.pipelines['app-json'].ops[9].drop.when.exists = true),
      'pipelines.app-json.ops[9].drop.when',
      /exactly one of equals, in, matches, exists/,
    ],
    [
      'drop bad regex',
      (c) => (c.pipelines['app-json'].ops[9].drop.when = { field: 'a', matches: '(' }),
      'pipelines.app-json.ops[9].drop.when.matches',
      /invalid regular expression/,
    ],
    [
      'drop in not a list',
      (c) => (c.pipelines['app-json'].ops[9].drop.when = { field: 'a', in: 'x' }),
      'pipelines.app-json.ops[9].drop.when.in',
      /list/,
    ],
    [
      'route missing',
      (c) => delete c.pipelines['app-json'].route,
      'pipelines.app-json.route',
      /give route.index or route.data_stream/,
    ],
    [
      'route both kinds',
      (c) => (c.pipelines['app-json'].route.data_stream = 'logs-x'),
      'pipelines.app-json.route',
      /exactly one of index/,
    ],
    [
      'placeholder typo',
      (c) => (c.pipelines['app-json'].route.index = 'logs-{servce.name}-{yyyy.MM.dd}'),
      'pipelines.app-json.route.index',
      /unknown placeholder "\{servce.name\}"; did you mean "\{service.name\}"/,
    ],
    [
      'date placeholder typo',
      (c) => (c.pipelines['app-json'].route.index = 'logs-{yyyy.mm.dd}'),
      'pipelines.app-json.route.index',
      /did you mean "\{yyyy.MM.dd\}"/,
    ],
    [
      'placeholder syntax',
      (c) => (c.pipelines['app-json'].route.index = 'logs-{a b}'),
      'pipelines.app-json.route.index',
      /neither a field path nor a date pattern/,
    ],
    [
      'unclosed brace',
      (c) => (c.pipelines['app-json'].route.index = 'logs-{service.name'),
      'pipelines.app-json.route.index',
      /unclosed "\{"/,
    ],
    [
      'uppercase literal',
      (c) => (c.pipelines['app-json'].route.index = 'Logs-{service.name}'),
      'pipelines.app-json.route.index',
      /lowercase/,
    ],
    [
      'leading underscore',
      (c) => (c.pipelines['app-json'].route.index = '_all'),
      'pipelines.app-json.route.index',
      /must not start with/,
    ],
    [
      'invalid fallback',
      (c) => (c.pipelines['app-json'].route.fallback = 'Logs Unrouted'),
      'pipelines.app-json.route.fallback',
      /not a valid index name; did you mean "logs_unrouted"/,
    ],
    [
      'data stream with a date',
      (c) => (c.pipelines.nginx.route.data_stream = 'logs-{yyyy.MM}'),
      'pipelines.nginx.route.data_stream',
      /remove the date placeholder/,
    ],
    [
      'data stream with action index',
      (c) => (c.pipelines.nginx.action = 'index'),
      'pipelines.nginx.action',
      /accept only "create"/,
    ],
    ['bad action', (c) => (c.pipelines.nginx.action = 'upsert'), 'pipelines.nginx.action', /create, index/],
    [
      'id type',
      (c) => (c.pipelines.nginx.id = { type: 'hsh' }),
      'pipelines.nginx.id.type',
      /did you mean "hash"/,
    ],
    [
      'id field without type field',
      (c) => (c.pipelines.nginx.id = { type: 'hash', field: 'x' }),
      'pipelines.nginx.id.field',
      /only used with type: field/,
    ],
    [
      'id field missing',
      (c) => (c.pipelines.nginx.id = { type: 'field' }),
      'pipelines.nginx.id.field',
      /non-empty string/,
    ],
    [
      'id algorithm',
      (c) => (c.pipelines.nginx.id = { type: 'hash', algorithm: 'md5' }),
      'pipelines.nginx.id.algorithm',
      /sha1, sha256/,
    ],
    [
      'limits unknown key',
      (c) => (c.pipelines['app-json'].limits.max_feilds = 5),
      'pipelines.app-json.limits',
      /unknown key "max_feilds".*did you mean "max_fields"/,
    ],
    [
      'limits not positive',
      (c) => (c.pipelines['app-json'].limits.max_depth = -1),
      'pipelines.app-json.limits.max_depth',
      /positive integer/,
    ],
    [
      'event_original not boolean',
      (c) => (c.pipelines['app-json'].event_original = 'yes'),
      'pipelines.app-json.event_original',
      /true or false/,
    ],
    [
      'service empty',
      (c) => (c.pipelines['app-json'].service = ''),
      'pipelines.app-json.service',
      /non-empty string/,
    ],
  ];

  it.each(cases)('rejects: %s', (_name, mutate, key, message) => {
    const raw = base();
    mutate(raw);
    const error = errorOf(raw);
    expect(error.path).toBe(key);
    expect(error.message.startsWith(key === '' ? '' : `${key}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('rejects a root that is not a mapping', () => {
    expect(errorOf([]).message).toMatch(/expected a mapping, got a list/);
  });

  it('keeps the cause of compile errors', () => {
    const raw = base();
    raw.pipelines.nginx.grok.patterns = ['%{NOPE:x}'];
    expect(errorOf(raw).cause).toBeInstanceOf(Error);
  });

  it('lets an op target be a placeholder that looks like a typo of a known field', () => {
    const raw = base();
    raw.pipelines['app-json'].ops.push({ add: { field: 'service.nam', value: 'x' } });
    raw.pipelines['app-json'].route.index = 'logs-{service.nam}';
    expect(() => parsePipelineConfig(raw)).not.toThrow();
  });
});

describe('selectPipeline', () => {
  const config = parsePipelineConfig(base());
  it.each([
    ['app-logs', 'app-json'],
    ['nginx.prod', 'nginx'],
    ['nginx.', 'nginx'],
    ['nginxprod', 'app-json'],
    ['AUDIT-EU', 'app-json'],
    ['audit-eu-old', 'app-json'],
    ['other', 'app-json'],
  ])('%s → %s', (topic, pipeline) => {
    expect(selectPipeline(config, topic)?.name).toBe(pipeline);
    // Cached answers are the same.
    expect(selectPipeline(config, topic)?.name).toBe(pipeline);
  });

  it('first match wins, and without a default an unmatched topic has no pipeline', () => {
    const raw = base();
    raw.topics.unshift({ match: 'nginx.prod', pipeline: 'app-json' });
    delete raw.default_pipeline;
    const config = parsePipelineConfig(raw);
    expect(selectPipeline(config, 'nginx.prod')?.name).toBe('app-json');
    expect(selectPipeline(config, 'nginx.dev')?.name).toBe('nginx');
    expect(selectPipeline(config, 'other')).toBeUndefined();
  });

  it('a glob does not treat regex characters specially', () => {
    const raw = base();
    raw.topics = [{ match: 'a.b*', pipeline: 'nginx' }];
    const config = parsePipelineConfig(raw);
    expect(selectPipeline(config, 'a.bc')?.name).toBe('nginx');
    expect(selectPipeline(config, 'axbc')?.name).toBe('app-json');
  });
});
