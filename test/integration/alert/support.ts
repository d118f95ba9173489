// Shared set-up for the alert integration tests: the local OpenSearch server on a manual clock,
// a real webhook receiver, and an app built from a rules object with plain-object fakes for the
// AWS ports (CloudWatch, SNS).
import { Client } from '@opensearch-project/opensearch';
import { createAlertSearch } from '../../../functions/adapters/alert-opensearch.ts';
import { createMemoryAlertStateStore } from '../../../functions/adapters/alert-state.ts';
import type { MetricReader } from '../../../functions/adapters/cloudwatch.ts';
import type { MessagePublisher, SnsMessage } from '../../../functions/adapters/sns.ts';
import { createNotifiers } from '../../../functions/alert/notifiers.ts';
import type { AlertApp, RunLogger, RunMetrics } from '../../../functions/alert/run.ts';
import { compileAlertConfigLenient } from '../../../functions/core/alert/rules.ts';
import type { MetricQuery } from '../../../functions/core/alert/types.ts';
import { type OpenSearchServer, startOpenSearchServer } from '../../../infra/local/opensearch/server.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../../../infra/local/webhook-receiver.ts';

export const T0 = Date.parse('2026-03-01T12:00:00.000Z');
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const LOG_INDEX = 'logs-app-000001';

export interface Env {
  server: OpenSearchServer;
  client: Client;
  receiver: WebhookReceiver;
  close(): Promise<void>;
}

export async function startEnv(): Promise<Env> {
  const server = await startOpenSearchServer({ port: 0, now: T0 });
  const client = new Client({ node: server.url });
  const receiver = await startWebhookReceiver({ quiet: true });
  await client.indices.create({
    index: LOG_INDEX,
    body: {
      mappings: {
        properties: {
          '@timestamp': { type: 'date' },
          message: { type: 'text' },
          service: { properties: { name: { type: 'keyword' } } },
          log: { properties: { level: { type: 'keyword' } } },
          error: { properties: { type: { type: 'keyword' } } },
          event: { properties: { duration: { type: 'long' } } },
        },
      },
    },
  });
  return {
    server,
    client,
    receiver,
    async close() {
      await receiver.close();
      await client.close();
      await server.close();
    },
  };
}

/** Indexes documents at times relative to the server clock (`ago` in ms before now). */
export async function seed(env: Env, docs: Array<{ ago: number } & Record<string, unknown>>): Promise<void> {
  const now = env.server.clock.now();
  const body = docs.flatMap(({ ago, ...fields }) => [
    { index: { _index: LOG_INDEX } },
    { '@timestamp': new Date(now - ago).toISOString(), ...fields },
  ]);
  const response = await env.client.bulk({ body, refresh: 'true' });
  if (response.body.errors) throw new Error(`seed failed: ${JSON.stringify(response.body.items)}`);
}

export class FakeMetrics implements MetricReader {
  readonly values = new Map<string, number>();
  readonly calls: MetricQuery[] = [];
  set(metricName: string, value: number | undefined): void {
    if (value === undefined) this.values.delete(metricName);
    else this.values.set(metricName, value);
  }
  async read(query: MetricQuery): Promise<number | undefined> {
    this.calls.push(query);
    return this.values.get(query.metricName);
  }
}

export class FakePublisher implements MessagePublisher {
  readonly published: SnsMessage[] = [];
  failing = false;
  async publish(message: SnsMessage): Promise<void> {
    if (this.failing) throw new Error('SNS is down');
    this.published.push(message);
  }
}

export class RecordingLogger implements RunLogger {
  readonly lines: Array<{ level: string; message: string; extra: Record<string, unknown> }> = [];
  info(message: string, extra: Record<string, unknown>): void {
    this.lines.push({ level: 'info', message, extra });
  }
  warn(message: string, extra: Record<string, unknown>): void {
    this.lines.push({ level: 'warn', message, extra });
  }
  error(message: string, extra: Record<string, unknown>): void {
    this.lines.push({ level: 'error', message, extra });
  }
}

export class RecordingCounters implements RunMetrics {
  readonly totals: Record<string, number> = {};
  addMetric(name: string, _unit: 'Count', value: number): void {
    this.totals[name] = (this.totals[name] ?? 0) + value;
  }
}

/**
 * An app over the local server whose rules come from `rules` (the alerts.yaml object). The webhook
 * notifier `hook` points at the receiver; `sns` goes to the fake publisher.
 */
export function buildApp(
  env: Env,
  rules: Record<string, unknown>,
  extra: { metrics?: FakeMetrics; publisher?: FakePublisher; stateStore?: AlertApp['stateStore'] } = {},
) {
  const raw = {
    notifiers: [
      { name: 'hook', type: 'webhook', url: env.receiver.url, timeout: '2s', retries: 1 },
      { name: 'sns', type: 'sns', topic_arn: 'arn:aws:sns:us-east-1:123456789012:alerts' },
    ],
    defaults: { notify: ['hook'], realert: '10m' },
    ...rules,
  };
  const { config, errors } = compileAlertConfigLenient(raw);
  const logger = new RecordingLogger();
  const counters = new RecordingCounters();
  const publisher = extra.publisher ?? new FakePublisher();
  const app: AlertApp = {
    config,
    configErrors: errors,
    search: createAlertSearch(env.client),
    metrics: extra.metrics ?? new FakeMetrics(),
    notifiers: createNotifiers(config.notifiers, { env: {}, publisher, webhookBackoffMs: () => 5 }),
    stateStore: extra.stateStore ?? createMemoryAlertStateStore(),
    now: () => env.server.clock.now(),
    logger,
    counters,
  };
  return { app, logger, counters, publisher };
}

/** The webhook bodies received so far, as `key:status` per event, and clears them. */
export function takeEvents(env: Env): string[][] {
  const bodies = env.receiver.received
    .splice(0)
    .map((r) => r.body as { events: Array<{ key: string; status: string; repeat: boolean }> });
  return bodies.map((b) => b.events.map((e) => `${e.key}:${e.status}${e.repeat ? ':repeat' : ''}`));
}
