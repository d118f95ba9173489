import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { sourceText } from '../../../functions/core/bulk/encode.ts';
import type { PreparedRecord } from '../../../functions/core/bulk/types.ts';
import { parsePipelineConfig } from '../../../functions/core/pipeline/config.ts';
import { createPrepareCounters, prepareRecord } from '../../../functions/core/pipeline/prepare.ts';
import { kafkaRecord } from './helpers.ts';

/** Property runs share the CPU with the rest of the suite. */
const PROPERTY_TIMEOUT = 60_000;

const repo = path.resolve(import.meta.dirname, '../../..');
const loghub = path.resolve(repo, '../shared/loghub');
const NOW = Date.UTC(2024, 5, 1);

const config = parsePipelineConfig({
  topics: [
    { match: 'app-logs', pipeline: 'app-json' },
    { match: 'nginx.*', pipeline: 'nginx' },
    { match: 'mixed', pipeline: 'mixed' },
    { match: 'hashed', pipeline: 'hashed' },
  ],
  pipelines: {
    'app-json': {
      codec: 'json',
      timestamp: { fields: ['@timestamp', 'time'], formats: ['iso8601', 'epoch_ms'] },
      ops: [
        { rename: { from: 'lvl', to: 'log.level' } },
        { remove: ['password'] },
        { add: { field: 'trace.id', header: 'traceparent' } },
        { add: { field: 'event.dataset', from: 'topic' } },
        { lowercase: ['log.level'] },
        { convert: { field: 'http.response.status_code', type: 'integer' } },
        { drop: { when: { field: 'log.level', equals: 'debug' } } },
      ],
      route: { index: 'logs-{service.name}-{yyyy.MM.dd}', fallback: 'logs-unrouted' },
      service: 'unknown',
    },
    nginx: {
      codec: 'text',
      parsers: ['nginx_access'],
      timestamp: { fields: ['@timestamp'], formats: ['httpdate'] },
      route: { data_stream: 'logs-nginx-default' },
      service: 'nginx',
      event_original: true,
    },
    mixed: {
      codec: 'auto',
      parsers: ['logfmt'],
      on_parse_failure: 'keep',
      route: { index: 'logs-mixed' },
      id: { type: 'field', field: 'request_id' },
    },
    hashed: {
      codec: 'text',
      on_parse_failure: 'keep',
      route: { index: 'logs-hashed' },
      id: { type: 'hash' },
    },
  },
});

function write(prepared: PreparedRecord) {
  if (prepared.kind !== 'write') throw new Error(`expected a write, got ${JSON.stringify(prepared)}`);
  return { ...prepared, doc: JSON.parse(sourceText(prepared.source)) };
}

