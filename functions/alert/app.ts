// Built once per container: settings, compiled rules, and the ports (OpenSearch, CloudWatch, SNS,
// webhooks, S3 state, clock). Tests pass `overrides` for the ports that stand for AWS.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SNSClient } from '@aws-sdk/client-sns';
import { parse } from 'yaml';
import { createAlertSearch } from '../adapters/alert-opensearch.ts';
import { createS3AlertStateStore } from '../adapters/alert-state.ts';
import { createCloudWatchMetricReader } from '../adapters/cloudwatch.ts';
import { createOpenSearchClient } from '../adapters/opensearch.ts';
import { createS3Client } from '../adapters/s3.ts';
import { createSnsPublisher, type MessagePublisher } from '../adapters/sns.ts';
import { AlertConfigError } from '../core/alert/errors.ts';
import { compileAlertConfigLenient } from '../core/alert/rules.ts';
import { type Env, fillPlaceholders } from '../runtime/env.ts';
import { readAlertSettings } from './config.ts';
import { createNotifiers } from './notifiers.ts';
import type { AlertApp, RunLogger, RunMetrics } from './run.ts';

export interface AlertAppOverrides {
  metrics?: AlertApp['metrics'];
  publisher?: MessagePublisher;
  search?: AlertApp['search'];
  stateStore?: AlertApp['stateStore'];
  now?: () => number;
  webhookBackoffMs?: (attempt: number) => number;
}

async function loadRulesYaml(source: { file: string; inline?: string }, env: Env): Promise<unknown> {
  const root = env.LAMBDA_TASK_ROOT ?? process.cwd();
  const raw = source.inline ?? (await readFile(path.resolve(root, source.file), 'utf8'));
  // e.g. the ingest function's deployed name, which depends on the stage.
  const text = fillPlaceholders(raw, env);
  try {
    return parse(text);
  } catch (error) {
    throw new AlertConfigError(
      source.inline ? 'ALERTS_YAML' : source.file,
      `is not valid YAML: ${(error as Error).message}`,
    );
  }
}

export async function createAlertApp(
  env: Env,
  observability: { logger: RunLogger; counters: RunMetrics },
  overrides: AlertAppOverrides = {},
): Promise<AlertApp> {
  const settings = readAlertSettings(env);
  // A malformed rule or health block is left out (and reported every run); malformed defaults or
  // notifiers throw from here: every rule depends on them.
  const { config, errors } = compileAlertConfigLenient(await loadRulesYaml(settings.rules, env));

  const client = await createOpenSearchClient(settings.opensearch);
  const s3 = createS3Client({ region: settings.region, ...settings.s3 });
  const publisher = overrides.publisher ?? createSnsPublisher(new SNSClient({ region: settings.region }));
  return {
    config,
    configErrors: errors,
    search: overrides.search ?? createAlertSearch(client, settings.historyIndex),
    metrics:
      overrides.metrics ?? createCloudWatchMetricReader(new CloudWatchClient({ region: settings.region })),
    notifiers: createNotifiers(config.notifiers, {
      env,
      publisher,
      ...(overrides.webhookBackoffMs ? { webhookBackoffMs: overrides.webhookBackoffMs } : {}),
    }),
    stateStore:
      overrides.stateStore ?? createS3AlertStateStore(s3, settings.state.bucket, settings.state.key),
    now: overrides.now ?? Date.now,
    logger: observability.logger,
    counters: observability.counters,
  };
}
