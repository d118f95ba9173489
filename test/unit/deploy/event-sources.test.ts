import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeployError } from '../../../infra/deploy/errors.ts';
import {
  esmExtensions,
  esmLogicalId,
  functionVpc,
  ingestEvents,
  ingestSourceStatements,
  vpcStatements,
} from '../../../infra/deploy/event-sources.ts';
import { parseDeployParams, type RawParams } from '../../../infra/deploy/params.ts';

// osls's own naming rules: the extensions must land on the resources its msk/kafka events create.
const naming = createRequire(import.meta.url)('osls/lib/plugins/aws/lib/naming.js') as {
  getMSKEventLogicalId(fn: string, cluster: string, topic: string): string;
  getKafkaEventLogicalId(fn: string, topic: string): string;
};

const ClusterArn =
  'arn:aws:kafka:us-east-1:123456789012:cluster/logs-prod/751d2973-a626-431c-9d4e-d7975eb44dd7-2';
const Secret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_sluice-AbCdEf';
const Key = 'arn:aws:kms:us-east-1:123456789012:key/1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const Search = {
  opensearchEndpoint: 'https://search-logs-abc123.us-east-1.es.amazonaws.com',
  opensearchResourceArn: 'arn:aws:es:us-east-1:123456789012:domain/logs',
};
const msk = (extra: RawParams = {}) =>
  parseDeployParams({
    kafkaSource: 'msk',
    mskClusterArn: ClusterArn,
    topics: 'app-logs,audit.logs',
    ...Search,
    ...extra,
  });
const kafka = (extra: RawParams = {}) =>
  parseDeployParams({
    kafkaSource: 'kafka',
    topics: 'nginx-access',
    kafkaBootstrapServers: 'b-1:9096,b-2:9096',
    kafkaSecretArn: Secret,
    ...Search,
    ...extra,
  });

const topicName = fc.stringMatching(/^[a-zA-Z0-9._-]{1,60}$/);

describe('esmLogicalId', () => {
  it('matches osls naming for MSK events', () => {
    fc.assert(
      fc.property(topicName, (topic) => {
        expect(esmLogicalId(msk(), topic)).toBe(naming.getMSKEventLogicalId('ingest', 'logs-prod', topic));
      }),
    );
  });
  it('matches osls naming for self-managed Kafka events', () => {
    fc.assert(
      fc.property(topicName, (topic) => {
        expect(esmLogicalId(kafka(), topic)).toBe(naming.getKafkaEventLogicalId('ingest', topic));
      }),
    );
  });
});

describe('ingestEvents', () => {
  it('makes one msk event per topic with the tuning', () => {
    const events = ingestEvents(msk({ batchSize: '250', filterPatterns: '[{"value":{"level":["error"]}}]' }));
    expect(events).toEqual(
      ['app-logs', 'audit.logs'].map((topic) => ({
        msk: {
          arn: ClusterArn,
          topic,
          batchSize: 250,
          maximumBatchingWindow: 1,
          startingPosition: 'TRIM_HORIZON',
          consumerGroupId: 'sluice',
          provisionedPollerConfig: { minimumPollers: 1, maximumPollers: 10 },
          filterPatterns: [{ value: { level: ['error'] } }],
        },
      })),
    );
  });

  it('adds the SCRAM secret for MSK SCRAM', () => {
    expect(ingestEvents(msk({ mskAuth: 'scram512', kafkaSecretArn: Secret }))[0]?.msk).toMatchObject({
      saslScram512: Secret,
    });
  });

  it.each<[string, RawParams, Record<string, unknown>]>([
    ['SCRAM-512', {}, { saslScram512Auth: [Secret] }],
    ['SCRAM-256', { kafkaAuth: 'scram256' }, { saslScram256Auth: [Secret] }],
    ['SASL/PLAIN', { kafkaAuth: 'plain' }, { saslPlainAuth: [Secret] }],
    ['mTLS', { kafkaAuth: 'mtls' }, { clientCertificateTlsAuth: [Secret] }],
    [
      'mTLS with private CA in a VPC',
      {
        kafkaAuth: 'mtls',
        kafkaRootCaSecretArn: `${Secret}-ca`,
        kafkaSubnetIds: 'subnet-0a,subnet-0b',
        kafkaSecurityGroupIds: 'sg-0c',
      },
      {
        clientCertificateTlsAuth: [Secret],
        serverRootCaCertificate: [`${Secret}-ca`],
        vpcSubnet: ['subnet-0a', 'subnet-0b'],
        vpcSecurityGroup: ['sg-0c'],
      },
    ],
    [
      'no auth in a VPC',
      { kafkaAuth: 'none', kafkaSubnetIds: 'subnet-0a', kafkaSecurityGroupIds: 'sg-0c' },
      { vpcSubnet: ['subnet-0a'], vpcSecurityGroup: ['sg-0c'] },
    ],
  ])('self-managed access configuration: %s', (_name, extra, access) => {
    const [event] = ingestEvents(kafka(extra));
    expect(event?.kafka).toMatchObject({ topic: 'nginx-access', bootstrapServers: ['b-1:9096', 'b-2:9096'] });
    expect((event?.kafka as { accessConfigurations?: unknown } | undefined)?.accessConfigurations).toEqual(
      access,
    );
  });

  it('makes none without a source', () => {
    expect(ingestEvents(parseDeployParams({ kafkaSource: 'none', ...Search }))).toEqual([]);
    expect(esmExtensions(parseDeployParams({ kafkaSource: 'none', ...Search }))).toEqual({});
  });

  it('refuses topics that collide on one resource id', () => {
    expect(() => ingestEvents(msk({ topics: 'app-logs,app.logs' }))).toThrow(DeployError);
  });
});

