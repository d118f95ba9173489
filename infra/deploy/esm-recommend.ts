import type { Cluster, GetBootstrapBrokersResponse } from '@aws-sdk/client-kafka';
import { DeployError } from './errors.ts';
import type { MskAuth } from './params.ts';

// The ESM helper's decisions, pure: which authentication the event source mapping should use for a
// described cluster, and batch size, batching window and pollers from the expected traffic.

const MB = 1_000_000;

/** Lambda's synchronous invocation payload limit; a Kafka batch must fit in it. */
export const MaxPayloadBytes = 6 * 1024 * 1024;
/** Provisioned-mode throughput AWS quotes per event poller (up to ~5 MB/s). */
export const PollerMBps = 5;
/**
 * Bytes each record adds to the event besides its base64 value: topic, partition, offset,
 * timestamp, timestampType, base64 key and headers as JSON number arrays: 143 to 546 bytes on the
 * fixtures in test/fixtures/events (headers dominate).
 */
export const RecordOverheadBytes = 400;

export interface TrafficEstimate {
  /** Average Kafka record value size in bytes. */
  avgRecordBytes: number;
  /** Expected steady throughput, MB/s, over all topics. */
  targetMBps: number;
  /** Peak over steady throughput; sets maxPollers. */
  peakFactor?: number;
  /** Total partitions of the topics, when known: more pollers than partitions never help. */
  partitions?: number;
  /** Longest time a record may wait for its batch to fill (freshness of the logs). */
  maxWindowSeconds?: number;
}

export interface EsmSettings {
  batchSize: number;
  batchingWindowSeconds: number;
  minPollers: number;
  maxPollers: number;
  /** Bytes a full batch puts in the invocation payload (estimate). */
  batchPayloadBytes: number;
}

const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));

/** Bytes one record takes in the Lambda event: base64 value (4/3) plus the per-record JSON. */
export function eventBytesPerRecord(avgRecordBytes: number): number {
  return 4 * Math.ceil(avgRecordBytes / 3) + RecordOverheadBytes;
}

export function recommendEsmSettings(traffic: TrafficEstimate): EsmSettings {
  const { avgRecordBytes, targetMBps } = traffic;
  if (!(avgRecordBytes > 0)) throw new DeployError('average record size must be more than 0 bytes');
  if (!(targetMBps > 0)) throw new DeployError('target throughput must be more than 0 MB/s');
  const perRecord = eventBytesPerRecord(avgRecordBytes);
  // 10% headroom: record sizes vary around the average, and a batch over 6 MB is split by Lambda.
  const batchSize = clamp(Math.floor((MaxPayloadBytes * 0.9) / perRecord), 1, 10_000);
  const batchPayloadBytes = batchSize * perRecord;

  // Wait no longer than it takes the traffic to fill one batch, and no longer than freshness allows.
  const fillSeconds = (batchSize * avgRecordBytes) / (targetMBps * MB);
  const batchingWindowSeconds = clamp(
    Math.ceil(fillSeconds),
    0,
    clamp(traffic.maxWindowSeconds ?? 5, 0, 300),
  );

  const cap = traffic.partitions && traffic.partitions > 0 ? traffic.partitions : Number.POSITIVE_INFINITY;
  const minPollers = clamp(Math.min(Math.ceil(targetMBps / PollerMBps), cap), 1, 200);
  const peak = targetMBps * (traffic.peakFactor ?? 2);
  const maxPollers = clamp(Math.min(Math.ceil(peak / PollerMBps), cap), minPollers, 2000);
  return { batchSize, batchingWindowSeconds, minPollers, maxPollers, batchPayloadBytes };
}

export interface ClusterAccess {
  clusterType: 'PROVISIONED' | 'SERVERLESS';
  auth: MskAuth;
  /** The bootstrap brokers for that authentication. */
  bootstrapBrokers: string;
  subnetIds: string[];
  securityGroupIds: string[];
  /** What the user still has to provide (e.g. the SCRAM secret), in words. */
  notes: string[];
}

