import { verifyAllSucceeded } from './classify-fast.ts';
import { type BulkAction, type ItemClass, ItemClasses } from './types.ts';

/** How one bulk item (or every item of a failed request) is to be treated, and why. */
export interface ItemVerdict {
  class: ItemClass;
  /** HTTP status of the item or of the request; absent for a network error. */
  status?: number;
  /** OpenSearch error type (`mapper_parsing_exception`, …) or our own (`network_error`, …). */
  errorType?: string;
  reason?: string;
}

/** What the transport brought back: a response, or the error it rejected with. */
export type BulkAnswer = { statusCode: number; body: unknown } | { error: unknown };

export type ResponseVerdict =
  | { kind: 'items'; items: ItemVerdict[] }
  /** The request as a whole failed (or its answer cannot be trusted): one verdict for every item. */
  | { kind: 'request'; verdict: ItemVerdict };

/** What was sent, in body order, to check the answer against. */
export interface SentItem {
  action: BulkAction;
  id: string;
}

const MAX_REASON = 1000;

// 4xx error types that describe the cluster's state, not the document: they pass with time.
// `cluster_block_exception` is the flood-stage read-only block (403); "maximum shards open" is
// a `validation_exception` (400) while the daily index cannot be created. A 400
// `illegal_state_exception` is left permanent: OpenSearch uses it for request-specific faults,
// and its cluster-state variants come back as 5xx, which is retryable anyway.
const RETRYABLE_TYPES: ReadonlySet<string> = new Set([
  'cluster_block_exception',
  'index_create_block_exception',
  'es_rejected_execution_exception',
  'rejected_execution_exception',
  'circuit_breaking_exception',
  'process_cluster_event_timeout_exception',
  'unavailable_shards_exception',
  'no_shard_available_action_exception',
]);
const SHARDS_FULL = /maximum (?:normal )?shards open/i;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describeError(error: unknown): { errorType?: string; reason?: string } {
  if (typeof error === 'string') return { reason: truncate(error) };
  if (!isObject(error)) return {};
  const errorType = typeof error.type === 'string' ? error.type : undefined;
  let reason = typeof error.reason === 'string' ? error.reason : '';
  const cause = error.caused_by;
  if (isObject(cause) && typeof cause.type === 'string') {
    reason += ` (caused by ${cause.type}: ${typeof cause.reason === 'string' ? cause.reason : ''})`;
  }
  return { ...(errorType === undefined ? {} : { errorType }), reason: truncate(reason) };
}

function truncate(text: string): string {
  return text.length > MAX_REASON ? `${text.slice(0, MAX_REASON)}…` : text;
}

// One shared, frozen verdict per success status: a bulk answer is mostly 201s. Callers only read
// verdicts (index-batch copies one before changing it).
const SUCCESSES = new Map<number, ItemVerdict>();

function success(status: number): ItemVerdict {
  let verdict = SUCCESSES.get(status);
  if (verdict === undefined) {
    verdict = Object.freeze({ class: ItemClasses.success, status });
    SUCCESSES.set(status, verdict);
  }
  return verdict;
}

/** Classifies by status and OpenSearch error type; used for items and for whole requests. */
export function classifyStatus(status: number, action: BulkAction, error: unknown): ItemVerdict {
  if (status >= 200 && status < 300) return success(status);
  const { errorType, reason } = describeError(error);
  const verdict = (cls: ItemClass): ItemVerdict => ({
    class: cls,
    status,
    errorType: errorType ?? `http_${status}`,
    reason: reason || `status ${status}`,
  });
  if (status === 409) return verdict(action === 'create' ? ItemClasses.duplicate : ItemClasses.retryable);
  if (status === 413) return verdict(ItemClasses.tooLarge);
  if (status === 408 || status === 429 || status >= 500) return verdict(ItemClasses.retryable);
  if (errorType !== undefined && RETRYABLE_TYPES.has(errorType)) return verdict(ItemClasses.retryable);
  if (errorType === 'validation_exception' && reason !== undefined && SHARDS_FULL.test(reason)) {
    return verdict(ItemClasses.retryable);
  }
  return verdict(ItemClasses.permanent);
}

