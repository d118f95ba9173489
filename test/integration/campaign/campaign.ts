// The randomized fault campaign: seeded cases, each one topic of records driven through the ESM
// simulator and the real ingest handler against the local stack while faults are injected, then
// checked record by record: in OpenSearch exactly once (same id, same content) or in the
// dead-letter store with its reason; never both, never neither. `npm test` runs a few hundred cases,
// `npm run soak` thousands. A failing case prints its seed; `--seed <n>` replays it alone.
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Client } from '@opensearch-project/opensearch';
import type { Context } from 'aws-lambda';
import { createS3Client } from '../../../functions/adapters/s3.ts';
import type { DeadLetterEntry } from '../../../functions/core/bulk/types.ts';
import type { BatchResponse, KafkaEvent } from '../../../functions/core/kafka/types.ts';
import { createIngestHandler } from '../../../functions/ingest/handler.ts';
import { s3OnFailureDestination } from '../../../infra/local/esm/on-failure.ts';
import {
  EsmSimulator,
  type LambdaContextLike,
  type TopicRecord,
} from '../../../infra/local/esm/simulator.ts';
import { type FaultyS3, startFaultyS3 } from '../../../infra/local/faulty-s3.ts';
import { mulberry32 } from '../../../infra/local/opensearch/prng.ts';
import { type LocalStack, startLocalStack } from '../../../infra/local/stack.ts';

const repo = path.resolve(import.meta.dirname, '../../..');
const DAY = Date.UTC(2026, 10, 20, 12);

/** What a record was built to be, so the check knows where it may end. */
const Kinds = { good: 'good', garbage: 'garbage', conflict: 'conflict', oversized: 'oversized' } as const;
type Kind = (typeof Kinds)[keyof typeof Kinds];

interface CaseRecord extends TopicRecord {
  kind: Kind;
  /** Text the document's `message` must carry. */
  message: string;
}

/** One seeded case: its records and the faults it runs under. */
export interface CampaignCase {
  seed: number;
  topic: string;
  service: string;
  records: CaseRecord[];
  /** Faults for PUT /_sluice/faults (always limited to `/_bulk`). */
  faults: Record<string, unknown>;
  families: string[];
  env: { onUnfinished: 'report' | 'throw'; safetyMarginMs: number; requestTimeoutMs: number };
  esm: { batchSize: number; timeoutMs: number };
  /** Records written by an earlier, clean delivery (their redelivery answers 409). */
  predelivered: number;
  /** The index gets a write block, lifted after this many ms. */
  blockMs?: number;
  /** The dead-letter store answers 503 to this many requests first. */
  s3DownRequests?: number;
  /** Probability that an invocation's answer is lost after its work (it runs past the timeout). */
  stallRate: number;
}

export interface CaseResult {
  seed: number;
  families: string[];
  records: number;
  indexed: number;
  deadLettered: number;
  lost: number;
  /** In OpenSearch more than once, or in both OpenSearch and the dead-letter store. */
  duplicated: number;
  /** Dead-letter entries with the same coordinates in more than one place (known limitation). */
  deadLetterDuplicates: number;
  /** Records where they must not be (e.g. a good record dead-lettered, wrong content, no reason). */
  misplaced: string[];
  /** Records the ESM gave up (on-failure destination): a case whose faults never let up. */
  givenUp: number;
  invocations: number;
  /** Invocations cut short: ESM timeouts, and middy's deadline TimeoutError (the same thing). */
  timeouts: number;
  ms: number;
}

export interface CampaignSummary {
  cases: number;
  records: number;
  indexed: number;
  deadLettered: number;
  lost: number;
  duplicated: number;
  deadLetterDuplicates: number;
  failed: CaseResult[];
  /** Every case's result, in seed order. */
  results: CaseResult[];
  ms: number;
}

const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (random: () => number, min: number, max: number) =>
  min + Math.floor(random() * (max - min + 1));

