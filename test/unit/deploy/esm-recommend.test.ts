import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Cluster, GetBootstrapBrokersResponse } from '@aws-sdk/client-kafka';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeployError } from '../../../infra/deploy/errors.ts';
import {
  chooseClusterAccess,
  eventBytesPerRecord,
  MaxPayloadBytes,
  recommendEsmSettings,
  stageParams,
} from '../../../infra/deploy/esm-recommend.ts';

const fixtures = path.resolve(import.meta.dirname, '../../fixtures/deploy');
const load = (kind: string) => ({
  cluster: (
    JSON.parse(readFileSync(path.join(fixtures, `describe-cluster-v2-${kind}.json`), 'utf8')) as {
      ClusterInfo: Cluster;
    }
  ).ClusterInfo,
  brokers: JSON.parse(
    readFileSync(path.join(fixtures, `get-bootstrap-brokers-${kind}.json`), 'utf8'),
  ) as GetBootstrapBrokersResponse,
});

describe('recommendEsmSettings', () => {
  it.each<
    [
      string,
      Parameters<typeof recommendEsmSettings>[0],
      Omit<ReturnType<typeof recommendEsmSettings>, 'batchPayloadBytes'>,
    ]
  >([
    // 1 KiB records: 1768 event bytes each; 0.9 × 6 MiB / 1768 = 3202.
    [
      '1 KiB at 5 MB/s',
      { avgRecordBytes: 1024, targetMBps: 5 },
      { batchSize: 3202, batchingWindowSeconds: 1, minPollers: 1, maxPollers: 2 },
    ],
    // Tiny records hit the 10 000 record cap before the payload limit.
    [
      '100 B at 1 MB/s',
      { avgRecordBytes: 100, targetMBps: 1 },
      { batchSize: 10_000, batchingWindowSeconds: 1, minPollers: 1, maxPollers: 1 },
    ],
    // Slow topic: filling a batch takes ~33 s, so the freshness cap (5 s) decides.
    [
      '1 KiB at 0.1 MB/s',
      { avgRecordBytes: 1024, targetMBps: 0.1 },
      { batchSize: 3202, batchingWindowSeconds: 5, minPollers: 1, maxPollers: 1 },
    ],
    [
      'custom freshness cap',
      { avgRecordBytes: 1024, targetMBps: 0.1, maxWindowSeconds: 20 },
      { batchSize: 3202, batchingWindowSeconds: 20, minPollers: 1, maxPollers: 1 },
    ],
    // 2 KiB records: 4 × 683 + 400 = 3132 event bytes; 0.9 × 6 MiB / 3132 = 1807.
    [
      '50 MB/s, 3× peaks',
      { avgRecordBytes: 2048, targetMBps: 50, peakFactor: 3 },
      { batchSize: 1807, batchingWindowSeconds: 1, minPollers: 10, maxPollers: 30 },
    ],
    [
      'partitions cap the pollers',
      { avgRecordBytes: 2048, targetMBps: 50, partitions: 6 },
      { batchSize: 1807, batchingWindowSeconds: 1, minPollers: 6, maxPollers: 6 },
    ],
    // A 5 MB record is allowed (Kafka max.message.bytes) but only alone in a batch.
    [
      'huge records',
      { avgRecordBytes: 4_000_000, targetMBps: 5 },
      { batchSize: 1, batchingWindowSeconds: 1, minPollers: 1, maxPollers: 2 },
    ],
  ])('%s', (_name, traffic, expected) => {
    expect(recommendEsmSettings(traffic)).toMatchObject(expected);
  });

  it('keeps a full batch under the 6 MB payload when records fit at all', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3_000_000 }),
        fc.double({ min: 0.01, max: 500, noNaN: true }),
        (size, mbps) => {
          const s = recommendEsmSettings({ avgRecordBytes: size, targetMBps: mbps });
          expect(s.batchSize * eventBytesPerRecord(size)).toBeLessThanOrEqual(MaxPayloadBytes);
          expect(s.minPollers).toBeLessThanOrEqual(s.maxPollers);
          expect(s.batchingWindowSeconds).toBeLessThanOrEqual(5);
        },
      ),
    );
  });

  it.each([
    [0, 5],
    [1024, 0],
    [Number.NaN, 5],
  ])('rejects record size %s at %s MB/s', (size, mbps) => {
    expect(() => recommendEsmSettings({ avgRecordBytes: size, targetMBps: mbps })).toThrow(DeployError);
  });
});

describe('chooseClusterAccess', () => {
  it.each<[string, string, string, number]>([
    ['iam', 'iam', ':9098', 3],
    ['scram', 'scram512', ':9096', 3],
    ['tls', 'mtls', ':9094', 3],
    ['serverless', 'iam', ':9098', 2],
  ])('%s cluster → %s', (kind, auth, port, subnets) => {
    const { cluster, brokers } = load(kind);
    const access = chooseClusterAccess(cluster, brokers);
    expect(access.auth).toBe(auth);
    expect(access.bootstrapBrokers.endsWith(port)).toBe(true);
    expect(access.subnetIds).toHaveLength(subnets);
    expect(access.securityGroupIds).toEqual(['sg-0f1e2d3c4b5a69788']);
  });

  it('asks for the secret and key on a SCRAM cluster', () => {
    const { cluster, brokers } = load('scram');
    expect(chooseClusterAccess(cluster, brokers).notes.join('\n')).toMatch(
      /kafkaSecretArn[\s\S]*kafkaSecretKmsKeyArn/,
    );
  });

  it('names the CA for an mTLS client certificate', () => {
    const { cluster, brokers } = load('tls');
    expect(chooseClusterAccess(cluster, brokers).notes[0]).toContain('certificate-authority/11111111');
  });

  it('prefers IAM when a cluster has IAM and SCRAM', () => {
    const { cluster } = load('iam');
    const both = structuredClone(cluster);
    if (both.Provisioned?.ClientAuthentication?.Sasl?.Scram)
      both.Provisioned.ClientAuthentication.Sasl.Scram.Enabled = true;
    const access = chooseClusterAccess(both, {
      BootstrapBrokerStringSaslIam: 'b-1:9098',
      BootstrapBrokerStringSaslScram: 'b-1:9096',
    });
    expect(access.auth).toBe('iam');
  });

  it('refuses an unauthenticated-only cluster', () => {
    const { cluster, brokers } = load('unauthenticated');
    expect(() => chooseClusterAccess(cluster, brokers)).toThrow(/enable IAM, SASL\/SCRAM or TLS/);
  });

  it('refuses a cluster that is not active', () => {
    const { cluster, brokers } = load('iam');
    expect(() => chooseClusterAccess({ ...cluster, State: 'CREATING' }, brokers)).toThrow(/CREATING/);
  });
});

describe('stageParams', () => {
  it('leaves a kafkaSecretArn to fill for SCRAM and none for IAM', () => {
    const settings = recommendEsmSettings({ avgRecordBytes: 1024, targetMBps: 5 });
    const scram = load('scram');
    const iam = load('iam');
    expect(
      stageParams('arn', ['a', 'b'], chooseClusterAccess(scram.cluster, scram.brokers), settings),
    ).toMatchObject({
      mskAuth: 'scram512',
      topics: 'a,b',
      kafkaSecretArn: '',
    });
    expect(
      stageParams('arn', ['a'], chooseClusterAccess(iam.cluster, iam.brokers), settings),
    ).not.toHaveProperty('kafkaSecretArn');
  });
});
