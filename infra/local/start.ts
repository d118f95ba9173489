// `npm start`: the local stack, then the ingest handler over the shipped samples through the ESM
// simulator, then a summary read back from OpenSearch and S3. `--keep` leaves the stack running.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { Client } from '@opensearch-project/opensearch';
import type { Context } from 'aws-lambda';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { createS3Client } from '../../functions/adapters/s3.ts';
import type { MetricQuery } from '../../functions/core/alert/types.ts';
import type { DeadLetterEntry } from '../../functions/core/bulk/types.ts';
import { buildMappingsComponent } from '../../functions/core/lifecycle/desired.ts';
import type { ProcessedBatch } from '../../functions/ingest/process.ts';
import { s3OnFailureDestination } from './esm/on-failure.ts';
import { EsmSimulator, type TopicRecord } from './esm/simulator.ts';
import { generateLines } from './samples.ts';
import { startLocalStack } from './stack.ts';
import { startWebhookReceiver } from './webhook-receiver.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const keep = process.argv.includes('--keep');
const PARTITIONS = 3;

/** Lines per topic → records spread over partitions in order, as a keyless producer would. */
function toRecords(topic: string, lines: Array<string | Buffer | null>, now: number): TopicRecord[] {
  const next = new Array(PARTITIONS).fill(0);
  return lines.map((line, i) => {
    const partition = i % PARTITIONS;
    return {
      topic,
      partition,
      offset: next[partition]++,
      timestamp: now - (lines.length - i) * 10,
      key: null,
      value: line === null ? null : Buffer.isBuffer(line) ? line : Buffer.from(line),
      headers: { 'content-type': 'text/plain' },
    };
  });
}

function samples(now: number): Map<string, Array<string | Buffer | null>> {
  const topics = new Map<string, Array<string | Buffer | null>>();
  const fixtures = (name: string) =>
    readFileSync(path.join(repo, 'test/fixtures/logs', name), 'utf8')
      .split('\n')
      .filter(Boolean);
  topics.set('app-logs', [
    ...generateLines('json', 3000, { seed: 1, endMs: now }),
    ...fixtures('app.jsonl'),
    ...fixtures('logfmt.log').slice(0, 2),
    // Bad input on purpose: it must end in the dead-letter store with a reason, not vanish.
    'this line is neither JSON nor key=value',
    Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0xff, 0xfe, 0x7d]),
    JSON.stringify({
      '@timestamp': new Date(now).toISOString(),
      service: { name: 'checkout' },
      http: { response: { status_code: 'two hundred' } },
    }),
    null, // a tombstone: counted and skipped
  ]);
  topics.set('nginx.access', [
    ...generateLines('nginx', 2000, { seed: 2, endMs: now }),
    ...fixtures('nginx_access.log'),
  ]);
  topics.set('syslog.messages', [
    ...generateLines('syslog', 1000, { seed: 3, endMs: now }),
    ...fixtures('syslog.log'),
  ]);
  // Real logs from Loghub (logpai), when the shared samples sit next to the repository.
  const loghub = path.resolve(repo, '../shared/loghub');
  if (existsSync(loghub)) {
    for (const system of readdirSync(loghub, { withFileTypes: true })) {
      if (!system.isDirectory()) continue;
      const file = readdirSync(path.join(loghub, system.name)).find((f) => f.endsWith('_2k.log'));
      if (!file) continue;
      const lines = readFileSync(path.join(loghub, system.name, file), 'utf8')
        .split('\n')
        .filter(Boolean);
      topics.set(`loghub.${system.name.toLowerCase()}`, lines);
    }
  }
  return topics;
}