/**
 * Picks the ESM authentication for a cluster, in order of preference: IAM (no secret to rotate),
 * SASL/SCRAM, then mutual TLS. Unauthenticated-only clusters are refused: Sluice reads logs that
 * often hold personal data, and the ESM cannot be narrowed without client identity.
 */
export function chooseClusterAccess(cluster: Cluster, brokers: GetBootstrapBrokersResponse): ClusterAccess {
  const name = cluster.ClusterName ?? cluster.ClusterArn ?? 'the cluster';
  if (cluster.State && cluster.State !== 'ACTIVE' && cluster.State !== 'UPDATING') {
    throw new DeployError(`${name} is ${cluster.State}; wait until it is ACTIVE`);
  }
  if (cluster.ClusterType === 'SERVERLESS') {
    const vpc = cluster.Serverless?.VpcConfigs?.[0];
    if (!brokers.BootstrapBrokerStringSaslIam)
      throw new DeployError(`${name}: no IAM bootstrap brokers returned`);
    return {
      clusterType: 'SERVERLESS',
      auth: 'iam',
      bootstrapBrokers: brokers.BootstrapBrokerStringSaslIam,
      subnetIds: vpc?.SubnetIds ?? [],
      securityGroupIds: vpc?.SecurityGroupIds ?? [],
      notes: [],
    };
  }
  const provisioned = cluster.Provisioned;
  if (!provisioned)
    throw new DeployError(`${name}: the description has neither Provisioned nor Serverless details`);
  const auth = provisioned.ClientAuthentication;
  const nodes = provisioned.BrokerNodeGroupInfo;
  const network = { subnetIds: nodes?.ClientSubnets ?? [], securityGroupIds: nodes?.SecurityGroups ?? [] };
  if (auth?.Sasl?.Iam?.Enabled && brokers.BootstrapBrokerStringSaslIam) {
    return {
      clusterType: 'PROVISIONED',
      auth: 'iam',
      bootstrapBrokers: brokers.BootstrapBrokerStringSaslIam,
      ...network,
      notes: [],
    };
  }
  if (auth?.Sasl?.Scram?.Enabled && brokers.BootstrapBrokerStringSaslScram) {
    return {
      clusterType: 'PROVISIONED',
      auth: 'scram512',
      bootstrapBrokers: brokers.BootstrapBrokerStringSaslScram,
      ...network,
      notes: [
        'set kafkaSecretArn: a Secrets Manager secret named AmazonMSK_… with {"username","password"}, associated with the cluster',
        'set kafkaSecretKmsKeyArn: the customer-managed KMS key that encrypts that secret',
      ],
    };
  }
  if (auth?.Tls?.Enabled && brokers.BootstrapBrokerStringTls) {
    return {
      clusterType: 'PROVISIONED',
      auth: 'mtls',
      bootstrapBrokers: brokers.BootstrapBrokerStringTls,
      ...network,
      notes: [
        `set kafkaSecretArn: a secret with the client certificate and key, signed by ${(auth.Tls.CertificateAuthorityArnList ?? []).join(' or ') || 'the cluster CA'}`,
      ],
    };
  }
  throw new DeployError(
    `${name}: enable IAM, SASL/SCRAM or TLS client authentication; unauthenticated access is not supported`,
  );
}

/** The stage parameters for serverless.yml (`params.<stage>`), as YAML-ready key/values. */
export function stageParams(
  clusterArn: string,
  topics: string[],
  access: ClusterAccess,
  settings: EsmSettings,
): Record<string, string | number> {
  return {
    kafkaSource: 'msk',
    mskClusterArn: clusterArn,
    mskAuth: access.auth,
    topics: topics.join(','),
    batchSize: settings.batchSize,
    batchingWindowSeconds: settings.batchingWindowSeconds,
    minPollers: settings.minPollers,
    maxPollers: settings.maxPollers,
    ...(access.auth === 'iam' ? {} : { kafkaSecretArn: '' }),
  };
}
