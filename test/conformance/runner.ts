// Runs one story against a server: prologues, chapters (evaluated on status, payload subset and
// response schema), epilogues. Server failures become results; the runner never throws on them.
import { setTimeout as sleep } from 'node:timers/promises';
import { type HttpResponse, send } from './http.ts';
import { describeMismatch, findMismatch } from './match.ts';
import { extractOutputs, type Outputs, substitute } from './outputs.ts';
import { buildRequest, fillPath } from './request.ts';
import { satisfies } from './semver.ts';
import type { OpenApiSpec } from './spec.ts';
import type { Chapter, ChapterRequest, Distributions, Story, SupplementalChapter } from './story.ts';

export const OUTCOMES = ['passed', 'failed', 'unsupported', 'skipped', 'pending'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export type ChapterResult = {
  title: string;
  method: string;
  path: string;
  outcome: Outcome;
  /** Why it failed, was unsupported, skipped (`version …`, `distribution`) or pending. */
  reason?: string;
};

export type StoryResult = {
  file: string;
  description: string;
  chapters: ChapterResult[];
  /** Prologue/epilogue problems; epilogue ones do not fail chapters but are shown. */
  notes: string[];
};

export type RunOptions = {
  url: string;
  spec: OpenApiSpec;
  /** The server's version for `version` ranges. */
  version?: string;
  distribution?: string;
  timeoutMs?: number;
  /** Default wait between retries, ms. */
  retryWaitMs?: number;
};

export const SERVER_VERSION = '2.19.0';
export const DISTRIBUTION = 'opensearch.org';

/**
 * The rule for features the server deliberately lacks (Painless scripts, k-NN, binary formats): it
 * answers with an error whose type is `unsupported_operation_exception`. Returns the server's reason.
 */
export function unsupportedReason(status: number, payload: unknown): string | undefined {
  if (status < 400 || typeof payload !== 'object' || payload === null) return undefined;
  const error = (payload as { error?: unknown }).error;
  if (typeof error !== 'object' || error === null) return undefined;
  const { type, reason } = error as { type?: unknown; reason?: unknown };
  if (type !== 'unsupported_operation_exception') return undefined;
  return typeof reason === 'string' ? reason : 'unsupported_operation_exception';
}

/** Why a story/chapter with these limits does not apply here, or undefined when it does. */
export function notApplicable(
  limits: { version?: string; distributions?: Distributions },
  version: string,
  distribution: string,
): string | undefined {
  if (limits.version !== undefined && !satisfies(version, String(limits.version))) {
    return `version ${limits.version} excludes ${version}`;
  }
  const { included, excluded } = limits.distributions ?? {};
  if (included !== undefined && !included.includes(distribution))
    return `distribution: only ${included.join(', ')}`;
  if (excluded?.includes(distribution)) return `distribution: excludes ${distribution}`;
  return undefined;
}

function errorSummary(response: HttpResponse): string {
  const p = response.payload;
  if (typeof p === 'object' && p !== null && 'error' in p) {
    const e = (p as { error: unknown }).error;
    if (typeof e === 'object' && e !== null) {
      const { type, reason } = e as { type?: unknown; reason?: unknown };
      return ` (${String(type)}: ${String(reason)})`;
    }
    return ` (${String(e)})`;
  }
  return response.text === '' ? '' : ` (${response.text.slice(0, 120)})`;
}

function methodsOf(c: ChapterRequest): string[] {
  return (Array.isArray(c.method) ? c.method : [c.method]).map((m) => m.toUpperCase());
}

type Sent = { response?: HttpResponse; concretePath: string; error?: string };

async function sendChapter(
  c: ChapterRequest,
  method: string,
  outputs: Outputs,
  options: RunOptions,
): Promise<Sent> {
  const parameters = substitute(c.parameters ?? {}, outputs);
  const request = buildRequest({
    method,
    path: substitute(c.path, outputs),
    parameters,
    contentType: c.request?.content_type,
    headers: substitute(c.request?.headers, outputs),
    payload: substitute(c.request?.payload, outputs),
  });
  const concretePath = fillPath(substitute(c.path, outputs), parameters).path;
  try {
    return { response: await send(options.url, request, options.timeoutMs), concretePath };
  } catch (cause) {
    return { concretePath, error: `request failed: ${(cause as Error).message}` };
  }
}

type Evaluation = { outcome: 'passed' | 'failed' | 'unsupported'; reason?: string; response?: HttpResponse };

/** Evaluates one chapter's answer: status, content type, payload subset, schema, outputs. */
export function evaluate(
  chapter: Chapter,
  method: string,
  sent: Sent,
  outputs: Outputs,
  spec: OpenApiSpec,
): Evaluation {
  const { response } = sent;
  if (response === undefined) return { outcome: 'failed', reason: sent.error ?? 'no response' };
  const expectedStatus = chapter.response?.status ?? 200;
  const statuses = Array.isArray(expectedStatus) ? expectedStatus : [expectedStatus];
  if (!statuses.includes(response.status)) {
    const unsupported = unsupportedReason(response.status, response.payload);
    if (unsupported !== undefined) return { outcome: 'unsupported', reason: unsupported, response };
    return {
      outcome: 'failed',
      reason: `status ${response.status}, expected ${statuses.join('|')}${errorSummary(response)}`,
      response,
    };
  }
  const expectedType = chapter.response?.content_type ?? 'application/json';
  const hasBody = method !== 'HEAD' && response.text !== '';
  if (hasBody && response.contentType !== expectedType) {
    return {
      outcome: 'failed',
      reason: `content type ${response.contentType}, expected ${expectedType}`,
      response,
    };
  }
  if (response.parseError !== undefined) return { outcome: 'failed', reason: response.parseError, response };
  if (chapter.response?.payload !== undefined) {
    const mismatch = findMismatch(substitute(chapter.response.payload, outputs), response.payload);
    if (mismatch !== undefined) return { outcome: 'failed', reason: describeMismatch(mismatch), response };
  }
  const operation = spec.findOperation(method, sent.concretePath);
  if (operation === undefined) {
    return { outcome: 'failed', reason: `no ${method} ${sent.concretePath} operation in the spec`, response };
  }
  if (method !== 'HEAD') {
    const check = spec.validateResponse(
      operation,
      response.status,
      expectedType,
      hasBody ? response.payload : undefined,
    );
    if (!check.ok) return { outcome: 'failed', reason: check.reason, response };
  }
  if (chapter.output !== undefined) {
    const { missing } = extractOutputs(chapter.output, response);
    if (missing.length > 0)
      return { outcome: 'failed', reason: `output not found: ${missing.join(', ')}`, response };
  }
  return { outcome: 'passed', response };
}

function saveOutputs(c: ChapterRequest, response: HttpResponse | undefined, outputs: Outputs): void {
  if (c.id === undefined || c.output === undefined || response === undefined) return;
  outputs.set(c.id, extractOutputs(c.output, response).values);
}

type Supplemental = { ok: true } | { ok: false; unsupported: boolean; reason: string };

async function runSupplemental(
  c: SupplementalChapter,
  outputs: Outputs,
  options: RunOptions,
): Promise<Supplemental> {
  const accepted = c.status ?? [200, 201];
  const attempts = 1 + (c.retry?.count ?? 0);
  for (const method of methodsOf(c)) {
    let last: Supplemental = { ok: false, unsupported: false, reason: 'not run' };
    for (let attempt = 1; attempt <= attempts && !last.ok; attempt++) {
      if (attempt > 1) await sleep(c.retry?.wait ?? options.retryWaitMs ?? 1000);
      const sent = await sendChapter(c, method, outputs, options);
      const r = sent.response;
      if (r === undefined) {
        last = { ok: false, unsupported: false, reason: sent.error ?? 'no response' };
      } else if (accepted.includes(r.status)) {
        saveOutputs(c, r, outputs);
        last = { ok: true };
      } else {
        const unsupported = unsupportedReason(r.status, r.payload);
        last = {
          ok: false,
          unsupported: unsupported !== undefined,
          reason:
            unsupported ??
            `${method} ${sent.concretePath}: status ${r.status}, expected ${accepted.join('|')}${errorSummary(r)}`,
        };
      }
    }
    if (!last.ok) return last;
  }
  return { ok: true };
}

/** Runs a whole story against `options.url`. */
export async function runStory(file: string, story: Story, options: RunOptions): Promise<StoryResult> {
  const version = options.version ?? SERVER_VERSION;
  const distribution = options.distribution ?? DISTRIBUTION;
  const result: StoryResult = { file, description: story.description, chapters: [], notes: [] };
  const rows = (c: Chapter, outcome: Outcome, reason?: string): ChapterResult[] =>
    methodsOf(c).map((method) => ({ title: c.synopsis, method, path: c.path, outcome, reason }));

  const storyBlock =
    story.pending !== undefined
      ? { outcome: 'pending' as const, reason: String(story.pending) }
      : (() => {
          const why = notApplicable(story, version, distribution);
          return why === undefined ? undefined : { outcome: 'skipped' as const, reason: why };
        })();
  if (storyBlock !== undefined) {
    for (const c of story.chapters) result.chapters.push(...rows(c, storyBlock.outcome, storyBlock.reason));
    return result;
  }

  const outputs: Outputs = new Map();
  let blocked: { outcome: 'failed' | 'unsupported'; reason: string } | undefined;
  for (const [i, p] of (story.prologues ?? []).entries()) {
    if (notApplicable(p, version, distribution) !== undefined) continue;
    const r = await runSupplemental(p, outputs, options);
    if (!r.ok) {
      blocked = {
        outcome: r.unsupported ? 'unsupported' : 'failed',
        reason: `prologue ${i + 1}: ${r.reason}`,
      };
      result.notes.push(blocked.reason);
      break;
    }
  }

  for (const chapter of story.chapters) {
    if (chapter.pending !== undefined) {
      result.chapters.push(...rows(chapter, 'pending', String(chapter.pending)));
      continue;
    }
    const why = notApplicable(chapter, version, distribution);
    if (why !== undefined) {
      result.chapters.push(...rows(chapter, 'skipped', why));
      continue;
    }
    if (blocked !== undefined) {
      result.chapters.push(...rows(chapter, blocked.outcome, blocked.reason));
      continue;
    }
    for (const method of methodsOf(chapter)) {
      const attempts = 1 + (chapter.retry?.count ?? 0);
      let evaluation: Evaluation = { outcome: 'failed', reason: 'not run' };
      for (let attempt = 1; attempt <= attempts; attempt++) {
        if (attempt > 1) await sleep(chapter.retry?.wait ?? options.retryWaitMs ?? 1000);
        const sent = await sendChapter(chapter, method, outputs, options);
        evaluation = evaluate(chapter, method, sent, outputs, options.spec);
        if (evaluation.outcome !== 'failed') break;
      }
      saveOutputs(chapter, evaluation.response, outputs);
      result.chapters.push({
        title: chapter.synopsis,
        method,
        path: chapter.path,
        outcome: evaluation.outcome,
        reason: evaluation.reason,
      });
    }
  }

  for (const [i, e] of (story.epilogues ?? []).entries()) {
    if (notApplicable(e, version, distribution) !== undefined) continue;
    const r = await runSupplemental(e, outputs, options);
    if (!r.ok) result.notes.push(`epilogue ${i + 1}: ${r.reason}`);
  }
  return result;
}