/** Builds case `seed`: 1–3 fault families, 10–250 records over 1–4 partitions. */
export function buildCase(seed: number): CampaignCase {
  const random = mulberry32(seed * 7919 + 17);
  const topic = `camp-${seed}`;
  const service = `camp-${seed}`;
  const all = [
    'items',
    'requests',
    'resets',
    'slow',
    'too-large',
    'block',
    'conflict',
    'dead-letter-down',
    'timeout',
    'redelivery',
  ];
  const families = new Set<string>();
  const n = between(random, 1, 3);
  while (families.size < n) families.add(pick(random, all));
  // Slow answers and 413 splits together leave no invocation time to finish: an outage, not a case.
  if (families.has('slow')) families.delete('too-large');
  const has = (f: string) => families.has(f);

  const timeouts = has('timeout') || has('slow');
  const onUnfinished = random() < 0.25 ? 'throw' : 'report';
  // Throw mode retries whole batches: under heavy sustained faults no batch would ever come
  // through clean (a livelock, not a loss), so its fault rates stay moderate.
  const maxRate = onUnfinished === 'throw' ? 0.15 : 0.45;
  // Item 400s and 409s come from the data, never from the fault injector: a 400 is a property of
  // the document (the conflict family: a mapping conflict) and a 409 means it already exists (the
  // redelivery family). An injected 400 on a document an earlier, unacknowledged attempt already
  // wrote, or an injected 409 on one that was never written, would break the very invariant
  // under test by construction.
  const faults: Record<string, unknown> = { seed, paths: ['/_bulk'] };
  if (has('items'))
    faults.bulk_item = {
      rate: 0.05 + random() * (maxRate - 0.05),
      statuses: pick(random, [[429], [429, 500, 503], [503, 500], [429, 503, 500, 502]]),
    };
  if (has('requests'))
    faults.request = { rate: 0.05 + random() * (maxRate - 0.05), statuses: [502, 503, 504] };
  if (has('resets')) faults.reset_rate = 0.02 + random() * (maxRate / 2);
  const maxBody = has('too-large') ? between(random, 3_000, 20_000) : undefined;
  if (maxBody) faults.max_body_bytes = maxBody;

  const esmTimeout = timeouts ? between(random, 300, 600) : 3_000;
  // Slow answers eat most of the budget: two or three attempts fit in an invocation, the last one
  // often close to the deadline. (Slower than the budget would be an outage: see total-outage.)
  const delay = has('slow')
    ? between(random, Math.floor(esmTimeout * 0.15), Math.floor(esmTimeout * 0.35))
    : 0;
  if (delay) faults.delay_ms = delay;

  const count = timeouts ? between(random, 10, 40) : between(random, 10, 150);
  const partitions = between(random, 1, 4);
  const next = new Array<number>(partitions).fill(0);
  const records: CaseRecord[] = [];
  for (let i = 0; i < count; i++) {
    const partition = i % partitions;
    const r = random();
    let kind: Kind = Kinds.good;
    if (r < 0.05) kind = Kinds.garbage;
    else if (has('conflict') && r < 0.15) kind = Kinds.conflict;
    else if (maxBody && r < 0.18) kind = Kinds.oversized;
    const message = `case ${seed} record ${i}`;
    const padding = maxBody
      ? 'p'.repeat(kind === Kinds.oversized ? maxBody + 500 : between(random, 50, 600))
      : '';
    const value =
      kind === Kinds.garbage
        ? `neither json nor key value ${i}`
        : JSON.stringify({
            '@timestamp': new Date(DAY + i).toISOString(),
            'log.level': i % 7 === 0 ? 'error' : 'info',
            message,
            service: { name: service },
            seq: i,
            http: { response: { status_code: kind === Kinds.conflict ? `status ${i}` : 200 + (i % 5) } },
            ...(padding ? { padding } : {}),
          });
    records.push({
      topic,
      partition,
      offset: next[partition]!++,
      timestamp: DAY + i,
      key: null,
      value: Buffer.from(value),
      kind,
      message,
    });
  }

  return {
    seed,
    topic,
    service,
    records,
    faults,
    families: [...families].sort(),
    env: {
      onUnfinished,
      // A margin of 0 leaves no time for the dead-letter write after the last bulk answer: every
      // such invocation runs past its deadline and the batch never completes (see the report).
      safetyMarginMs: timeouts ? pick(random, [50, 100]) : 200,
      requestTimeoutMs: timeouts ? pick(random, [400, 2_000]) : 2_000,
    },
    esm: {
      batchSize: pick(random, timeouts ? [40, 100, 500] : [5, 20, 50, 100, 500]),
      timeoutMs: esmTimeout,
    },
    predelivered: has('redelivery') ? between(random, 1, count) : 0,
    ...(has('block') ? { blockMs: between(random, 30, 400) } : {}),
    ...(has('dead-letter-down') ? { s3DownRequests: between(random, 2, 30) } : {}),
    stallRate: has('timeout') ? 0.1 + random() * 0.3 : 0,
  };
}