/** One item of a bulk response (`{"create": {"status": 201, …}}`), checked against what was sent. */
export function classifyItem(item: unknown, sent: SentItem): ItemVerdict | undefined {
  if (!isObject(item)) return undefined;
  const result = item[sent.action];
  if (!isObject(result) || typeof result.status !== 'number') return undefined;
  if (result._id !== undefined && result._id !== sent.id) return undefined;
  return classifyStatus(result.status, sent.action, result.error);
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string' && !Buffer.isBuffer(body)) return body;
  try {
    return JSON.parse(body.toString());
  } catch {
    return undefined;
  }
}

const untrusted = (reason: string, status?: number): ResponseVerdict => ({
  kind: 'request',
  verdict: {
    class: ItemClasses.retryable,
    ...(status === undefined ? {} : { status }),
    errorType: 'invalid_response',
    reason,
  },
});

/**
 * The verdict of a 2xx answer whose raw body (Buffer or string) is the canonical all-succeeded
 * shape matching `sent`, found without JSON.parse; `undefined` when the full parse must decide.
 */
export function classifyAllSucceeded(body: unknown, sent: readonly SentItem[]): ResponseVerdict | undefined {
  let bytes: Uint8Array;
  if (Buffer.isBuffer(body)) bytes = body;
  else if (typeof body === 'string') bytes = Buffer.from(body);
  else return undefined;
  const items = verifyAllSucceeded(bytes, sent, success);
  return items === undefined ? undefined : { kind: 'items', items };
}

/**
 * Classifies one bulk answer. Whole-request failures: network errors, 408/429/5xx and cluster
 * blocks are retryable; 401/403/404 too, as a wrong role or endpoint is fixed by operators, not by
 * the data; 413 asks for a split; any other 4xx means the body itself was refused (our bug):
 * permanent. A 2xx whose items do not match what was sent is not trusted: retryable.
 */
export function classifyResponse(answer: BulkAnswer, sent: readonly SentItem[]): ResponseVerdict {
  // Most answers are all-succeeded: recognised on the bytes, else parsed in full.
  if (!('error' in answer) && answer.statusCode >= 200 && answer.statusCode < 300) {
    const verdict = classifyAllSucceeded(answer.body, sent);
    if (verdict !== undefined) return verdict;
  }
  return classifyResponseSlow(answer, sent);
}

/** classifyResponse by JSON.parse alone: the reference the fast path must agree with. */
export function classifyResponseSlow(answer: BulkAnswer, sent: readonly SentItem[]): ResponseVerdict {
  if ('error' in answer) {
    const error = answer.error;
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return {
      kind: 'request',
      verdict: { class: ItemClasses.retryable, errorType: 'network_error', reason: truncate(reason) },
    };
  }
  const { statusCode } = answer;
  const body = parseBody(answer.body);
  if (statusCode < 200 || statusCode >= 300) {
    const error = isObject(body) ? body.error : undefined;
    const verdict = classifyStatus(statusCode, 'index', error);
    if (verdict.class === ItemClasses.permanent && [401, 403, 404].includes(statusCode)) {
      return { kind: 'request', verdict: { ...verdict, class: ItemClasses.retryable } };
    }
    return { kind: 'request', verdict };
  }
  if (!isObject(body) || !Array.isArray(body.items))
    return untrusted('bulk response has no items', statusCode);
  if (body.items.length !== sent.length) {
    return untrusted(`bulk response has ${body.items.length} items for ${sent.length} sent`, statusCode);
  }
  const items: ItemVerdict[] = [];
  for (let i = 0; i < sent.length; i++) {
    const verdict = classifyItem(body.items[i], sent[i]!);
    if (verdict === undefined)
      return untrusted(`bulk response item ${i} does not match what was sent`, statusCode);
    items.push(verdict);
  }
  return { kind: 'items', items };
}
