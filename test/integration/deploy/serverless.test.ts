import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCfnSpec } from '../../../infra/deploy/cfn-spec.ts';
import { checkTemplate, type SpecLookup, type Template } from '../../../infra/deploy/check-template.ts';
import { cleanBuildFolders, offlineEnv, RepoRoot, SlsBin } from '../../../infra/deploy/package.ts';
import { parseDeployParams } from '../../../infra/deploy/params.ts';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.ts';
import { readZip } from './zip.ts';

// `serverless package` and `serverless invoke local` as a user runs them, one after the other
// (they share the .esbuild work folder). Packaging must work with no credentials and no network:
// no-network.ts is preloaded into osls and logs any connection that is not loopback.

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function sls(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const child = spawn(process.execPath, [SlsBin, ...args], { cwd: RepoRoot, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

async function node(args: string[], cwd: string): Promise<string> {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH } });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`node ${args.join(' ')} failed: ${err}`);
  return out;
}

const params = (values: Record<string, string>) =>
  Object.entries(values).map(([k, v]) => `--param=${k}=${v}`);

const ClusterArn =
  'arn:aws:kafka:us-east-1:123456789012:cluster/logs-prod/751d2973-a626-431c-9d4e-d7975eb44dd7-2';
const ScramSecret = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:AmazonMSK_sluice-AbCdEf';

/** ESM-shaping parameters, away from the defaults so the template shows they were applied. */
const Tuning = {
  batchSize: '250',
  batchingWindowSeconds: '3',
  startingPosition: 'LATEST',
  minPollers: '2',
  maxPollers: '8',
  maxRetryAttempts: '4',
  maxRecordAgeSeconds: '3600',
  consumerGroupId: 'sluice-ci-readers',
  filterPatterns: '[{"value":{"log.level":["error","warn"]}}]',
};

const OpenSearch = {
  opensearchEndpoint: 'https://search-logs-abc123.us-east-1.es.amazonaws.com',
  opensearchResourceArn: 'arn:aws:es:us-east-1:123456789012:domain/logs',
};

