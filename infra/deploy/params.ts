import { ParamError } from './errors.ts';

/** Where the ingest function reads from: Amazon MSK, a self-managed Kafka cluster, or nothing (local). */
export const KafkaSources = { msk: 'msk', kafka: 'kafka', none: 'none' } as const;
export type KafkaSource = (typeof KafkaSources)[keyof typeof KafkaSources];

/** How the event source mapping authenticates to MSK. */
export const MskAuthModes = { iam: 'iam', scram512: 'scram512', mtls: 'mtls' } as const;
export type MskAuth = (typeof MskAuthModes)[keyof typeof MskAuthModes];

/** How the event source mapping authenticates to a self-managed cluster. */
export const KafkaAuthModes = {
  none: 'none',
  plain: 'plain',
  scram256: 'scram256',
  scram512: 'scram512',
  mtls: 'mtls',
} as const;
export type KafkaAuth = (typeof KafkaAuthModes)[keyof typeof KafkaAuthModes];

export const StartingPositions = ['LATEST', 'TRIM_HORIZON'] as const;
export type StartingPosition = (typeof StartingPositions)[number];

/** The stage parameters that shape the event source mappings and the ingest role, validated. */
export interface DeployParams {
  kafkaSource: KafkaSource;
  topics: string[];
  msk: { clusterArn: string; auth: MskAuth; secretArn?: string };
  kafka: {
    bootstrapServers: string[];
    auth: KafkaAuth;
    secretArn?: string;
    rootCaSecretArn?: string;
    subnetIds: string[];
    securityGroupIds: string[];
  };
  /** A customer-managed key that encrypts the Kafka secrets (MSK SCRAM requires one). */
  secretKmsKeyArn?: string;
  consumerGroupId: string;
  batchSize: number;
  batchingWindowSeconds: number;
  startingPosition: StartingPosition;
  minPollers: number;
  maxPollers: number;
  maxRetryAttempts: number;
  maxRecordAgeSeconds: number;
  filterPatterns: Record<string, unknown>[];
  /** Subnets and security groups for the functions themselves (empty: no VPC). */
  vpc: { subnetIds: string[]; securityGroupIds: string[] };
  opensearch: {
    endpoint: string;
    service: 'es' | 'aoss';
    auth: 'sigv4' | 'basic' | 'none';
    resourceArn?: string;
  };
}

export type RawParams = Record<string, unknown>;

const SecretArn = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/;
const MskClusterArn = /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[^/]+\/[^/]+$/;
const KmsKeyArn = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/;
const DomainArn = /^arn:aws[a-z-]*:es:[a-z0-9-]+:\d{12}:domain\/[a-z][a-z0-9-]{2,27}$/;
const CollectionArn = /^arn:aws[a-z-]*:aoss:[a-z0-9-]+:\d{12}:collection\/[a-z0-9]+$/;

function opensearch(raw: RawParams): DeployParams['opensearch'] {
  const endpoint = text(raw, 'opensearchEndpoint');
  if (!/^https?:\/\/[^/\s]+/.test(endpoint)) {
    throw new ParamError(
      `param opensearchEndpoint=${JSON.stringify(endpoint)}: expected the https:// URL of the domain or collection`,
    );
  }
  const service = choice(raw, 'opensearchService', ['es', 'aoss'] as const, 'es');
  const auth = choice(raw, 'opensearchAuth', ['sigv4', 'basic', 'none'] as const, 'sigv4');
  const resourceArn = text(raw, 'opensearchResourceArn');
  // The IAM policies name the domain or collection; `none` is for the local stack only.
  if (auth !== 'none' && !(service === 'aoss' ? CollectionArn : DomainArn).test(resourceArn)) {
    throw new ParamError(
      `param opensearchResourceArn=${JSON.stringify(resourceArn)}: expected the ${service === 'aoss' ? 'collection ARN (arn:aws:aoss:<region>:<account>:collection/<id>)' : 'domain ARN (arn:aws:es:<region>:<account>:domain/<name>)'}`,
    );
  }
  return { endpoint, service, auth, ...(resourceArn ? { resourceArn } : {}) };
}

