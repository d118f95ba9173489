// Built once per container: settings, the lifecycle config and the desired state built from it,
// the spec validators, and the ports (OpenSearch, the S3 catalog, the clock). Tests pass overrides.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'yaml';
import { compileSpecValidators, DEFAULT_SPEC_DIR } from '../../infra/opensearch/spec-schemas.ts';
import { type CatalogStore, createS3CatalogStore } from '../adapters/lifecycle-catalog.ts';
import { createLifecycleCluster, type LifecycleCluster } from '../adapters/lifecycle-opensearch.ts';
import { createOpenSearchClient } from '../adapters/opensearch.ts';
import { createS3Client } from '../adapters/s3.ts';
import { type LifecycleConfig, parseLifecycleConfig } from '../core/lifecycle/config.ts';
import { buildDesiredState, type DesiredState } from '../core/lifecycle/desired.ts';
import type { SpecValidators } from '../core/lifecycle/validate.ts';
import type { Env } from '../runtime/env.ts';
import { ConfigError } from '../runtime/errors.ts';
import { type LifecycleSettings, readLifecycleSettings } from './config.ts';

export interface AppLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

export interface LifecycleApp {
  readonly settings: LifecycleSettings;
  readonly config: LifecycleConfig;
  readonly desired: DesiredState;
  readonly validators: SpecValidators;
  /** `spec`: the API spec's schemas; `built-in`: the spec was not shipped, only the core's rules run. */
  readonly validatorSource: 'spec' | 'built-in';
  readonly cluster: LifecycleCluster;
  readonly catalog: CatalogStore;
  readonly now: () => number;
}

export interface LifecycleAppOverrides {
  cluster?: LifecycleCluster;
  catalog?: CatalogStore;
  validators?: SpecValidators;
  now?: () => number;
}

/** The deployment's bucket and role replace what lifecycle.yaml says (the YAML cannot know them). */
export function applyEnvironment(config: LifecycleConfig, settings: LifecycleSettings): LifecycleConfig {
  const repoSettings = { ...config.repository.settings };
  if (settings.snapshotBucket !== undefined && config.repository.type === 's3')
    repoSettings.bucket = settings.snapshotBucket;
  if (settings.snapshotRoleArn !== undefined) repoSettings.role_arn = settings.snapshotRoleArn;
  return { ...config, repository: { ...config.repository, settings: repoSettings } };
}

export function catalogBucketOf(config: LifecycleConfig, settings: LifecycleSettings): string {
  if (settings.catalogBucket !== undefined) return settings.catalogBucket;
  const bucket = config.repository.settings.bucket;
  if (typeof bucket === 'string' && bucket.length > 0) return bucket;
  throw new ConfigError(
    `CATALOG_BUCKET is required: repository ${config.repository.name} (type ${config.repository.type}) has no bucket for the catalog`,
  );
}

function taskRoot(env: Env): string {
  return env.LAMBDA_TASK_ROOT ?? process.cwd();
}

async function loadConfig(settings: LifecycleSettings, env: Env): Promise<LifecycleConfig> {
  let text = settings.lifecycle.inline;
  if (text === undefined) {
    const file = path.resolve(taskRoot(env), settings.lifecycle.file);
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      throw new ConfigError(
        `LIFECYCLE_FILE: cannot read ${settings.lifecycle.file} (${(error as Error).message}); ship the file with the function or set LIFECYCLE_YAML`,
        { cause: error },
      );
    }
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(`lifecycle: not valid YAML: ${(error as Error).message}`, { cause: error });
  }
  // Shape problems throw LifecycleConfigError here; the rules across fields run before each run's first call.
  return applyEnvironment(parseLifecycleConfig(raw), settings);
}

/** Without the spec's schemas the core's own checks still run; the schema step reports nothing. */
const BUILT_IN_VALIDATORS: SpecValidators = { ismPolicy: () => [], smPolicy: () => [] };

function loadValidators(
  settings: LifecycleSettings,
  env: Env,
  logger: AppLogger,
): { validators: SpecValidators; source: 'spec' | 'built-in' } {
  const dir = settings.specDir ? path.resolve(taskRoot(env), settings.specDir) : DEFAULT_SPEC_DIR;
  if (existsSync(path.join(dir, 'spec', 'schemas', 'ism._common.yaml'))) {
    return { validators: compileSpecValidators(dir), source: 'spec' };
  }
  logger.warn('OpenSearch API spec not found: policies are checked by the built-in rules only', {
    specDir: dir,
  });
  return { validators: BUILT_IN_VALIDATORS, source: 'built-in' };
}

export async function createLifecycleApp(
  env: Env,
  logger: AppLogger,
  overrides: LifecycleAppOverrides = {},
): Promise<LifecycleApp> {
  const settings = readLifecycleSettings(env);
  const config = await loadConfig(settings, env);
  const desired = buildDesiredState(config);
  const { validators, source } = overrides.validators
    ? { validators: overrides.validators, source: 'spec' as const }
    : loadValidators(settings, env, logger);
  const cluster =
    overrides.cluster ?? createLifecycleCluster(await createOpenSearchClient(settings.opensearch));
  const catalog =
    overrides.catalog ??
    createS3CatalogStore(createS3Client({ region: settings.region, ...settings.s3 }), {
      bucket: catalogBucketOf(config, settings),
      sse: 'AES256',
    });
  return {
    settings,
    config,
    desired,
    validators,
    validatorSource: source,
    cluster,
    catalog,
    now: overrides.now ?? Date.now,
  };
}