describe('esmExtensions', () => {
  it('adds the properties the yml schema lacks to every mapping', () => {
    const extensions = esmExtensions(msk({ maxRetryAttempts: '5', maxRecordAgeSeconds: '3600' }));
    expect(Object.keys(extensions)).toEqual([
      'IngestEventSourceMappingMSKLogsprodApplogs',
      'IngestEventSourceMappingMSKLogsprodAuditlogs',
    ]);
    expect(extensions.IngestEventSourceMappingMSKLogsprodApplogs).toEqual({
      Properties: {
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 3600,
        DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': ['DeadLetterBucket', 'Arn'] } } },
        MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
      },
    });
  });

  it('sets the client certificate for MSK mTLS', () => {
    const extensions = esmExtensions(msk({ mskAuth: 'mtls', kafkaSecretArn: Secret }));
    expect(Object.values(extensions)[0]).toMatchObject({
      Properties: { SourceAccessConfigurations: [{ Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: Secret }] },
    });
  });
});

const wildcardStatements = (statements: Record<string, unknown>[]) =>
  statements.filter((s) => s.Resource === '*');

describe('ingestSourceStatements', () => {
  it('scopes MSK IAM access to the cluster, topics and consumer group', () => {
    const statements = ingestSourceStatements(msk({ consumerGroupId: 'readers' }));
    const prefix = 'arn:aws:kafka:us-east-1:123456789012';
    const name = 'logs-prod/751d2973-a626-431c-9d4e-d7975eb44dd7-2';
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
      Resource: [`${prefix}:topic/${name}/app-logs`, `${prefix}:topic/${name}/audit.logs`],
    });
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
      Resource: `${prefix}:group/${name}/readers`,
    });
    // Only the ENI statement may use '*' (the pollers run in the cluster's VPC).
    expect(
      wildcardStatements(statements)
        .flatMap((s) => s.Action as string[])
        .every((a) => a.startsWith('ec2:')),
    ).toBe(true);
  });

  it('reads the SCRAM secret and decrypts it only through Secrets Manager', () => {
    const statements = ingestSourceStatements(
      msk({ mskAuth: 'scram512', kafkaSecretArn: Secret, kafkaSecretKmsKeyArn: Key }),
    );
    expect(statements.some((s) => JSON.stringify(s.Action).includes('kafka-cluster:'))).toBe(false);
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: ['secretsmanager:GetSecretValue'],
      Resource: [Secret],
    });
    expect(statements).toContainEqual(expect.objectContaining({ Action: ['kms:Decrypt'], Resource: Key }));
  });

  it('needs no ENI permissions for a public self-managed cluster', () => {
    const statements = ingestSourceStatements(kafka());
    expect(wildcardStatements(statements)).toEqual([]);
    expect(statements).toEqual([
      { Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [Secret] },
    ]);
  });

  it('puts the functions in a VPC only when asked', () => {
    expect(functionVpc(msk())).toEqual({});
    expect(vpcStatements(msk())).toEqual([]);
    const inVpc = msk({ vpcSubnetIds: 'subnet-0a', vpcSecurityGroupIds: 'sg-0b' });
    expect(functionVpc(inVpc)).toEqual({ subnetIds: ['subnet-0a'], securityGroupIds: ['sg-0b'] });
    expect(vpcStatements(inVpc)).toHaveLength(1);
  });
});