describe('prepareRecord', () => {
  it('prepares a JSON application log end to end', () => {
    const counters = createPrepareCounters();
    const line =
      '{"time":"2024-05-01T09:59:58.120+02:00","lvl":"WARN","service":"checkout","msg":"slow payment","password":"hunter2","http":{"response":{"status_code":"504"}}}\n';
    const record = kafkaRecord(line, { headers: { traceparent: '00-abc-01' }, key: Buffer.from('order-9') });
    const out = write(prepareRecord(record, config, counters));
    expect(out).toMatchObject({
      coords: { topic: 'app-logs', partition: 3, offset: 1042 },
      pipeline: 'app-json',
      action: 'create',
      index: 'logs-checkout-2024.05.01',
      id: 'app-logs:3:1042',
      original: record.value,
      timestamp: record.timestamp,
    });
    expect(out.doc).toEqual({
      '@timestamp': '2024-05-01T07:59:58.120Z',
      time: '2024-05-01T09:59:58.120+02:00',
      service: { name: 'checkout' },
      msg: 'slow payment',
      http: { response: { status_code: 504 } },
      log: { level: 'warn' },
      trace: { id: '00-abc-01' },
      event: { dataset: 'app-logs' },
      kafka: {
        topic: 'app-logs',
        partition: 3,
        offset: 1042,
        timestamp: '2024-05-01T12:00:00.000Z',
        key: 'order-9',
      },
    });
    expect(out.source).not.toContain('\n');
  });

  it('prepares an nginx access line into a data stream with event.original', () => {
    const line =
      '203.0.113.9 - alice [10/Oct/2023:13:55:36 -0700] "GET /cart?id=7 HTTP/1.1" 200 2326 "https://shop.example/" "Mozilla/5.0 (X11; Linux x86_64)"';
    const out = write(
      prepareRecord(kafkaRecord(line, { topic: 'nginx.edge' }), config, createPrepareCounters()),
    );
    expect(out.index).toBe('logs-nginx-default');
    expect(out.action).toBe('create');
    expect(out.doc['@timestamp']).toBe('2023-10-10T20:55:36.000Z');
    expect(out.doc.service).toEqual({ name: 'nginx' });
    expect(out.doc.event).toEqual({ original: line });
    expect(out.doc.source).toEqual({ ip: '203.0.113.9' });
  });

  it.each<[string, string | Buffer | null, string, Partial<PreparedRecord>, string]>([
    ['a tombstone is dropped', null, 'app-logs', { kind: 'dropped', reason: 'tombstone' }, 'tombstones'],
    [
      'a tombstone without a pipeline is dropped',
      null,
      'unknown-topic',
      { kind: 'dropped', reason: 'tombstone', pipeline: '' },
      'tombstones',
    ],
    [
      'a drop condition drops',
      '{"lvl":"DEBUG"}',
      'app-logs',
      { kind: 'dropped', reason: 'condition' },
      'dropped',
    ],
    [
      'invalid UTF-8 is a decode error',
      Buffer.from([0x7b, 0xff, 0x7d]),
      'app-logs',
      { kind: 'dead_letter', errorType: 'decode_error', reason: 'the value is not valid UTF-8' },
      'decodeErrors',
    ],
    [
      'a JSON array on a json pipeline',
      '[1,2]',
      'app-logs',
      { kind: 'dead_letter', errorType: 'parse_error', reason: 'expected a JSON object, got an array' },
      'parseFailures',
    ],
    [
      'a JSON string on a json pipeline',
      '"hi"',
      'app-logs',
      { kind: 'dead_letter', errorType: 'parse_error', reason: 'expected a JSON object, got a string' },
      'parseFailures',
    ],
    [
      'invalid JSON on a json pipeline',
      '{"a":',
      'app-logs',
      { kind: 'dead_letter', errorType: 'parse_error' },
      'parseFailures',
    ],
    [
      'a line no parser accepts',
      'not an access log',
      'nginx.edge',
      {
        kind: 'dead_letter',
        errorType: 'parse_error',
        reason: 'no parser accepted the line (tried: nginx_access)',
      },
      'parseFailures',
    ],
    ['a line kept unparsed', 'just text', 'hashed', { kind: 'write' }, 'keptUnparsed'],
    [
      'a topic without a pipeline',
      '{}',
      'unknown-topic',
      { kind: 'dead_letter', errorType: 'no_pipeline', pipeline: '' },
      'noPipeline',
    ],
    [
      'an unusable service name goes to the fallback',
      '{"service":"*"}',
      'app-logs',
      { kind: 'write', index: 'logs-unrouted' },
      'routedToFallback',
    ],
    [
      'a missing id field falls back to coordinates',
      'a=1',
      'mixed',
      { kind: 'write', id: 'mixed:3:1042' },
      'idFallbacks',
    ],
    [
      'an unreadable time falls back to Kafka',
      '{"time":"soon"}',
      'app-logs',
      { kind: 'write' },
      'timestampFallbacks',
    ],
  ])('%s', (_name, value, topic, expected, counter) => {
    const counters = createPrepareCounters();
    const prepared = prepareRecord(kafkaRecord(value, { topic }), config, counters);
    expect(prepared).toMatchObject({ coords: { topic, partition: 3, offset: 1042 }, ...expected });
    const nonZero = Object.entries(counters).filter(([, n]) => n !== 0);
    expect(nonZero).toEqual([[counter, 1]]);
  });

  it('auto codec: JSON objects as JSON, other lines through the parsers', () => {
    const json = write(
      prepareRecord(
        kafkaRecord('  {"request_id":"r-1","a":1}', { topic: 'mixed' }),
        config,
        createPrepareCounters(),
      ),
    );
    expect(json.id).toBe('r-1');
    expect(json.doc.a).toBe(1);
    const logfmt = write(
      prepareRecord(
        kafkaRecord('request_id=r-2 level=info msg="hello world"', { topic: 'mixed' }),
        config,
        createPrepareCounters(),
      ),
    );
    expect(logfmt.id).toBe('r-2');
    expect(logfmt.doc.log).toEqual({ level: 'info' });
    const broken = write(
      prepareRecord(kafkaRecord('{not json', { topic: 'mixed' }), config, createPrepareCounters()),
    );
    expect(broken.doc.message).toBe('{not json');
  });

  it('uses the Kafka timestamp, then the batch time, then dead-letters', () => {
    const noTs = kafkaRecord('{}', { timestamp: -1 });
    expect(write(prepareRecord(noTs, config, createPrepareCounters(), { now: NOW })).doc['@timestamp']).toBe(
      '2024-06-01T00:00:00.000Z',
    );
    expect(prepareRecord(noTs, config, createPrepareCounters())).toMatchObject({
      kind: 'dead_letter',
      errorType: 'timestamp_error',
    });
  });

  it('hash ids store the same line once', () => {
    const a = write(
      prepareRecord(
        kafkaRecord('same line', { topic: 'hashed', offset: 1 }),
        config,
        createPrepareCounters(),
      ),
    );
    const b = write(
      prepareRecord(
        kafkaRecord('same line', { topic: 'hashed', offset: 2 }),
        config,
        createPrepareCounters(),
      ),
    );
    expect(a.id).toBe(b.id);
  });

  it('turns an unexpected exception into a pipeline_error dead letter', () => {
    const broken = parsePipelineConfig(
      {
        default_pipeline: 'p',
        pipelines: { p: { codec: 'text', parsers: ['boom'], route: { index: 'logs' } } },
      },
      {
        parsers: {
          boom: () => {
            throw new RangeError('parser bug');
          },
        },
      },
    );
    const counters = createPrepareCounters();
    expect(prepareRecord(kafkaRecord('x'), broken, counters)).toMatchObject({
      kind: 'dead_letter',
      errorType: 'pipeline_error',
      reason: 'RangeError: parser bug',
      pipeline: 'p',
    });
    expect(counters.pipelineErrors).toBe(1);
  });

  it(
    'the same record always prepares to the same id and source',
    () => {
      fc.assert(
        fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 })), fc.nat(), (value, offset) => {
          const record = kafkaRecord(JSON.stringify(value), { offset });
          const first = prepareRecord(record, config, createPrepareCounters());
          const second = prepareRecord(
            { ...record, value: Buffer.from(record.value as Buffer) },
            config,
            createPrepareCounters(),
          );
          expect(second).toEqual(first);
        }),
        { numRuns: 300 },
      );
    },
    PROPERTY_TIMEOUT,
  );

  it(
    '__proto__ keys in the data never pollute',
    () => {
      const key = fc.constantFrom('__proto__', 'constructor', 'prototype', 'polluted', 'service', 'toString');
      const value = fc.letrec<{ node: unknown }>((tie) => ({
        node: fc.oneof({ depthSize: 'small' }, fc.string(), fc.dictionary(key, tie('node'), { maxKeys: 3 })),
      })).node;
      fc.assert(
        fc.property(fc.dictionary(key, value, { maxKeys: 4 }), (data) => {
          const line = JSON.stringify(data);
          const out = prepareRecord(kafkaRecord(line), config, createPrepareCounters());
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
          expect(Object.prototype.toString).toBeTypeOf('function');
          if (out.kind === 'write') expect(out.source.length).toBeGreaterThan(2);
        }),
        { numRuns: 300 },
      );
    },
    PROPERTY_TIMEOUT,
  );
});