async function main(): Promise<void> {
  const started = Date.now();
  const stack = await startLocalStack();
  const stop = async () => {
    await stack.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  console.log(`local stack: OpenSearch-compatible server ${stack.opensearchUrl}, S3 ${stack.s3Endpoint}`);

  Object.assign(process.env, stack.env, {
    PIPELINES_FILE: path.join(repo, 'infra/pipelines.yaml'),
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
  });
  const totals = {
    recordsIn: 0,
    indexed: 0,
    duplicates: 0,
    dropped: 0,
    deadLettered: 0,
    reported: 0,
    bulkRequests: 0,
    bulkBytes: 0,
  };
  const { createIngestHandler } = await import('../../functions/ingest/handler.ts');
  const handler = createIngestHandler({
    onBatch: ({ result: { counters } }: ProcessedBatch) => {
      totals.recordsIn += counters.recordsIn;
      totals.indexed += counters.indexed;
      totals.duplicates += counters.duplicates;
      totals.dropped += counters.dropped;
      totals.deadLettered += counters.deadLettered;
      totals.reported += counters.reported;
      totals.bulkRequests += counters.bulkRequests;
      totals.bulkBytes += counters.bulkBytes;
    },
  });

  await runLifecycle(stack.env, stack.s3Endpoint);

  // The project's ECS mappings for every `logs-*` index (keyword `service.name`, `log.level`, …, as
  // the alert rules expect), and no replicas on this single node.
  const setup = new Client({ node: stack.opensearchUrl });
  await setup.cluster.putComponentTemplate({
    name: 'sluice-ecs-mappings',
    body: buildMappingsComponent() as never,
  });
  await setup.indices.putIndexTemplate({
    name: 'sluice-logs-local',
    body: {
      index_patterns: ['logs-*'],
      composed_of: ['sluice-ecs-mappings'],
      priority: 10,
      template: { settings: { number_of_replicas: 0 } },
    } as never,
  });

  const now = Date.now();
  // Given-up batches (past the retry limit) land in the dead-letter bucket, as the ESM's S3
  // on-failure destination would put them.
  const onFailure = createS3Client({ region: 'us-east-1', endpoint: stack.s3Endpoint });
  const esm = new EsmSimulator((event, context) => handler(event, context as unknown as Context), {
    batchSize: 500,
    onFailureDestination: s3OnFailureDestination(
      onFailure,
      stack.env.DEAD_LETTER_BUCKET ?? 'sluice-dead-letters',
    ),
  });
  let produced = 0;
  for (const [topic, lines] of samples(now)) {
    esm.produce(toRecords(topic, lines, now));
    produced += lines.length;
  }
  console.log(`ingesting ${produced} records from the shipped samples …`);
  const stats = await esm.drain();
  const seconds = (Date.now() - started) / 1000;

  const client = new Client({ node: stack.opensearchUrl });
  await client.indices.refresh({ index: '_all' });
  const cat = await client.cat.indices({ format: 'json', s: 'index' } as never);
  const indices = (cat.body as Array<{ index: string; 'docs.count': string }>).filter(
    (i) => !i.index.startsWith('.'),
  );

  const s3 = createS3Client({ region: 'us-east-1', endpoint: stack.s3Endpoint });
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: stack.env.DEAD_LETTER_BUCKET }));
  const deadLetters: DeadLetterEntry[] = [];
  for (const object of listed.Contents ?? []) {
    const got = await s3.send(
      new GetObjectCommand({ Bucket: stack.env.DEAD_LETTER_BUCKET, Key: object.Key }),
    );
    const text = gunzipSync(await got.Body!.transformToByteArray()).toString('utf8');
    for (const line of text.split('\n').filter(Boolean))
      deadLetters.push(JSON.parse(line) as DeadLetterEntry);
  }

  console.log(`\n${produced} records in, ${stats.invocations} invocations, ${seconds.toFixed(1)} s`);
  console.log(
    `indexed ${totals.indexed} · duplicates ${totals.duplicates} · dropped ${totals.dropped} · dead-lettered ${totals.deadLettered} · reported ${totals.reported} (redelivered by the ESM: ${stats.redeliveries}) · bulk requests ${totals.bulkRequests}, ${(totals.bulkBytes / 1e6).toFixed(1)} MB`,
  );
  console.log('\nper index (docs):');
  for (const i of indices) console.log(`  ${i.index.padEnd(40)} ${i['docs.count']}`);
  console.log(`\ndead letters in s3://${stack.env.DEAD_LETTER_BUCKET} (${listed.KeyCount ?? 0} objects):`);
  for (const d of deadLetters)
    console.log(`  ${d.topic}-${d.partition}@${d.offset}  ${d.errorType}: ${d.reason.slice(0, 110)}`);

  const nginx = await client.search({
    index: 'logs-nginx-*',
    body: { size: 1, query: { term: { 'http.response.status_code': 404 } } },
  });
  console.log('\nan nginx line, parsed (search: http.response.status_code = 404):');
  console.log(JSON.stringify(nginx.body.hits.hits[0]?._source, null, 2));
  const levels = await client.search({
    index: 'logs-*',
    // The client's generated types lack `field` on terms aggregations; the API has it.
    body: { size: 0, aggs: { services: { terms: { field: 'service.name.keyword', size: 20 } } } } as never,
  });
  console.log('\ndocuments per service.name:');
  for (const b of (
    levels.body.aggregations?.services as { buckets: Array<{ key: string; doc_count: number }> } | undefined
  )?.buckets ?? []) {
    console.log(`  ${String(b.key).padEnd(20)} ${b.doc_count}`);
  }

  await runAlerts(stack.env, stack.opensearchUrl, totals);

  const lost =
    produced -
    totals.indexed -
    totals.duplicates -
    totals.dropped -
    totals.deadLettered -
    stats.onFailure.length;
  console.log(
    `\naccounted for: ${produced - lost}/${produced} records${lost === 0 ? ' — none lost' : ` — ${lost} UNACCOUNTED`}`,
  );
  if (keep) {
    console.log(
      `\nstack still running (OpenSearch ${stack.opensearchUrl}, S3 ${stack.s3Endpoint}); Ctrl-C stops.`,
    );
    return;
  }
  await stack.close();
  process.exit(lost === 0 ? 0 : 1);
}

