import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DescribeClusterV2Command, GetBootstrapBrokersCommand, KafkaClient } from '@aws-sdk/client-kafka';
import { stringify } from 'yaml';
import { DeployError } from './errors.ts';
import {
  type ClusterAccess,
  chooseClusterAccess,
  type EsmSettings,
  recommendEsmSettings,
  stageParams,
} from './esm-recommend.ts';

// `npm run esm -- --cluster-arn arn:aws:kafka:… --topic app-logs [--topic …] [--avg-record-bytes 800]
//   [--target-mbps 10] [--partitions 24] [--stage prod] [--out params.yml]`
// Describes the MSK cluster, picks the ESM authentication and prints the stage parameters.

export interface EsmHelperInput {
  clusterArn: string;
  topics: string[];
  avgRecordBytes: number;
  targetMBps: number;
  partitions?: number;
  maxWindowSeconds?: number;
}

export interface EsmHelperResult {
  access: ClusterAccess;
  settings: EsmSettings;
  params: Record<string, string | number>;
}

/** The two SDK calls, then the pure decisions. The client comes from the caller (tests mock it). */
export async function describeForEsm(client: KafkaClient, input: EsmHelperInput): Promise<EsmHelperResult> {
  const described = await client.send(new DescribeClusterV2Command({ ClusterArn: input.clusterArn }));
  if (!described.ClusterInfo)
    throw new DeployError(`DescribeClusterV2 returned no ClusterInfo for ${input.clusterArn}`);
  const brokers = await client.send(new GetBootstrapBrokersCommand({ ClusterArn: input.clusterArn }));
  const access = chooseClusterAccess(described.ClusterInfo, brokers);
  const settings = recommendEsmSettings({
    avgRecordBytes: input.avgRecordBytes,
    targetMBps: input.targetMBps,
    ...(input.partitions ? { partitions: input.partitions } : {}),
    ...(input.maxWindowSeconds !== undefined ? { maxWindowSeconds: input.maxWindowSeconds } : {}),
  });
  return { access, settings, params: stageParams(input.clusterArn, input.topics, access, settings) };
}

/** The YAML printed for `params.<stage>`, with the findings as comments. */
export function renderParams(result: EsmHelperResult, stage: string): string {
  const { access, settings } = result;
  const header = [
    `# ${access.clusterType} cluster, ${access.auth} authentication; brokers: ${access.bootstrapBrokers}`,
    `# a full batch ≈ ${(settings.batchPayloadBytes / 1024 / 1024).toFixed(2)} MiB of the 6 MiB invocation payload`,
    ...access.notes.map((note) => `# TODO ${note}`),
  ];
  return `${header.join('\n')}\n${stringify({ params: { [stage]: result.params } })}`;
}

function positive(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!(n > 0)) throw new DeployError(`--${name} must be a positive number, got ${JSON.stringify(value)}`);
  return n;
}

export function parseCli(argv: string[]): EsmHelperInput & { stage: string; out?: string; region: string } {
  const { values } = parseArgs({
    args: argv,
    options: {
      'cluster-arn': { type: 'string' },
      topic: { type: 'string', multiple: true },
      'avg-record-bytes': { type: 'string' },
      'target-mbps': { type: 'string' },
      partitions: { type: 'string' },
      'max-window-seconds': { type: 'string' },
      stage: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const clusterArn = values['cluster-arn'];
  const region = clusterArn?.split(':')[3];
  if (!clusterArn || !region)
    throw new DeployError('--cluster-arn arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> is required');
  const topics = (values.topic ?? [])
    .flatMap((t) => t.split(','))
    .map((t) => t.trim())
    .filter(Boolean);
  if (topics.length === 0) throw new DeployError('--topic is required (repeat it or separate with commas)');
  const partitions =
    values.partitions === undefined ? undefined : positive(values.partitions, 'partitions', 1);
  const maxWindow = values['max-window-seconds'];
  return {
    clusterArn,
    region,
    topics,
    avgRecordBytes: positive(values['avg-record-bytes'], 'avg-record-bytes', 1024),
    targetMBps: positive(values['target-mbps'], 'target-mbps', 5),
    ...(partitions ? { partitions: Math.round(partitions) } : {}),
    ...(maxWindow !== undefined ? { maxWindowSeconds: Number(maxWindow) } : {}),
    stage: values.stage ?? 'prod',
    ...(values.out ? { out: values.out } : {}),
  };
}

async function main(): Promise<void> {
  const cli = parseCli(process.argv.slice(2));
  const client = new KafkaClient({ region: cli.region });
  const text = renderParams(await describeForEsm(client, cli), cli.stage);
  if (cli.out) {
    await writeFile(cli.out, text);
    console.log(`wrote ${cli.out}; merge it under params: in serverless.yml`);
  } else {
    process.stdout.write(text);
  }
}

if (import.meta.main) {
  try {
    await main();
  } catch (error) {
    console.error(error instanceof DeployError ? `esm: ${error.message}` : error);
    process.exitCode = 1;
  }
}