describe('prepareRecord on Loghub samples with infra/pipelines.yaml', () => {
  const shipped = parsePipelineConfig(parse(readFileSync(path.join(repo, 'infra/pipelines.yaml'), 'utf8')), {
    now: () => NOW,
  });
  const systems: Array<[string, string, string]> = [
    ['HDFS', 'loghub.hdfs', 'logs-hdfs-2008.11.'],
    ['Hadoop', 'loghub.hadoop', 'logs-hadoop-2015.10.18'],
    ['Apache', 'loghub.apache', 'logs-apache-2005.12.04'],
    ['OpenSSH', 'loghub.openssh', 'logs-openssh-'],
    ['Linux', 'loghub.linux', 'logs-linux-'],
  ];
  it.each(systems)('%s: the first 200 lines are all written', (system, topic, indexPrefix) => {
    const lines = readFileSync(path.join(loghub, system, `${system}_2k.log`), 'utf8')
      .split('\n')
      .slice(0, 200);
    const counters = createPrepareCounters();
    lines.forEach((line, offset) => {
      const out = write(prepareRecord(kafkaRecord(line, { topic, offset }), shipped, counters));
      expect(out.index.startsWith(indexPrefix)).toBe(true);
      expect(out.id).toBe(`${topic}:3:${offset}`);
      expect(out.doc.message).toBeTypeOf('string');
    });
    expect(counters.parseFailures + counters.timestampFallbacks + counters.pipelineErrors).toBe(0);
  });
});