export interface Campaign {
  runCase(c: CampaignCase): Promise<CaseResult>;
  close(): Promise<void>;
}

type Handler = (event: KafkaEvent, context: LambdaContextLike) => Promise<BatchResponse | undefined>;

export async function startCampaign(): Promise<Campaign> {
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  const stack: LocalStack = await startLocalStack();
  const faultyS3: FaultyS3 = await startFaultyS3(stack.s3Endpoint);
  const client = new Client({ node: stack.opensearchUrl });
  const s3: S3Client = createS3Client({ region: 'us-east-1', endpoint: stack.s3Endpoint });
  const bucket = stack.env.DEAD_LETTER_BUCKET!;
  // Where the ESM puts batches it gives up (MaximumRetryAttempts): none are expected.
  await s3.send(new CreateBucketCommand({ Bucket: 'sluice-esm-on-failure' }));
  const onFailureDestination = s3OnFailureDestination(s3, 'sluice-esm-on-failure');
  // One handler (one "container") per setting combination, as a warm Lambda would be reused.
  const handlers = new Map<string, ReturnType<typeof createIngestHandler>>();
  const handlerFor = (env: CampaignCase['env']) => {
    const key = JSON.stringify(env);
    let handler = handlers.get(key);
    if (!handler) {
      handler = createIngestHandler({
        env: {
          ...stack.env,
          S3_ENDPOINT: faultyS3.endpoint,
          PIPELINES_FILE: path.join(repo, 'infra/pipelines.yaml'),
          BULK_BASE_DELAY_MS: '2',
          BULK_MAX_DELAY_MS: '40',
          BULK_MAX_ATTEMPTS: '6',
          BULK_REQUEST_TIMEOUT_MS: String(env.requestTimeoutMs),
          SAFETY_MARGIN_MS: String(env.safetyMarginMs),
          ON_UNFINISHED: env.onUnfinished,
        },
      });
      handlers.set(key, handler);
    }
    return handler;
  };
  const faults = (body: Record<string, unknown> | null) =>
    client.transport.request(
      body === null
        ? { method: 'DELETE', path: '/_sluice/faults' }
        : { method: 'PUT', path: '/_sluice/faults', body },
    );
  const index = (c: CampaignCase) => `logs-${c.service}-2026.11.20`;

  async function deadLetters(topic: string): Promise<Array<DeadLetterEntry & { objectKey: string }>> {
    const out: Array<DeadLetterEntry & { objectKey: string }> = [];
    let token: string | undefined;
    do {
      const listed = await s3.send(
        new ListObjectsV2Command({
          Bucket: bucket,
          Prefix: `dead-letters/topic=${topic}/`,
          ContinuationToken: token,
        }),
      );
      for (const object of listed.Contents ?? []) {
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }));
        const text = gunzipSync(await got.Body!.transformToByteArray()).toString('utf8');
        for (const line of text.split('\n').filter(Boolean))
          out.push({ ...(JSON.parse(line) as DeadLetterEntry), objectKey: object.Key! });
      }
      token = listed.NextContinuationToken;
    } while (token);
    return out;
  }

  async function runCase(c: CampaignCase): Promise<CaseResult> {
    const started = Date.now();
    const random = mulberry32(c.seed ^ 0x5eed);
    const handler = handlerFor(c.env);
    // middy ends an invocation at its deadline with a TimeoutError while the work goes on: for the
    // ESM that is a failed invocation like a Lambda timeout, so it is counted as one.
    let deadlineErrors = 0;
    const invoke: Handler = (event, context) =>
      handler(event, context as unknown as Context).catch((error: unknown) => {
        if ((error as Error | undefined)?.name === 'TimeoutError') deadlineErrors++;
        throw error;
      });

    // The index exists up front when a block or a mapping must be in place before the data.
    if (c.blockMs !== undefined || c.families.includes('conflict')) {
      await client.index({
        index: index(c),
        id: 'campaign-seed',
        body: { '@timestamp': new Date(DAY).toISOString(), http: { response: { status_code: 200 } } },
        refresh: true,
      });
    }
    if (c.predelivered > 0) {
      // An earlier delivery that wrote a prefix of the topic, without faults but under the same
      // request size limit (a cluster's limit does not change between deliveries).
      if (c.faults.max_body_bytes !== undefined)
        await faults({ seed: c.seed, paths: ['/_bulk'], max_body_bytes: c.faults.max_body_bytes });
      const early = new EsmSimulator(invoke, { batchSize: 100, maximumRetryAttempts: 20 });
      early.produce(c.records.slice(0, c.predelivered));
      await early.drain();
      await faults(null);
    }

    await faults(c.faults);
    if (c.s3DownRequests !== undefined) faultyS3.downFor(c.s3DownRequests);
    let unblock: Promise<unknown> = Promise.resolve();
    if (c.blockMs !== undefined) {
      await client.indices.putSettings({ index: index(c), body: { 'index.blocks.write': true } });
      unblock = new Promise((resolve) => setTimeout(resolve, c.blockMs)).then(() =>
        client.indices.putSettings({ index: index(c), body: { 'index.blocks.write': false } }),
      );
    }
    // A lost answer: the work is done, the function then runs past its timeout (a crash after writing).
    const stalling: Handler =
      c.stallRate > 0
        ? async (event, context) => {
            const response = await invoke(event, context);
            if (random() < c.stallRate)
              await new Promise((r) => setTimeout(r, context.getRemainingTimeInMillis() + 20));
            return response;
          }
        : invoke;
    const sim = new EsmSimulator(stalling, {
      batchSize: c.esm.batchSize,
      timeoutMs: c.esm.timeoutMs,
      maximumRetryAttempts: 200,
      onFailureDestination,
    });
    sim.produce(c.records);
    let stats: Awaited<ReturnType<EsmSimulator['drain']>>;
    try {
      stats = await sim.drain();
    } finally {
      await faults(null);
      faultyS3.up();
      await unblock;
    }

    await client.indices.refresh({ index: `logs-${c.service}-*` });
    const hits = await client.search({
      index: `logs-${c.service}-*,logs-unrouted*`,
      body: { size: 10_000, query: { term: { 'kafka.topic.keyword': c.topic } } },
    } as never);
    const docs = (
      hits.body.hits.hits as Array<{ _id: string; _index: string; _source: Record<string, unknown> }>
    ).filter((d) => d._id !== 'campaign-seed');
    const dead = await deadLetters(c.topic);

    const inOs = new Map<string, typeof docs>();
    for (const d of docs) inOs.set(d._id, [...(inOs.get(d._id) ?? []), d]);
    const inDl = new Map<string, typeof dead>();
    for (const e of dead) {
      const id = `${e.topic}:${e.partition}:${e.offset}`;
      inDl.set(id, [...(inDl.get(id) ?? []), e]);
    }
    const result: CaseResult = {
      seed: c.seed,
      families: c.families,
      records: c.records.length,
      indexed: 0,
      deadLettered: 0,
      lost: 0,
      duplicated: 0,
      deadLetterDuplicates: 0,
      misplaced: [],
      givenUp: stats.onFailure.length,
      invocations: stats.invocations,
      timeouts: stats.timeouts + deadlineErrors,
      ms: 0,
    };
    const known = new Set<string>();
    for (const r of c.records) {
      const id = `${r.topic}:${r.partition}:${r.offset}`;
      known.add(id);
      const os = inOs.get(id) ?? [];
      const dl = inDl.get(id) ?? [];
      if (os.length === 0 && dl.length === 0) {
        result.lost++;
        result.misplaced.push(`${id} (${r.kind}) is nowhere`);
        continue;
      }
      if (os.length > 1 || (os.length > 0 && dl.length > 0)) {
        result.duplicated++;
        result.misplaced.push(`${id} (${r.kind}) in OpenSearch ${os.length}×, dead letters ${dl.length}×`);
        continue;
      }
      if (os.length === 1) {
        result.indexed++;
        const source = os[0]!._source;
        if (r.kind !== Kinds.good) result.misplaced.push(`${id} (${r.kind}) was indexed`);
        else if (source.message !== r.message || (source.kafka as { offset?: number })?.offset !== r.offset)
          result.misplaced.push(`${id} indexed with other content: ${JSON.stringify(source).slice(0, 200)}`);
        continue;
      }
      result.deadLettered++;
      if (dl.length > 1) result.deadLetterDuplicates++;
      const entry = dl[0]!;
      if (!entry.errorType || !entry.reason) result.misplaced.push(`${id} dead-lettered without a reason`);
      if (entry.original !== r.value?.toString('base64'))
        result.misplaced.push(`${id} dead-lettered with other bytes`);
      const expected: Record<Kind, (e: DeadLetterEntry) => boolean> = {
        garbage: (e) => e.errorType === 'parse_error',
        conflict: (e) => e.errorType === 'mapper_parsing_exception' && e.status === 400,
        oversized: (e) => e.status === 413,
        good: () => false,
      };
      if (!expected[r.kind](entry))
        result.misplaced.push(
          `${id} (${r.kind}) dead-lettered as ${entry.errorType} ${entry.status ?? ''}: ${entry.reason.slice(0, 120)}`,
        );
    }
    for (const id of [...inOs.keys(), ...inDl.keys()])
      if (!known.has(id)) result.misplaced.push(`${id} was never produced`);
    result.ms = Date.now() - started;
    return result;
  }

  return {
    runCase,
    async close() {
      s3.destroy();
      await client.close();
      await faultyS3.close();
      await stack.close();
    },
  };
}

