// Test doubles for indexBatch: an OpenSearch that remembers ids (create twice → 409), a
// dead-letter store, and a clock that only moves when told to (sleep, request latency).

import { mergeEntries } from '../../../functions/adapters/dead-letters.ts';
import type { BulkTransport, DeadLetterStore } from '../../../functions/core/bulk/index-batch.ts';
import type { DeadLetterEntry, PreparedRecord } from '../../../functions/core/bulk/types.ts';
import { mulberry32 } from '../../../infra/local/opensearch/prng.ts';

/** Small deterministic PRNG (mulberry32), so a fast-check seed replays a whole scenario. */
export const prng = mulberry32;

export class FakeClock {
  now = 0;
  deadline: number;

  constructor(budgetMs: number) {
    this.deadline = budgetMs;
  }

  remainingMs = (): number => this.deadline - this.now;
  sleep = async (ms: number): Promise<void> => {
    this.now += ms;
  };
}

/** What the fake does with a whole request. */
export type RequestFate =
  | { kind: 'answer' }
  | { kind: 'reject' }
  /** Applies the items, then loses the answer: a retry will meet 409s. */
  | { kind: 'reject_after_apply' }
  | { kind: 'status'; statusCode: number; body: unknown };

/** What the fake does with one item that is not a poison document. */
export type ItemFate = 'ok' | 429 | 500 | 503 | 403;

const ITEM_ERRORS = {
  429: { type: 'rejected_execution_exception', reason: 'rejected execution of primary operation' },
  500: { type: 'circuit_breaking_exception', reason: '[parent] Data too large' },
  503: { type: 'unavailable_shards_exception', reason: 'primary shard is not active' },
  403: {
    type: 'cluster_block_exception',
    reason: 'index [x] blocked by: [FORBIDDEN/12/index read-only / allow delete (api)];',
  },
} as const;

interface BulkLine {
  action: 'create' | 'index';
  index: string;
  id: string;
  source: string;
}

function parseBulk(body: Buffer): BulkLine[] {
  const text = body.toString('utf8');
  if (!text.endsWith('\n')) throw new Error('bulk body must end with a newline');
  const lines = text.slice(0, -1).split('\n');
  const items: BulkLine[] = [];
  for (let i = 0; i < lines.length; i += 2) {
    const meta = JSON.parse(lines[i]!) as Record<string, { _index: string; _id: string }>;
    const [action, target] = Object.entries(meta)[0]!;
    JSON.parse(lines[i + 1]!);
    items.push({
      action: action as BulkLine['action'],
      index: target._index,
      id: target._id,
      source: lines[i + 1]!,
    });
  }
  return items;
}

export class FakeOpenSearch implements BulkTransport {
  /** `index/id` → source, across deliveries. */
  readonly documents = new Map<string, string>();
  /** Every write accepted (201), in order. */
  readonly accepted: string[] = [];
  readonly bodies: Buffer[] = [];
  /** Ids whose answer (201, 409, 400) reached the caller: such an item must not be sent again. */
  readonly settled: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  maxBodyBytes: number;
  poison: ReadonlySet<string>;
  requestFate: () => RequestFate;
  itemFate: () => ItemFate;
  latencyMs: () => number;
  clock: FakeClock;

  constructor(options: {
    clock: FakeClock;
    maxBodyBytes?: number;
    poison?: ReadonlySet<string>;
    requestFate?: () => RequestFate;
    itemFate?: () => ItemFate;
    latencyMs?: () => number;
  }) {
    this.clock = options.clock;
    this.maxBodyBytes = options.maxBodyBytes ?? Number.POSITIVE_INFINITY;
    this.poison = options.poison ?? new Set();
    this.requestFate = options.requestFate ?? (() => ({ kind: 'answer' }));
    this.itemFate = options.itemFate ?? (() => 'ok');
    this.latencyMs = options.latencyMs ?? (() => 5);
  }

  async send(body: Buffer, _opts: { timeoutMs: number }): Promise<{ statusCode: number; body: unknown }> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    this.bodies.push(body);
    try {
      await Promise.resolve();
      this.clock.now += this.latencyMs();
      if (body.length > this.maxBodyBytes) {
        return { statusCode: 413, body: { Message: `Request size exceeded ${this.maxBodyBytes} bytes` } };
      }
      const fate = this.requestFate();
      if (fate.kind === 'status') return { statusCode: fate.statusCode, body: fate.body };
      if (fate.kind === 'reject') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      const items = parseBulk(body).map((line) => this.apply(line));
      if (fate.kind === 'reject_after_apply') throw new Error('Request timed out');
      for (const { create } of items) {
        if ([201, 409, 400].includes(create.status as number)) this.settled.push(String(create._id));
      }
      return { statusCode: 200, body: { took: 3, errors: items.some((i) => 'error' in i.create), items } };
    } finally {
      this.inFlight--;
    }
  }

  private apply(line: BulkLine): { create: Record<string, unknown> } {
    const key = `${line.index}/${line.id}`;
    const base = { _index: line.index, _id: line.id };
    if (this.poison.has(line.id)) {
      return {
        create: {
          ...base,
          status: 400,
          error: { type: 'mapper_parsing_exception', reason: 'failed to parse field [level] of type [long]' },
        },
      };
    }
    const fate = this.itemFate();
    if (fate !== 'ok') return { create: { ...base, status: fate, error: ITEM_ERRORS[fate] } };
    if (this.documents.has(key)) {
      return {
        create: {
          ...base,
          status: 409,
          error: {
            type: 'version_conflict_engine_exception',
            reason: `[${line.id}]: version conflict, document already exists (current version [1])`,
          },
        },
      };
    }
    this.documents.set(key, line.source);
    this.accepted.push(key);
    return { create: { ...base, _version: 1, result: 'created', status: 201 } };
  }
}

export class FakeDeadLetterStore implements DeadLetterStore {
  readonly objects = new Map<string, DeadLetterEntry[]>();
  puts = 0;
  fails: () => boolean;

  constructor(fails: () => boolean = () => false) {
    this.fails = fails;
  }

  async put(key: string, entries: DeadLetterEntry[]): Promise<void> {
    await Promise.resolve();
    this.puts++;
    if (this.fails()) throw new Error('SlowDown: Please reduce your request rate.');
    // The store's contract: a write merges with the object by coordinates (as the S3 store does).
    this.objects.set(key, mergeEntries(this.objects.get(key) ?? [], structuredClone(entries)));
  }
}

export function writeRecord(
  topic: string,
  partition: number,
  offset: number,
  source = `{"message":"line ${offset}"}`,
): PreparedRecord {
  return {
    kind: 'write',
    coords: { topic, partition, offset },
    pipeline: 'app',
    action: 'create',
    index: `logs-${topic}`,
    id: `${topic}-${partition}-${offset}`,
    source,
    original: Buffer.from(`raw ${offset}`),
    timestamp: 1763731200000 + offset,
  };
}
