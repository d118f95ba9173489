import { DeployError } from './errors.ts';
import type { DeployParams } from './params.ts';

// Builds the parts of serverless.yml that depend on the stage parameters: one event source mapping
// per topic, the ESM properties the yml schema lacks (as `resources.extensions`), and the ingest
// role's statements for reading the cluster. Pure: serverless-vars.ts feeds it the parameters.

type Json = Record<string, unknown>;

/** The function that consumes the topics, as named under `functions:` in serverless.yml. */
export const IngestFunction = 'ingest';
/** Logical id of the dead-letter bucket in serverless.yml; it is also the ESM on-failure destination. */
export const DeadLetterBucketId = 'DeadLetterBucket';

// osls's naming rules (lib/plugins/aws/lib/naming.js), repeated so that the extensions land on
// the resources the msk/kafka events generate; the template check fails if they ever drift.
const alphaNumeric = (name: string) => {
  const clean = name.replace(/[^0-9A-Za-z]/g, '');
  return clean.charAt(0).toUpperCase() + clean.slice(1);
};
const functionToken = (name: string) => {
  const clean = name.replace(/-/g, 'Dash').replace(/_/g, 'Underscore');
  return clean.charAt(0).toUpperCase() + clean.slice(1);
};

export function esmLogicalId(params: DeployParams, topic: string, functionName = IngestFunction): string {
  if (params.kafkaSource === 'msk') {
    const clusterName = params.msk.clusterArn.split('/')[1] ?? '';
    return `${functionToken(functionName)}EventSourceMappingMSK${alphaNumeric(clusterName).slice(0, 79)}${alphaNumeric(topic).slice(0, 79)}`;
  }
  return `${functionToken(functionName)}EventSourceMappingKafka${alphaNumeric(topic).slice(0, 158)}`;
}

/** The `events:` list of the ingest function: one msk or kafka event per topic. */
export function ingestEvents(params: DeployParams): Json[] {
  if (params.kafkaSource === 'none') return [];
  const seen = new Map<string, string>();
  for (const topic of params.topics) {
    const id = esmLogicalId(params, topic);
    const other = seen.get(id);
    if (other)
      throw new DeployError(`topics ${other} and ${topic} map to the same resource id ${id}; rename one`);
    seen.set(id, topic);
  }
  const common = {
    batchSize: params.batchSize,
    maximumBatchingWindow: params.batchingWindowSeconds,
    startingPosition: params.startingPosition,
    consumerGroupId: params.consumerGroupId,
    // Provisioned mode: needed for the retry and bisect settings below, and it scales by lag.
    provisionedPollerConfig: { minimumPollers: params.minPollers, maximumPollers: params.maxPollers },
    ...(params.filterPatterns.length > 0 ? { filterPatterns: params.filterPatterns } : {}),
  };
  if (params.kafkaSource === 'msk') {
    return params.topics.map((topic) => ({
      msk: {
        arn: params.msk.clusterArn,
        topic,
        ...common,
        ...(params.msk.auth === 'scram512' ? { saslScram512: params.msk.secretArn } : {}),
      },
    }));
  }
  return params.topics.map((topic) => ({
    kafka: {
      bootstrapServers: params.kafka.bootstrapServers,
      topic,
      accessConfigurations: kafkaAccess(params),
      ...common,
    },
  }));
}

function kafkaAccess(params: DeployParams): Json {
  const { kafka } = params;
  const secret = kafka.secretArn ? [kafka.secretArn] : [];
  const auth: Json =
    kafka.auth === 'plain'
      ? { saslPlainAuth: secret }
      : kafka.auth === 'scram256'
        ? { saslScram256Auth: secret }
        : kafka.auth === 'scram512'
          ? { saslScram512Auth: secret }
          : kafka.auth === 'mtls'
            ? { clientCertificateTlsAuth: secret }
            : {};
  return {
    ...auth,
    ...(kafka.rootCaSecretArn ? { serverRootCaCertificate: [kafka.rootCaSecretArn] } : {}),
    ...(kafka.subnetIds.length > 0
      ? { vpcSubnet: kafka.subnetIds, vpcSecurityGroup: kafka.securityGroupIds }
      : {}),
  };
}