/**
 * Drops Powertools' "No application metrics to publish" warning (printed on every invocation
 * while metrics are disabled) from stdout/stderr for the campaign's duration.
 */
function quietMetricsWarning(): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, i) => {
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (String(chunk).startsWith('No application metrics to publish')) return true;
      return (originals[i] as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof stream.write;
  });
  return () => {
    streams.forEach((stream, i) => {
      stream.write = originals[i]!;
    });
  };
}

/**
 * Runs `count` cases from `firstSeed` on `parallel` independent stacks (faults are per server, so
 * cases on one stack run one at a time); `log` gets one line per failing case.
 */
export async function runCampaign(
  firstSeed: number,
  count: number,
  log: (line: string) => void = () => {},
  parallel = 4,
): Promise<CampaignSummary> {
  const started = Date.now();
  const restore = quietMetricsWarning();
  const summary: CampaignSummary = {
    cases: 0,
    records: 0,
    indexed: 0,
    deadLettered: 0,
    lost: 0,
    duplicated: 0,
    deadLetterDuplicates: 0,
    failed: [],
    results: [],
    ms: 0,
  };
  const campaigns = await Promise.all(Array.from({ length: Math.max(1, parallel) }, () => startCampaign()));
  let next = firstSeed;
  const worker = async (campaign: Campaign) => {
    while (next < firstSeed + count) {
      const seed = next++;
      const result = await campaign.runCase(buildCase(seed));
      summary.cases++;
      summary.results.push(result);
      summary.records += result.records;
      summary.indexed += result.indexed;
      summary.deadLettered += result.deadLettered;
      summary.lost += result.lost;
      summary.duplicated += result.duplicated;
      summary.deadLetterDuplicates += result.deadLetterDuplicates;
      if (result.misplaced.length > 0 || result.givenUp > 0) {
        summary.failed.push(result);
        log(
          `campaign seed ${seed} [${result.families.join(',')}]: lost ${result.lost}, duplicated ${result.duplicated}, dead-letter duplicates ${result.deadLetterDuplicates}, given up ${result.givenUp}; ${result.misplaced.slice(0, 5).join('; ')}`,
        );
      }
    }
  };
  try {
    await Promise.all(campaigns.map(worker));
  } finally {
    await Promise.allSettled(campaigns.map((c) => c.close()));
    restore();
  }
  summary.results.sort((a, b) => a.seed - b.seed);
  summary.failed.sort((a, b) => a.seed - b.seed);
  summary.ms = Date.now() - started;
  return summary;
}

const fmt = (n: number) => n.toLocaleString('en-US');

export function summaryLine(s: CampaignSummary): string {
  return `campaign: ${fmt(s.cases)} cases, ${fmt(s.records)} records, indexed ${fmt(s.indexed)}, dead-lettered ${fmt(s.deadLettered)}, lost ${fmt(s.lost)}, duplicated ${fmt(s.duplicated)} (dead-letter duplicates by coordinates ${fmt(s.deadLetterDuplicates)}), failed cases ${s.failed.length}, ${(s.ms / 1000).toFixed(1)} s`;
}
