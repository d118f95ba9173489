import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DescribeClusterV2Command, GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DeployError } from '../../../infra/deploy/errors.ts';
import { describeForEsm, parseCli, renderParams } from '../../../infra/deploy/esm-helper.ts';
import { parseDeployParams } from '../../../infra/deploy/params.ts';

// The MSK control plane has no emulator: the SDK client is mocked with AWS's mocking library and
// answers with `aws kafka describe-cluster-v2` / `get-bootstrap-brokers` outputs (fixtures).

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/deploy');
const json = (name: string) => JSON.parse(readFileSync(path.join(fixtures, name), 'utf8'));
const kafka = mockClient(KafkaClient);
afterEach(() => kafka.reset());

function answer(kind: string): string {
  const described = json(`describe-cluster-v2-${kind}.json`);
  kafka
    .on(DescribeClusterV2Command)
    .resolves(described)
    .on(GetBootstrapBrokersCommand)
    .resolves(json(`get-bootstrap-brokers-${kind}.json`));
  return described.ClusterInfo.ClusterArn as string;
}

const client = () =>
  new KafkaClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

describe('describeForEsm', () => {
  it.each<[string, string, string]>([
    ['iam', 'iam', ':9098'],
    ['scram', 'scram512', ':9096'],
    ['tls', 'mtls', ':9094'],
  ])('%s cluster: stage parameters that serverless.yml accepts', async (kind, auth, port) => {
    const clusterArn = answer(kind);
    const result = await describeForEsm(client(), {
      clusterArn,
      topics: ['app-logs', 'audit'],
      avgRecordBytes: 1024,
      targetMBps: 12,
    });

    expect(kafka.commandCalls(DescribeClusterV2Command)[0]?.args[0].input).toEqual({
      ClusterArn: clusterArn,
    });
    expect(kafka.commandCalls(GetBootstrapBrokersCommand)[0]?.args[0].input).toEqual({
      ClusterArn: clusterArn,
    });
    expect(result.access.auth).toBe(auth);
    expect(result.access.bootstrapBrokers).toContain(port);
    expect(result.params).toMatchObject({
      kafkaSource: 'msk',
      mskClusterArn: clusterArn,
      mskAuth: auth,
      topics: 'app-logs,audit',
      batchSize: 3202,
      minPollers: 3,
      maxPollers: 5,
    });

    // The printed YAML, once the TODO secret is filled in, is valid input for the deploy.
    const printed = parse(renderParams(result, 'prod')) as { params: { prod: Record<string, unknown> } };
    expect(printed.params.prod).toEqual(result.params);
    const secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_sluice-AbCdEf';
    const search = {
      opensearchEndpoint: 'https://search-logs-abc123.us-east-1.es.amazonaws.com',
      opensearchResourceArn: 'arn:aws:es:us-east-1:123456789012:domain/logs',
    };
    const filled = {
      ...printed.params.prod,
      ...search,
      ...(auth === 'iam' ? {} : { kafkaSecretArn: secret }),
    };
    expect(parseDeployParams(filled)).toMatchObject({ msk: { clusterArn, auth }, batchSize: 3202 });
  });

  it('says what is missing for a SCRAM cluster', async () => {
    const clusterArn = answer('scram');
    const result = await describeForEsm(client(), {
      clusterArn,
      topics: ['a'],
      avgRecordBytes: 500,
      targetMBps: 1,
    });
    expect(renderParams(result, 'prod')).toMatch(/# TODO set kafkaSecretArn/);
  });

  it('refuses an unauthenticated cluster', async () => {
    const clusterArn = answer('unauthenticated');
    await expect(
      describeForEsm(client(), { clusterArn, topics: ['a'], avgRecordBytes: 500, targetMBps: 1 }),
    ).rejects.toThrow(DeployError);
  });

  it('passes SDK errors through', async () => {
    kafka
      .on(DescribeClusterV2Command)
      .rejects(Object.assign(new Error('Cluster not found'), { name: 'NotFoundException' }));
    await expect(
      describeForEsm(client(), {
        clusterArn: 'arn:aws:kafka:us-east-1:1:cluster/x/y',
        topics: ['a'],
        avgRecordBytes: 1,
        targetMBps: 1,
      }),
    ).rejects.toThrow('Cluster not found');
    expect(kafka.commandCalls(GetBootstrapBrokersCommand)).toHaveLength(0);
  });
});

describe('parseCli', () => {
  const arn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/logs/abc-1';

  it('reads repeated and comma-separated topics and the region from the ARN', () => {
    expect(
      parseCli([
        '--cluster-arn',
        arn,
        '--topic',
        'a,b',
        '--topic',
        'c',
        '--target-mbps',
        '20',
        '--partitions',
        '12',
      ]),
    ).toEqual({
      clusterArn: arn,
      region: 'eu-west-1',
      topics: ['a', 'b', 'c'],
      avgRecordBytes: 1024,
      targetMBps: 20,
      partitions: 12,
      stage: 'prod',
    });
  });

  it.each([
    [['--topic', 'a'], /--cluster-arn/],
    [['--cluster-arn', arn], /--topic/],
    [['--cluster-arn', arn, '--topic', 'a', '--avg-record-bytes', '-3'], /avg-record-bytes/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(message);
  });
});