function text(raw: RawParams, key: string): string {
  const value = raw[key];
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new ParamError(`param ${key}: expected a string, got ${JSON.stringify(value)}`);
}

/** A list from a YAML list or a comma-separated string (the form `--param key=a,b` gives). */
export function list(raw: RawParams, key: string): string[] {
  const value = raw[key];
  if (Array.isArray(value)) return value.map((item) => String(item).trim()).filter(Boolean);
  return text(raw, key)
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}

function int(raw: RawParams, key: string, fallback: number, min: number, max: number): number {
  const value = text(raw, key);
  if (value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new ParamError(
      `param ${key}=${JSON.stringify(value)}: expected a whole number from ${min} to ${max}`,
    );
  }
  return n;
}

function choice<const T extends string>(raw: RawParams, key: string, choices: readonly T[], fallback: T): T {
  const value = text(raw, key);
  if (value === '') return fallback;
  if (!(choices as readonly string[]).includes(value)) {
    throw new ParamError(`param ${key}=${JSON.stringify(value)}: expected one of ${choices.join(', ')}`);
  }
  return value as T;
}

function optionalMatching(raw: RawParams, key: string, pattern: RegExp, what: string): string | undefined {
  const value = text(raw, key);
  if (value === '') return undefined;
  if (!pattern.test(value)) throw new ParamError(`param ${key}=${JSON.stringify(value)}: expected ${what}`);
  return value;
}

function matchingAll(raw: RawParams, key: string, pattern: RegExp, what: string): string[] {
  const values = list(raw, key);
  for (const value of values) {
    if (!pattern.test(value)) throw new ParamError(`param ${key}: ${JSON.stringify(value)} is not ${what}`);
  }
  return values;
}

function filterPatterns(raw: RawParams): Record<string, unknown>[] {
  const value = raw.filterPatterns;
  let parsed: unknown = value;
  if (typeof value === 'string') {
    if (value.trim() === '') return [];
    try {
      parsed = JSON.parse(value);
    } catch (error) {
      throw new ParamError(`param filterPatterns: not JSON (${(error as Error).message})`, { cause: error });
    }
  }
  if (parsed === undefined || parsed === null) return [];
  const patterns = Array.isArray(parsed) ? parsed : [parsed];
  if (patterns.length > 5)
    throw new ParamError('param filterPatterns: at most 5 filters per event source mapping');
  for (const pattern of patterns) {
    if (typeof pattern !== 'object' || pattern === null || Array.isArray(pattern)) {
      throw new ParamError(
        'param filterPatterns: each filter must be a JSON object, e.g. {"value":{"level":["error"]}}',
      );
    }
  }
  return patterns as Record<string, unknown>[];
}