describe('serverless package (offline) and the template checks', () => {
  let work: string;
  let spec: SpecLookup;

  beforeAll(async () => {
    work = await mkdtemp(path.join(tmpdir(), 'sluice-package-'));
    spec = await loadCfnSpec();
  });
  afterAll(async () => {
    await rm(work, { recursive: true, force: true });
  });

  async function packageStage(name: string, values: Record<string, string>) {
    await cleanBuildFolders();
    const out = path.join(work, name);
    const networkLog = path.join(work, `${name}-network.log`);
    const guard = pathToFileURL(path.join(import.meta.dirname, 'no-network.ts')).href;
    const env = {
      ...offlineEnv({ PATH: process.env.PATH, HOME: work }),
      AWS_ACCESS_KEY_ID: 'AKIAOFFLINETEST00000',
      AWS_SECRET_ACCESS_KEY: 'offline-test-secret',
      NODE_OPTIONS: `--import ${guard}`,
      NETWORK_LOG: networkLog,
    };
    const run = await sls(['package', '--stage', 'ci', '--package', out, ...params(values)], env);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const attempts = existsSync(networkLog) ? (await readFile(networkLog, 'utf8')).trim() : '';
    expect(attempts, 'serverless package tried to reach the network').toBe('');
    const template = JSON.parse(
      await readFile(path.join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as Template;
    return { out, template };
  }

  it('packages an MSK (IAM auth) stage whose template passes every check', async () => {
    const values = {
      kafkaSource: 'msk',
      mskClusterArn: ClusterArn,
      topics: 'app-logs,audit.logs',
      ...Tuning,
      ...OpenSearch,
    };
    const { out, template } = await packageStage('msk', values);

    expect(checkTemplate(template, { spec, params: parseDeployParams(values) })).toEqual([]);

    const ingestZip = readZip(await readFile(path.join(out, 'ingest.zip')));
    expect(ingestZip.get('infra/pipelines.yaml')?.toString()).toBe(
      await readFile(path.join(RepoRoot, 'infra/pipelines.yaml'), 'utf8'),
    );

    const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    // Functions still being written are left out of the package (see presentFunctions).
    const present = ['ingest', 'lifecycle', 'replay', 'alert'].filter((name) =>
      existsSync(path.join(RepoRoot, `functions/${name}/handler.ts`)),
    );
    expect(functions).toHaveLength(present.length);

    // Each zip holds a CommonJS bundle that loads on its own (no node_modules, no package.json
    // next to it, as in /var/task) and the config file its function reads.
    // The lifecycle function also ships the spec's ISM/SM schemas it validates policies against.
    const specSchemas = readdirSync(path.join(RepoRoot, 'infra/opensearch/api-spec/spec/schemas')).map(
      (f) => `infra/opensearch/api-spec/spec/schemas/${f}`,
    );
    const configFiles: Record<string, string[]> = {
      ingest: ['infra/pipelines.yaml'],
      replay: ['infra/pipelines.yaml'],
      lifecycle: ['infra/opensearch/lifecycle.yaml', ...specSchemas],
      alert: ['infra/alerts.yaml'],
    };
    for (const name of present) {
      const entries = readZip(await readFile(path.join(out, `${name}.zip`)));
      expect([...entries.keys()].sort()).toEqual(
        [
          `functions/${name}/handler.cjs`,
          `functions/${name}/handler.cjs.map`,
          ...(configFiles[name] ?? []),
        ].sort(),
      );
      const taskRoot = path.join(work, `task-${name}`);
      await mkdir(path.join(taskRoot, 'functions', name), { recursive: true });
      const bundle = path.join(taskRoot, 'functions', name, 'handler.cjs');
      await writeFile(bundle, entries.get(`functions/${name}/handler.cjs`) ?? '');
      const loaded = await node(
        ['-e', `process.stdout.write(typeof require(${JSON.stringify(bundle)}).handler)`],
        taskRoot,
      );
      expect(loaded, name).toBe('function');
    }
    for (const fn of functions) {
      expect(fn.Properties?.Runtime).toBe('nodejs24.x');
      expect(fn.Properties?.Architectures).toEqual(['arm64']);
      expect(fn.Properties?.Handler).toMatch(/^functions\/\w+\/handler\.handler$/);
    }
    const kafkaPolicy = JSON.stringify(template.Resources.IngestRole?.Properties?.Policies);
    expect(kafkaPolicy).toContain(`${ClusterArn.replace(':cluster/', ':topic/')}/audit.logs`);
    expect(kafkaPolicy).toContain(`${ClusterArn.replace(':cluster/', ':group/')}/sluice-ci-readers`);
  }, 240_000);

  it('packages a self-managed Kafka (SCRAM, VPC) stage with the functions in a VPC', async () => {
    const values = {
      kafkaSource: 'kafka',
      topics: 'nginx-access',
      kafkaBootstrapServers: 'b-1.kafka.internal:9096,b-2.kafka.internal:9096',
      kafkaAuth: 'scram512',
      kafkaSecretArn: ScramSecret,
      kafkaSubnetIds: 'subnet-0a1b2c3d,subnet-4e5f6a7b',
      kafkaSecurityGroupIds: 'sg-0123abcd',
      vpcSubnetIds: 'subnet-0a1b2c3d',
      vpcSecurityGroupIds: 'sg-0123abcd',
      ...Tuning,
      ...OpenSearch,
    };
    const { template } = await packageStage('kafka', values);

    expect(checkTemplate(template, { spec, params: parseDeployParams(values) })).toEqual([]);
    const esm = template.Resources.IngestEventSourceMappingKafkaNginxaccess?.Properties;
    expect(esm?.SourceAccessConfigurations).toEqual([
      { Type: 'SASL_SCRAM_512_AUTH', URI: ScramSecret },
      { Type: 'VPC_SUBNET', URI: 'subnet:subnet-0a1b2c3d' },
      { Type: 'VPC_SUBNET', URI: 'subnet:subnet-4e5f6a7b' },
      { Type: 'VPC_SECURITY_GROUP', URI: 'security_group:sg-0123abcd' },
    ]);
    expect(template.Resources.IngestLambdaFunction?.Properties?.VpcConfig).toEqual({
      SecurityGroupIds: ['sg-0123abcd'],
      SubnetIds: ['subnet-0a1b2c3d'],
    });
    expect(JSON.stringify(template.Resources.IngestRole?.Properties?.Policies)).toContain(ScramSecret);
  }, 240_000);
});

describe('serverless invoke local against the local stack', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await startLocalStack();
  });
  afterAll(async () => {
    await stack?.close();
    // `invoke local` leaves its bundles in .esbuild; nothing else needs them.
    await cleanBuildFolders();
  });

  it('indexes the sample MSK event into the local OpenSearch server', async () => {
    await cleanBuildFolders();
    const run = await sls(
      [
        'invoke',
        'local',
        '-f',
        'ingest',
        '-p',
        'test/fixtures/events/msk.json',
        '--stage',
        'local',
        ...params({ opensearchEndpoint: stack.opensearchUrl, s3Endpoint: stack.s3Endpoint }),
      ],
      offlineEnv({ PATH: process.env.PATH, HOME: process.env.HOME, ...stack.env }),
    );
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const settled = run.stdout
      .split('\n')
      .filter((line) => line.startsWith('{"level"'))
      .map((line) => JSON.parse(line) as { message: string; counters?: { indexed: number } })
      .find((entry) => entry.message === 'batch settled');
    const indexed = settled?.counters?.indexed ?? 0;
    expect(indexed).toBeGreaterThan(0);

    // The first record of the fixture, as the producer wrote it.
    const event = JSON.parse(
      await readFile(path.join(RepoRoot, 'test/fixtures/events/msk.json'), 'utf8'),
    ) as {
      records: Record<string, { value: string }[]>;
    };
    const first = Object.values(event.records)[0]?.[0];
    const message = (
      JSON.parse(Buffer.from(first?.value ?? '', 'base64').toString('utf8')) as { message: string }
    ).message;

    await fetch(`${stack.opensearchUrl}/_refresh`, { method: 'POST' });
    const count = (await (await fetch(`${stack.opensearchUrl}/logs-*/_count`)).json()) as { count: number };
    expect(count.count).toBe(indexed);
    const search = (await (
      await fetch(`${stack.opensearchUrl}/logs-*/_search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: { match_phrase: { message } } }),
      })
    ).json()) as { hits: { hits: unknown[] } };
    expect(search.hits.hits.length).toBeGreaterThan(0);
  }, 180_000);
});
