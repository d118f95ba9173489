import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  esmExtensions,
  functionVpc,
  ingestEvents,
  ingestSourceStatements,
  vpcStatements,
} from './event-sources.ts';
import { type DeployParams, parseDeployParams, type RawParams } from './params.ts';

// Variable resolvers for serverless.yml (`${file(infra/deploy/serverless-vars.js):deploy.ingestEvents}`).
// osls calls an exported function with its resolver helpers; we read the stage parameters through
// `param:` (so `--param key=value` overrides work) and hand them to the pure builders.

/** The stage parameters the builders read; each must have a value (possibly '') under `params.default`. */
export const ParamKeys = [
  'kafkaSource',
  'topics',
  'mskClusterArn',
  'mskAuth',
  'kafkaBootstrapServers',
  'kafkaAuth',
  'kafkaSecretArn',
  'kafkaRootCaSecretArn',
  'kafkaSecretKmsKeyArn',
  'kafkaSubnetIds',
  'kafkaSecurityGroupIds',
  'consumerGroupId',
  'batchSize',
  'batchingWindowSeconds',
  'startingPosition',
  'minPollers',
  'maxPollers',
  'maxRetryAttempts',
  'maxRecordAgeSeconds',
  'filterPatterns',
  'vpcSubnetIds',
  'vpcSecurityGroupIds',
  'opensearchEndpoint',
  'opensearchService',
  'opensearchAuth',
  'opensearchResourceArn',
] as const;

interface ResolverContext {
  resolveVariable: (expression: string) => Promise<unknown>;
}

export interface Deployment {
  params: DeployParams;
  ingestEvents: Record<string, unknown>[];
  esmExtensions: Record<string, unknown>;
  ingestSourceStatements: Record<string, unknown>[];
  vpcStatements: Record<string, unknown>[];
  vpc: Record<string, unknown>;
  /** Strings for CloudFormation conditions (`!Equals [..., 'true']`). */
  flags: { hasKafkaSource: 'true' | 'false'; inVpc: 'true' | 'false' };
}

export function buildDeployment(raw: RawParams): Deployment {
  const params = parseDeployParams(raw);
  return {
    params,
    ingestEvents: ingestEvents(params),
    esmExtensions: esmExtensions(params),
    ingestSourceStatements: ingestSourceStatements(params),
    vpcStatements: vpcStatements(params),
    vpc: functionVpc(params),
    flags: {
      hasKafkaSource: params.kafkaSource === 'none' ? 'false' : 'true',
      inVpc: params.vpc.subnetIds.length > 0 ? 'true' : 'false',
    },
  };
}

let cached: Promise<Deployment> | undefined;

/**
 * Resolved once per `serverless` run; every `deploy.*` variable shares the result. A failure is not
 * kept: osls asks again once the `param` source is ready (early passes throw a dependency error).
 */
export function deploy({ resolveVariable }: ResolverContext): Promise<Deployment> {
  cached ??= (async () => {
    const raw: RawParams = {};
    for (const key of ParamKeys) raw[key] = await resolveVariable(`param:${key}`);
    return buildDeployment(raw);
  })().catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

/** This checkout's root; the `local` stage points the functions' config files here. */
export const repoRoot = path.resolve(import.meta.dirname, '../..');

interface FunctionDefinition {
  handler: string;
  [key: string]: unknown;
}

/** The source file a `handler: functions/x/handler.handler` points at. */
export function handlerSource(handler: string): string {
  return `${handler.slice(0, handler.lastIndexOf('.'))}.ts`;
}

/**
 * The definitions whose handler source exists. A function still being written is left out (with a
 * warning) so the others still package; its definition stays in serverless.yml, ready.
 */
export function presentFunctions(
  definitions: Record<string, FunctionDefinition>,
  exists: (file: string) => boolean = (file) => existsSync(path.join(repoRoot, file)),
): Record<string, FunctionDefinition> {
  const present: Record<string, FunctionDefinition> = {};
  for (const [name, definition] of Object.entries(definitions)) {
    if (exists(handlerSource(definition.handler))) present[name] = definition;
    else
      process.stderr.write(
        `sluice: skipping function ${name}: ${handlerSource(definition.handler)} does not exist yet\n`,
      );
  }
  return present;
}

export async function packagedFunctions(
  context: ResolverContext & { resolveConfigurationProperty: (path: string[]) => Promise<unknown> },
): Promise<Record<string, FunctionDefinition>> {
  const definitions = (await context.resolveConfigurationProperty([
    'custom',
    'functionDefinitions',
  ])) as Record<string, FunctionDefinition>;
  const { vpc } = await deploy(context);
  const present = presentFunctions(definitions);
  if (Object.keys(vpc).length === 0) return present;
  return Object.fromEntries(
    Object.entries(present).map(([name, definition]) => [name, { ...definition, vpc }]),
  );
}