/**
 * One run of the lifecycle function with the shipped desired state (`infra/opensearch/lifecycle.yaml`):
 * templates, ISM policies, the S3 snapshot repository — here pointed at the local s3rver — and the
 * write aliases and data streams it bootstraps.
 */
async function runLifecycle(env: Record<string, string>, s3Endpoint: string) {
  const desired = parseYaml(readFileSync(path.join(repo, 'infra/opensearch/lifecycle.yaml'), 'utf8')) as {
    repository: { settings: Record<string, unknown> };
  };
  desired.repository.settings = {
    ...desired.repository.settings,
    endpoint: s3Endpoint,
    path_style_access: true,
  };
  const { createLifecycleHandler } = await import('../../functions/lifecycle/handler.ts');
  const { createLifecycleApp } = await import('../../functions/lifecycle/app.ts');
  const { logger } = (await import('../../functions/runtime/observability.ts')).createObservability(
    'lifecycle',
  );
  const handler = createLifecycleHandler(() =>
    createLifecycleApp(
      {
        ...env,
        LIFECYCLE_YAML: stringifyYaml(desired),
      },
      logger,
    ),
  );
  const report = (await handler({}, {
    awsRequestId: 'local',
    getRemainingTimeInMillis: () => 300_000,
  } as unknown as Context)) as {
    actions: Array<{ type: string; action: string; status: string }>;
  };
  console.log(`lifecycle run (infra/opensearch/lifecycle.yaml): ${report.actions.length} actions`);
  const byType = new Map<string, number>();
  for (const a of report.actions)
    byType.set(`${a.type} ${a.status}`, (byType.get(`${a.type} ${a.status}`) ?? 0) + 1);
  for (const [key, n] of byType) console.log(`  ${key.padEnd(36)} ${n}`);
}

/**
 * One run of the alert function over what was just ingested. CloudWatch is stood in for by the
 * ingest run's own counters (what its EMF metrics would have published), SNS by a line on the
 * terminal; the webhook is a real HTTP receiver.
 */
async function runAlerts(env: Record<string, string>, opensearchUrl: string, totals: Record<string, number>) {
  const webhook = await startWebhookReceiver({ quiet: true });
  const emitted: Record<string, number | undefined> = {
    RecordsDeadLettered: totals.deadLettered,
    RecordsReported: totals.reported,
  };
  const { createHandler } = await import('../../functions/alert/handler.ts');
  const { createAlertApp } = await import('../../functions/alert/app.ts');
  const handler = createHandler((observability) =>
    createAlertApp(
      {
        ...env,
        OPENSEARCH_ENDPOINT: opensearchUrl,
        ALERTS_FILE: path.join(repo, 'infra/alerts.yaml'),
        ALERT_WEBHOOK_URL: `${webhook.url}/hooks/sluice`,
        ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:sluice-alerts',
      },
      observability,
      {
        metrics: {
          read: async (q: MetricQuery) => (q.namespace === 'Sluice' ? emitted[q.metricName] : undefined),
        },
        publisher: { publish: async (m) => console.log(`  [sns] ${m.subject}`) },
      },
    ),
  );
  console.log('\nalert run (rules in infra/alerts.yaml):');
  const summary = await handler({}, {
    awsRequestId: 'local',
    getRemainingTimeInMillis: () => 60_000,
  } as unknown as Context);
  console.log(
    `  ${summary.rules} rules · ${summary.matches} matches · ${summary.notifications} notifications · ${summary.deliveries} deliveries`,
  );
  for (const request of webhook.received) {
    console.log(
      `  [webhook ${request.path}] ${String((request.body as { text?: string }).text ?? '').split('\n')[0]}`,
    );
  }
  await webhook.close();
}

await main();
