import { describe, expect, it } from 'vitest';
import { ParamError } from '../../../infra/deploy/errors.ts';
import { parseDeployParams, type RawParams } from '../../../infra/deploy/params.ts';

const ClusterArn =
  'arn:aws:kafka:us-east-1:123456789012:cluster/logs-prod/751d2973-a626-431c-9d4e-d7975eb44dd7-2';
const Secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_sluice-AbCdEf';
const Search = {
  opensearchEndpoint: 'https://search-logs-abc123.us-east-1.es.amazonaws.com',
  opensearchResourceArn: 'arn:aws:es:us-east-1:123456789012:domain/logs',
};
const msk: RawParams = { kafkaSource: 'msk', mskClusterArn: ClusterArn, topics: 'app-logs', ...Search };
const kafka: RawParams = {
  kafkaSource: 'kafka',
  topics: ['nginx-access'],
  kafkaBootstrapServers: 'b-1:9096,b-2:9096',
  kafkaAuth: 'scram512',
  kafkaSecretArn: Secret,
  ...Search,
};

describe('parseDeployParams', () => {
  it('fills the defaults for an MSK stage', () => {
    expect(parseDeployParams(msk)).toEqual({
      kafkaSource: 'msk',
      topics: ['app-logs'],
      msk: { clusterArn: ClusterArn, auth: 'iam' },
      kafka: { bootstrapServers: [], auth: 'scram512', subnetIds: [], securityGroupIds: [] },
      consumerGroupId: 'sluice',
      batchSize: 500,
      batchingWindowSeconds: 1,
      startingPosition: 'TRIM_HORIZON',
      minPollers: 1,
      maxPollers: 10,
      maxRetryAttempts: 3,
      maxRecordAgeSeconds: -1,
      filterPatterns: [],
      vpc: { subnetIds: [], securityGroupIds: [] },
      opensearch: {
        endpoint: 'https://search-logs-abc123.us-east-1.es.amazonaws.com',
        service: 'es',
        auth: 'sigv4',
        resourceArn: 'arn:aws:es:us-east-1:123456789012:domain/logs',
      },
    });
  });

  it.each<[string, RawParams, Record<string, unknown>]>([
    ['comma list with spaces', { ...msk, topics: ' a , b,,c ' }, { topics: ['a', 'b', 'c'] }],
    ['YAML list', { ...msk, topics: ['a', 'b'] }, { topics: ['a', 'b'] }],
    [
      'numbers as strings (--param)',
      { ...msk, batchSize: '250', maxPollers: '40' },
      { batchSize: 250, maxPollers: 40 },
    ],
    ['numbers from YAML', { ...msk, batchingWindowSeconds: 0 }, { batchingWindowSeconds: 0 }],
    [
      'filter JSON string',
      { ...msk, filterPatterns: '{"value":{"level":["error"]}}' },
      { filterPatterns: [{ value: { level: ['error'] } }] },
    ],
    ['filter list', { ...msk, filterPatterns: [{ key: ['a'] }] }, { filterPatterns: [{ key: ['a'] }] }],
    [
      'empty strings are unset',
      { ...msk, batchSize: '', vpcSubnetIds: '' },
      { batchSize: 500, vpc: { subnetIds: [], securityGroupIds: [] } },
    ],
    ['no source needs no topics', { kafkaSource: 'none', ...Search }, { kafkaSource: 'none', topics: [] }],
    [
      'local stack: no auth, no ARN',
      { kafkaSource: 'none', opensearchEndpoint: 'http://127.0.0.1:9200', opensearchAuth: 'none' },
      { opensearch: { endpoint: 'http://127.0.0.1:9200', service: 'es', auth: 'none' } },
    ],
    [
      'serverless collection',
      {
        ...msk,
        opensearchService: 'aoss',
        opensearchEndpoint: 'https://abc123.us-east-1.aoss.amazonaws.com',
        opensearchResourceArn: 'arn:aws:aoss:us-east-1:123456789012:collection/abc123',
      },
      {
        opensearch: { service: 'aoss', resourceArn: 'arn:aws:aoss:us-east-1:123456789012:collection/abc123' },
      },
    ],
    ['record age 60 is the minimum', { ...msk, maxRecordAgeSeconds: '60' }, { maxRecordAgeSeconds: 60 }],
  ])('%s', (_name, raw, expected) => {
    expect(parseDeployParams(raw)).toMatchObject(expected);
  });

  it('accepts a self-managed SCRAM cluster', () => {
    expect(parseDeployParams(kafka).kafka).toEqual({
      bootstrapServers: ['b-1:9096', 'b-2:9096'],
      auth: 'scram512',
      secretArn: Secret,
      subnetIds: [],
      securityGroupIds: [],
    });
  });

  it.each<[string, RawParams, RegExp]>([
    ['unknown source', { kafkaSource: 'kinesis' }, /kafkaSource/],
    ['no OpenSearch endpoint', { ...msk, opensearchEndpoint: '' }, /opensearchEndpoint/],
    ['SigV4 without the domain ARN', { ...msk, opensearchResourceArn: '' }, /opensearchResourceArn/],
    ['a domain ARN for a collection', { ...msk, opensearchService: 'aoss' }, /collection ARN/],
    ['msk without topics', { ...msk, topics: '' }, /topics/],
    ['duplicate topic', { ...msk, topics: 'a,a' }, /twice/],
    ['bad topic name', { ...msk, topics: 'a b' }, /topic name/],
    [
      'bad cluster ARN',
      { ...msk, mskClusterArn: 'arn:aws:kafka:us-east-1:123456789012:topic/x/y' },
      /mskClusterArn/,
    ],
    ['msk SCRAM without secret', { ...msk, mskAuth: 'scram512' }, /kafkaSecretArn/],
    [
      'secret that is not an ARN',
      { ...msk, mskAuth: 'scram512', kafkaSecretArn: 'my-secret' },
      /kafkaSecretArn/,
    ],
    ['kafka without brokers', { ...kafka, kafkaBootstrapServers: '' }, /kafkaBootstrapServers/],
    ['subnets without groups', { ...kafka, kafkaSubnetIds: 'subnet-0a1b' }, /both or neither/],
    ['unauthenticated kafka outside a VPC', { ...kafka, kafkaAuth: 'none' }, /kafkaSubnetIds/],
    ['bad subnet id', { ...msk, vpcSubnetIds: 'sub-1', vpcSecurityGroupIds: 'sg-1' }, /subnet id/],
    ['batch size too big', { ...msk, batchSize: '10001' }, /batchSize/],
    ['batch size not whole', { ...msk, batchSize: '1.5' }, /batchSize/],
    ['window too long', { ...msk, batchingWindowSeconds: '301' }, /batchingWindowSeconds/],
    ['max below min pollers', { ...msk, minPollers: '5', maxPollers: '2' }, /maxPollers/],
    ['record age below 60', { ...msk, maxRecordAgeSeconds: '30' }, /maxRecordAgeSeconds/],
    [
      'AT_TIMESTAMP needs a timestamp we do not take',
      { ...msk, startingPosition: 'AT_TIMESTAMP' },
      /startingPosition/,
    ],
    ['filter not JSON', { ...msk, filterPatterns: '{value' }, /filterPatterns/],
    ['filter not an object', { ...msk, filterPatterns: '["x"]' }, /filterPatterns/],
    ['six filters', { ...msk, filterPatterns: Array.from({ length: 6 }, () => ({ a: [1] })) }, /at most 5/],
    ['object where a string belongs', { ...msk, consumerGroupId: { Ref: 'X' } }, /consumerGroupId/],
  ])('rejects %s', (_name, raw, message) => {
    expect(() => parseDeployParams(raw)).toThrow(ParamError);
    expect(() => parseDeployParams(raw)).toThrow(message);
  });
});
