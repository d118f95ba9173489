// The handler end to end: rules from YAML, the local OpenSearch server, s3rver for state, a real
// webhook receiver, and fakes for CloudWatch and SNS. State survives a new container.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createS3AlertStateStore } from '../../../functions/adapters/alert-state.ts';
import { createS3Client } from '../../../functions/adapters/s3.ts';
import { createAlertApp } from '../../../functions/alert/app.ts';
import { createHandler } from '../../../functions/alert/handler.ts';
import { emptyState } from '../../../functions/core/alert/state.ts';
import { type LocalS3, startLocalS3 } from '../../../infra/local/s3.ts';
import {
  type Env,
  FakeMetrics,
  FakePublisher,
  MIN,
  RecordingCounters,
  RecordingLogger,
  seed,
  startEnv,
  takeEvents,
} from './support.ts';

const BUCKET = 'sluice-state';
let env: Env;
let s3: LocalS3;

beforeEach(async () => {
  env = await startEnv();
  s3 = await startLocalS3({ buckets: [BUCKET] });
});
afterEach(async () => {
  await env.close();
  await s3.close();
});

const rulesYaml = `
notifiers:
  - name: chat
    type: webhook
    url_env: ALERT_WEBHOOK_URL
    retries: 0
  - name: ops
    type: sns
    topic_arn_env: ALERT_TOPIC_ARN
defaults:
  notify: [chat, ops]
  realert: 30m
  discover_url: "https://dash.example/app/discover#?from={from}&to={to}&q={query}"
health:
  dead_letters: { window: 15m }
rules:
  - name: errors
    type: frequency
    query: 'log.level:error'
    query_key: service.name
    num_events: 2
    timeframe: 5m
  - name: broken
    type: spike
    spike_height: 0.5
    timeframe: 5m
`;

const context = {
  functionName: 'sluice-alert',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:sluice-alert',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/sluice-alert',
  logStreamName: 'stream',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 60_000,
} as never;

function newContainer(metrics: FakeMetrics, publisher: FakePublisher) {
  const lambdaEnv = {
    OPENSEARCH_ENDPOINT: env.server.url,
    OPENSEARCH_AUTH: 'none',
    S3_ENDPOINT: s3.endpoint,
    AWS_REGION: 'us-east-1',
    ALERT_STATE_BUCKET: BUCKET,
    ALERTS_YAML: rulesYaml,
    ALERT_WEBHOOK_URL: env.receiver.url,
    ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:sluice-alerts',
  };
  const logger = new RecordingLogger();
  const counters = new RecordingCounters();
  const handler = createHandler(() =>
    createAlertApp(
      lambdaEnv,
      { logger, counters },
      { metrics, publisher, now: () => env.server.clock.now() },
    ),
  );
  return { handler, logger, counters };
}