/** Validates the raw stage parameters; every error names the parameter to fix. */
export function parseDeployParams(raw: RawParams): DeployParams {
  const kafkaSource = choice(raw, 'kafkaSource', Object.values(KafkaSources), 'none');
  const topics = list(raw, 'topics');
  for (const topic of topics) {
    if (!/^[a-zA-Z0-9._-]{1,249}$/.test(topic))
      throw new ParamError(`param topics: ${JSON.stringify(topic)} is not a Kafka topic name`);
  }
  if (kafkaSource !== 'none' && topics.length === 0)
    throw new ParamError('param topics: list at least one topic');
  if (new Set(topics).size !== topics.length) throw new ParamError('param topics: a topic is listed twice');

  const mskAuth = choice(raw, 'mskAuth', Object.values(MskAuthModes), 'iam');
  const kafkaAuth = choice(raw, 'kafkaAuth', Object.values(KafkaAuthModes), 'scram512');
  const secretArn = optionalMatching(raw, 'kafkaSecretArn', SecretArn, 'a Secrets Manager secret ARN');
  const clusterArn = text(raw, 'mskClusterArn');
  if (kafkaSource === 'msk') {
    if (!MskClusterArn.test(clusterArn)) {
      throw new ParamError(
        `param mskClusterArn=${JSON.stringify(clusterArn)}: expected arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>`,
      );
    }
    if (mskAuth !== 'iam' && !secretArn)
      throw new ParamError(`param kafkaSecretArn: required for mskAuth=${mskAuth}`);
  }
  const subnetIds = matchingAll(raw, 'kafkaSubnetIds', /^subnet-[a-z0-9]+$/, 'a subnet id');
  const securityGroupIds = matchingAll(raw, 'kafkaSecurityGroupIds', /^sg-[a-z0-9]+$/, 'a security group id');
  const bootstrapServers = list(raw, 'kafkaBootstrapServers');
  if (kafkaSource === 'kafka') {
    if (bootstrapServers.length === 0)
      throw new ParamError('param kafkaBootstrapServers: list host:port pairs');
    if (kafkaAuth !== 'none' && !secretArn)
      throw new ParamError(`param kafkaSecretArn: required for kafkaAuth=${kafkaAuth}`);
    if ((subnetIds.length === 0) !== (securityGroupIds.length === 0)) {
      throw new ParamError('params kafkaSubnetIds and kafkaSecurityGroupIds: set both or neither');
    }
    if (kafkaAuth === 'none' && subnetIds.length === 0) {
      throw new ParamError(
        'a self-managed cluster without authentication must be reached through kafkaSubnetIds',
      );
    }
  }
  const vpcSubnets = matchingAll(raw, 'vpcSubnetIds', /^subnet-[a-z0-9]+$/, 'a subnet id');
  const vpcGroups = matchingAll(raw, 'vpcSecurityGroupIds', /^sg-[a-z0-9]+$/, 'a security group id');
  if ((vpcSubnets.length === 0) !== (vpcGroups.length === 0)) {
    throw new ParamError('params vpcSubnetIds and vpcSecurityGroupIds: set both or neither');
  }
  const minPollers = int(raw, 'minPollers', 1, 1, 200);
  const maxPollers = int(raw, 'maxPollers', 10, 1, 2000);
  if (maxPollers < minPollers) throw new ParamError('param maxPollers: must be at least minPollers');
  const maxRecordAgeSeconds = int(raw, 'maxRecordAgeSeconds', -1, -1, 604_800);
  if (maxRecordAgeSeconds >= 0 && maxRecordAgeSeconds < 60) {
    throw new ParamError('param maxRecordAgeSeconds: -1 (no limit) or 60 to 604800');
  }
  const rootCaSecretArn = optionalMatching(
    raw,
    'kafkaRootCaSecretArn',
    SecretArn,
    'a Secrets Manager secret ARN',
  );
  const secretKmsKeyArn = optionalMatching(raw, 'kafkaSecretKmsKeyArn', KmsKeyArn, 'a KMS key ARN');
  return {
    kafkaSource,
    topics,
    msk: { clusterArn, auth: mskAuth, ...(secretArn ? { secretArn } : {}) },
    kafka: {
      bootstrapServers,
      auth: kafkaAuth,
      ...(secretArn ? { secretArn } : {}),
      ...(rootCaSecretArn ? { rootCaSecretArn } : {}),
      subnetIds,
      securityGroupIds,
    },
    ...(secretKmsKeyArn ? { secretKmsKeyArn } : {}),
    consumerGroupId: text(raw, 'consumerGroupId') || 'sluice',
    batchSize: int(raw, 'batchSize', 500, 1, 10_000),
    batchingWindowSeconds: int(raw, 'batchingWindowSeconds', 1, 0, 300),
    startingPosition: choice(raw, 'startingPosition', StartingPositions, 'TRIM_HORIZON'),
    minPollers,
    maxPollers,
    maxRetryAttempts: int(raw, 'maxRetryAttempts', 3, -1, 10_000),
    maxRecordAgeSeconds,
    filterPatterns: filterPatterns(raw),
    vpc: { subnetIds: vpcSubnets, securityGroupIds: vpcGroups },
    opensearch: opensearch(raw),
  };
}
