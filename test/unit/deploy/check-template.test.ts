import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCfnSpec } from '../../../infra/deploy/cfn-spec.ts';
import {
  checkBuckets,
  checkEventSourceMappings,
  checkIamWildcards,
  checkSchema,
  checkTemplate,
  type SpecLookup,
  type Template,
} from '../../../infra/deploy/check-template.ts';
import { parseDeployParams } from '../../../infra/deploy/params.ts';

// The fixture is the template `npm run package` wrote for an MSK stage (see the README section);
// each test breaks one thing in a copy and expects that check, and only that, to complain.

const fixture = path.resolve(import.meta.dirname, '../../fixtures/deploy/template-msk.json');
const params = parseDeployParams({
  kafkaSource: 'msk',
  mskClusterArn:
    'arn:aws:kafka:us-east-1:123456789012:cluster/logs-prod/751d2973-a626-431c-9d4e-d7975eb44dd7-2',
  topics: 'app-logs,nginx-access',
  consumerGroupId: 'sluice-ci',
  opensearchEndpoint: 'https://search-logs-abc123.us-east-1.es.amazonaws.com',
  opensearchResourceArn: 'arn:aws:es:us-east-1:123456789012:domain/logs',
});
const esmId = 'IngestEventSourceMappingMSKLogsprodApplogs';

let spec: SpecLookup;
let original: Template;
const copy = (): Template => structuredClone(original);
const resource = (t: Template, id: string) => {
  const found = t.Resources[id];
  if (!found) throw new Error(`fixture has no ${id}`);
  return found;
};
const props = (t: Template, id: string) => resource(t, id).Properties as Record<string, unknown>;
const rolePolicy = (t: Template, role: string) =>
  (props(t, role).Policies as { PolicyDocument: { Statement: unknown[] } }[])[0]?.PolicyDocument
    .Statement as unknown[];

beforeAll(async () => {
  spec = await loadCfnSpec();
  original = JSON.parse(await readFile(fixture, 'utf8')) as Template;
});

describe('the packaged template', () => {
  it('passes every check', () => {
    expect(checkTemplate(original, { spec, params })).toEqual([]);
  });
});

describe('checkSchema', () => {
  it.each<[string, (t: Template) => void, RegExp]>([
    [
      'an unknown resource type',
      (t) => (resource(t, 'AlertTopic').Type = 'AWS::SNS::Topick'),
      /unknown resource type/,
    ],
    ['an unknown property', (t) => (props(t, esmId).BatchSizes = 10), /BatchSizes: no such property/],
    [
      'an unknown nested property',
      (t) => (props(t, esmId).DestinationConfig = { OnFailure: { Destinaton: 'arn:aws:s3:::x' } }),
      /OnFailure.Destinaton: no such property/,
    ],
    [
      'a value outside an enum',
      (t) => (props(t, esmId).MetricsConfig = { Metrics: ['EventCount', 'Lag'] }),
      /"Lag" is not one of/,
    ],
    [
      'a string where a number belongs',
      (t) => (props(t, esmId).BatchSize = 'many'),
      /BatchSize: expected a number/,
    ],
    ['a missing required property', (t) => delete props(t, esmId).FunctionName, /FunctionName: required/],
    [
      'a scalar where a list belongs',
      (t) => (props(t, esmId).Topics = 'app-logs'),
      /Topics: expected a list/,
    ],
  ])('reports %s', (_name, breakIt, message) => {
    const t = copy();
    breakIt(t);
    const problems = checkSchema(t, spec);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it('checks both branches of Fn::If', () => {
    const t = copy();
    props(t, 'DeadLetterAlarm').Threshold = { 'Fn::If': ['HasAlarmEmail', 1, 'one'] };
    expect(checkSchema(t, spec)).toEqual(['DeadLetterAlarm.Properties.Threshold: expected a number']);
  });
});

describe('checkIamWildcards', () => {
  it('reports a wildcard resource for an action that can be scoped', () => {
    const t = copy();
    rolePolicy(t, 'AlertRole').push({ Effect: 'Allow', Action: ['s3:GetObject'], Resource: '*' });
    expect(checkIamWildcards(t)).toEqual([
      expect.stringMatching(/^AlertRole.Policies\[0\].Statement\[\d+\]: wildcard resource for s3:GetObject$/),
    ]);
  });

  it('reports service-wide ARNs and wildcards hidden in Fn::If', () => {
    const t = copy();
    rolePolicy(t, 'IngestRole').push({
      'Fn::If': [
        'IsServerless',
        { Effect: 'Allow', Action: 'aoss:*', Resource: 'arn:aws:aoss:*' },
        { Ref: 'AWS::NoValue' },
      ],
    });
    expect(checkIamWildcards(t)).toHaveLength(1);
  });

  it('lets the listed ENI and metric-read actions use *', () => {
    const t = copy();
    rolePolicy(t, 'AlertRole').push({ Effect: 'Allow', Action: ['ec2:DescribeSubnets'], Resource: '*' });
    expect(checkIamWildcards(t)).toEqual([]);
  });

  it('reports the shared osls role', () => {
    const t = copy();
    t.Resources.IamRoleLambdaExecution = { Type: 'AWS::IAM::Role', Properties: {} };
    expect(checkIamWildcards(t)).toEqual([expect.stringContaining('shared osls role')]);
  });

  it('ignores Deny statements', () => {
    const t = copy();
    rolePolicy(t, 'AlertRole').push({ Effect: 'Deny', Action: ['s3:*'], Resource: '*' });
    expect(checkIamWildcards(t)).toEqual([]);
  });
});

describe('checkBuckets', () => {
  it.each<[string, (t: Template) => void, RegExp]>([
    [
      'no encryption',
      (t) => delete props(t, 'ArchiveBucket').BucketEncryption,
      /ArchiveBucket: not encrypted/,
    ],
    [
      'public policies allowed',
      (t) =>
        ((
          props(t, 'SnapshotBucket').PublicAccessBlockConfiguration as Record<string, unknown>
        ).BlockPublicPolicy = false),
      /SnapshotBucket: PublicAccessBlockConfiguration.BlockPublicPolicy/,
    ],
    [
      'no TLS-only policy',
      (t) => delete t.Resources.StateBucketPolicy,
      /StateBucket: no bucket policy denies/,
    ],
  ])('reports %s', (_name, breakIt, message) => {
    const t = copy();
    breakIt(t);
    const problems = checkBuckets(t);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});

describe('checkEventSourceMappings', () => {
  it('reports a setting that differs from the parameters', () => {
    const t = copy();
    props(t, esmId).BatchSize = 100;
    expect(checkEventSourceMappings(t, params)).toEqual([`${esmId}.BatchSize: 100, expected 500`]);
  });

  it('reports a missing partial batch response', () => {
    const t = copy();
    delete props(t, esmId).FunctionResponseTypes;
    expect(checkEventSourceMappings(t, params)).toHaveLength(1);
  });

  it('reports a topic without a mapping', () => {
    expect(checkEventSourceMappings(original, { ...params, topics: [...params.topics, 'audit'] })).toEqual([
      'expected 3 event source mappings, found 2',
      'IngestEventSourceMappingMSKLogsprodAudit: missing (topic audit)',
    ]);
  });
});
