// Seeded fault injection (PUT /_sluice/faults): whole-request failures as a load balancer would
// answer them, dropped connections, bulk item rejections as OpenSearch reports them, and the
// request size limit of Amazon OpenSearch Service. Same seed + same requests = same faults.
import { illegalArgument } from './errors.ts';
import { wildcardMatch } from './index-name.ts';
import { mulberry32 } from './prng.ts';

export const DEFAULT_MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface FaultRate {
  rate: number;
  statuses: number[];
}

export interface FaultConfig {
  seed: number;
  bulk_item: FaultRate;
  request: FaultRate;
  delay_ms: number;
  reset_rate: number;
  max_body_bytes: number;
  paths: string[];
}

function defaults(): FaultConfig {
  return {
    seed: 1,
    bulk_item: { rate: 0, statuses: [429] },
    request: { rate: 0, statuses: [503] },
    delay_ms: 0,
    reset_rate: 0,
    max_body_bytes: DEFAULT_MAX_BODY_BYTES,
    paths: ['*'],
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rate(value: unknown, name: string, fallback: FaultRate): FaultRate {
  if (value === undefined) return fallback;
  if (!isObject(value)) throw illegalArgument(`[${name}] must be an object with rate and statuses`);
  const r = Number(value.rate ?? 0);
  if (!(r >= 0 && r <= 1)) throw illegalArgument(`[${name}.rate] must be between 0 and 1`);
  const statuses = Array.isArray(value.statuses) ? value.statuses.map(Number) : fallback.statuses;
  if (statuses.length === 0 || statuses.some((s) => !Number.isInteger(s) || s < 400 || s > 599)) {
    throw illegalArgument(`[${name}.statuses] must be HTTP error statuses`);
  }
  return { rate: r, statuses };
}

export interface ItemFault {
  status: number;
  error: { type: string; reason: string };
}

export type RequestFault = { kind: 'reset' } | { kind: 'status'; status: number };

export class Faults {
  config: FaultConfig = defaults();
  private random = mulberry32(this.config.seed);

  set(body: unknown): FaultConfig {
    if (!isObject(body)) throw illegalArgument('fault configuration must be an object');
    const base = defaults();
    const paths =
      body.paths === undefined
        ? base.paths
        : Array.isArray(body.paths)
          ? body.paths.map(String)
          : [String(body.paths)];
    const config: FaultConfig = {
      seed: Number(body.seed ?? base.seed),
      bulk_item: rate(body.bulk_item, 'bulk_item', base.bulk_item),
      request: rate(body.request, 'request', base.request),
      delay_ms: Number(body.delay_ms ?? 0),
      reset_rate: Number(body.reset_rate ?? 0),
      max_body_bytes: Number(body.max_body_bytes ?? base.max_body_bytes),
      paths,
    };
    if (!Number.isFinite(config.seed)) throw illegalArgument('[seed] must be a number');
    this.config = config;
    this.random = mulberry32(config.seed);
    return config;
  }

  reset(): void {
    this.config = defaults();
    this.random = mulberry32(this.config.seed);
  }

  applies(path: string): boolean {
    if (path.startsWith('/_sluice')) return false;
    return this.config.paths.some((p) => wildcardMatch(p, path));
  }

  private pick(statuses: number[]): number {
    return statuses[Math.floor(this.random() * statuses.length)] ?? statuses[0] ?? 500;
  }

  /** Decides, before a request is handled, whether it fails as a whole. */
  requestFault(path: string): RequestFault | undefined {
    if (!this.applies(path)) return undefined;
    if (this.config.reset_rate > 0 && this.random() < this.config.reset_rate) return { kind: 'reset' };
    const { rate: r, statuses } = this.config.request;
    if (r > 0 && this.random() < r) return { kind: 'status', status: this.pick(statuses) };
    return undefined;
  }

  /** Decides whether one bulk item is rejected (and so not applied). */
  itemFault(path: string): ItemFault | undefined {
    const { rate: r, statuses } = this.config.bulk_item;
    if (r <= 0 || !this.applies(path)) return undefined;
    if (this.random() >= r) return undefined;
    const status = this.pick(statuses);
    return { status, error: itemError(status) };
  }
}

export function itemError(status: number): { type: string; reason: string } {
  switch (status) {
    case 429:
      return {
        type: 'rejected_execution_exception',
        reason:
          'rejected execution of coordinating operation [coordinating_and_primary_bytes=0, replica_bytes=0, all_bytes=0, coordinating_operation_bytes=0, max_coordinating_and_primary_bytes=0]',
      };
    case 503:
      return {
        type: 'unavailable_shards_exception',
        reason: '[0] primary shard is not active Timeout: [1m] (injected fault)',
      };
    case 500:
      return { type: 'exception', reason: 'internal failure while indexing (injected fault)' };
    default:
      return { type: 'exception', reason: `injected fault with status [${status}]` };
  }
}

const REASONS: Record<number, string> = {
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable',
  504: 'Gateway Time-out',
};

/** What a load balancer in front of the cluster answers for a failed request. */
export function requestFaultBody(status: number): { contentType: string; text: string } {
  const title = `${status} ${REASONS[status] ?? 'Error'}`;
  if (status >= 502 && status <= 504) {
    return {
      contentType: 'text/html',
      text: `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
    };
  }
  return { contentType: 'application/json', text: JSON.stringify({ message: REASONS[status] ?? 'Error' }) };
}