describe('alert handler', () => {
  it('runs all rules, notifies webhook and SNS, keeps state in S3 across cold starts, writes history', async () => {
    const metrics = new FakeMetrics();
    metrics.set('RecordsDeadLettered', 4);
    const publisher = new FakePublisher();
    await seed(env, [
      { ago: MIN, 'log.level': 'error', service: { name: 'api' }, message: 'db down' },
      { ago: 2 * MIN, 'log.level': 'error', service: { name: 'api' }, message: 'db down' },
    ]);

    const first = newContainer(metrics, publisher);
    const summary = await first.handler({}, context);
    expect(summary).toMatchObject({
      rules: 2,
      ruleErrors: 0,
      configErrors: 1,
      notifications: 2,
      deliveries: 4,
      deliveryFailures: 0,
    });
    expect(first.logger.lines.find((l) => l.message === 'malformed rule skipped')?.extra.error).toBe(
      'rules[1].spike_height: must be greater than 1 (a ratio), got 0.5',
    );
    expect(takeEvents(env).sort()).toEqual([['api:firing'], ['ingest:firing']]);
    expect(publisher.published.map((p) => p.subject).sort()).toEqual([
      '[Sluice] errors: 1 firing',
      '[Sluice] health.dead_letters: 1 firing',
    ]);
    const errorsMessage = publisher.published.find((p) => p.subject.includes('errors'))?.message ?? '';
    expect(errorsMessage).toContain('FIRING api: 2 (>= 2 events)');
    expect(errorsMessage).toContain('db down');
    expect(errorsMessage).toContain('https://dash.example/app/discover#?from=2026-03-01T11%3A55%3A00.000Z');

    // State is in S3.
    const client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
    const stored = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'alerts/state.json' }));
    const state = JSON.parse((await stored.Body?.transformToString()) ?? '{}');
    expect(Object.keys(state.rules).sort()).toEqual(['errors', 'health.dead_letters']);
    expect(state.rules.errors.keys.api).toMatchObject({ firing: true, notified: true });

    // History is in OpenSearch.
    await env.client.indices.refresh({ index: 'sluice-alerts-history' });
    const history = await env.client.search({ index: 'sluice-alerts-history', body: { size: 10 } });
    const docs = history.body.hits.hits.map((h) => h._source);
    expect(docs).toHaveLength(2);
    expect(docs).toContainEqual(
      expect.objectContaining({
        rule: 'errors',
        key: 'api',
        status: 'firing',
        value: '2',
        delivery: { chat: 'sent', ops: 'sent' },
      }),
    );

    // A new container (cold start) still knows the alert was sent: realert holds.
    env.server.clock.advance(MIN);
    const second = newContainer(metrics, publisher);
    expect(await second.handler({}, context)).toMatchObject({ notifications: 0, suppressed: 2 });
    expect(env.receiver.received).toHaveLength(0);

    // Both conditions clear: one resolve each, once.
    metrics.set('RecordsDeadLettered', undefined);
    env.server.clock.advance(10 * MIN);
    await second.handler({}, context);
    expect(takeEvents(env).sort()).toEqual([['api:resolved'], ['ingest:resolved']]);
    env.server.clock.advance(MIN);
    await newContainer(metrics, publisher).handler({}, context);
    expect(takeEvents(env)).toEqual([]);
  });

  it('a malformed top level fails the cold start with the key named, and is retried next time', async () => {
    const lambdaEnv = {
      OPENSEARCH_ENDPOINT: env.server.url,
      OPENSEARCH_AUTH: 'none',
      S3_ENDPOINT: s3.endpoint,
      ALERTS_YAML: 'notifiers:\n  - name: x\n    type: pager\n',
    };
    let builds = 0;
    const handler = createHandler(() => {
      builds += 1;
      return createAlertApp(lambdaEnv, { logger: new RecordingLogger(), counters: new RecordingCounters() });
    });
    await expect(handler({}, context)).rejects.toThrow(
      'notifiers[0].type: must be sns or webhook, got "pager"',
    );
    await expect(handler({}, context)).rejects.toThrow('notifiers[0].type');
    expect(builds).toBe(2);
  });
});

describe('S3 alert state store', () => {
  it('starts empty, round-trips, and starts afresh on an unreadable object', async () => {
    const client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
    const store = createS3AlertStateStore(client, BUCKET, 'alerts/state.json');
    expect(await store.load()).toEqual(emptyState());
    const state = emptyState();
    state.rules.r = {
      keys: { a: { firing: true, notified: true, since: 1, lastNotifiedAt: 1, realertMs: 600_000 } },
      pending: [],
    };
    await store.save(state);
    expect(await store.load()).toEqual(state);
    const garbage = createS3AlertStateStore(client, BUCKET, 'other.json');
    await garbage.save({ version: 9 } as never);
    expect(await garbage.load()).toEqual(emptyState());
  });

  it('a missing bucket is an error, not an empty state (that would re-notify everything)', async () => {
    const client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
    await expect(createS3AlertStateStore(client, 'no-such-bucket', 'k').load()).rejects.toThrow();
  });
});