/** The ESM properties serverless.yml has no field for, keyed by the generated logical ids. */
export function esmExtensions(params: DeployParams): Json {
  if (params.kafkaSource === 'none') return {};
  const properties: Json = {
    // The handler answers with a partial batch response (ON_UNFINISHED=report).
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    BisectBatchOnFunctionError: true,
    MaximumRetryAttempts: params.maxRetryAttempts,
    MaximumRecordAgeInSeconds: params.maxRecordAgeSeconds,
    // The msk event rejects onFailureDestination; records that exhaust their retries go to S3.
    DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [DeadLetterBucketId, 'Arn'] } } },
    MetricsConfig: { Metrics: ['EventCount', 'ErrorCount', 'KafkaMetrics'] },
  };
  if (params.kafkaSource === 'msk' && params.msk.auth === 'mtls') {
    properties.SourceAccessConfigurations = [
      { Type: 'CLIENT_CERTIFICATE_TLS_AUTH', URI: params.msk.secretArn },
    ];
  }
  return Object.fromEntries(
    params.topics.map((topic) => [esmLogicalId(params, topic), { Properties: properties }]),
  );
}

const sub = (s: string) => ({ 'Fn::Sub': s });

/**
 * ENI management for Lambda in a VPC and for the ESM pollers. AWS requires `Resource: '*'`: the
 * ec2 Describe* actions support no resource-level permissions, and the ENI ids do not exist yet.
 */
export const NetworkInterfaceStatement = {
  Effect: 'Allow',
  Action: [
    'ec2:CreateNetworkInterface',
    'ec2:DescribeNetworkInterfaces',
    'ec2:DeleteNetworkInterface',
    'ec2:DescribeVpcs',
    'ec2:DescribeSubnets',
    'ec2:DescribeSecurityGroups',
    'ec2:AssignPrivateIpAddresses',
    'ec2:UnassignPrivateIpAddresses',
  ],
  Resource: '*',
} as const;

/** What the ingest role needs to read the topics: cluster, topic and group ARNs, secrets, ENIs. */
export function ingestSourceStatements(params: DeployParams): Json[] {
  const statements: Json[] = [];
  const needsEni =
    params.kafkaSource === 'msk' || params.kafka.subnetIds.length > 0 || params.vpc.subnetIds.length > 0;
  if (params.kafkaSource === 'msk') {
    const cluster = params.msk.clusterArn;
    const [, name, uuid] = cluster.split('/');
    const prefix = cluster.slice(0, cluster.indexOf(':cluster/'));
    statements.push({
      Effect: 'Allow',
      Action: ['kafka:DescribeCluster', 'kafka:DescribeClusterV2', 'kafka:GetBootstrapBrokers'],
      Resource: cluster,
    });
    if (params.msk.auth === 'iam') {
      statements.push(
        {
          Effect: 'Allow',
          Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration'],
          Resource: cluster,
        },
        {
          Effect: 'Allow',
          Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
          Resource: params.topics.map((topic) => `${prefix}:topic/${name}/${uuid}/${topic}`),
        },
        {
          Effect: 'Allow',
          Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
          Resource: `${prefix}:group/${name}/${uuid}/${params.consumerGroupId}`,
        },
      );
    }
  }
  const secrets =
    params.kafkaSource === 'msk'
      ? params.msk.auth === 'iam'
        ? []
        : [params.msk.secretArn]
      : params.kafkaSource === 'kafka'
        ? [params.kafka.secretArn, params.kafka.rootCaSecretArn]
        : [];
  const secretArns = secrets.filter((arn): arn is string => Boolean(arn));
  if (secretArns.length > 0) {
    statements.push({ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: secretArns });
    if (params.secretKmsKeyArn) {
      statements.push({
        Effect: 'Allow',
        Action: ['kms:Decrypt'],
        Resource: params.secretKmsKeyArn,
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not JavaScript.
        Condition: { StringEquals: { 'kms:ViaService': sub('secretsmanager.${AWS::Region}.amazonaws.com') } },
      });
    }
  }
  if (needsEni)
    statements.push({ ...NetworkInterfaceStatement, Action: [...NetworkInterfaceStatement.Action] });
  return statements;
}

/** The statements every function in a VPC needs (ENIs), or none. */
export function vpcStatements(params: DeployParams): Json[] {
  return params.vpc.subnetIds.length > 0
    ? [{ ...NetworkInterfaceStatement, Action: [...NetworkInterfaceStatement.Action] }]
    : [];
}

/** `provider.vpc`, or an empty object when the functions run outside a VPC. */
export function functionVpc(params: DeployParams): Json {
  return params.vpc.subnetIds.length > 0
    ? { subnetIds: params.vpc.subnetIds, securityGroupIds: params.vpc.securityGroupIds }
    : {};
}
