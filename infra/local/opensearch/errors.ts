// OpenSearch-shaped errors. Every failure the server reports goes through OpenSearchError so the
// body is always `{"error": {root_cause, type, reason, ...}, "status": N}` and never a stack trace.

export interface ErrorDetail {
  type: string;
  reason: string;
  [key: string]: unknown;
}

/** Base class for every error the local OpenSearch server answers with. */
export class OpenSearchError extends Error {
  readonly status: number;
  readonly type: string;
  readonly extra: Record<string, unknown>;
  readonly causedBy: ErrorDetail | undefined;
  /** OpenSearch answers routing failures with `{"error": "<reason>", "status": N}`. */
  readonly plain: boolean;
  readonly headers: Record<string, string>;
  /** Set when the root cause differs from the outer error (wrapped errors). */
  readonly rootCause: ErrorDetail | undefined;

  constructor(
    status: number,
    type: string,
    reason: string,
    options: {
      extra?: Record<string, unknown>;
      causedBy?: ErrorDetail;
      cause?: unknown;
      plain?: boolean;
      headers?: Record<string, string>;
      rootCause?: ErrorDetail;
    } = {},
  ) {
    super(reason, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpenSearchError';
    this.status = status;
    this.type = type;
    this.extra = options.extra ?? {};
    this.causedBy = options.causedBy;
    this.plain = options.plain ?? false;
    this.headers = options.headers ?? {};
    this.rootCause = options.rootCause;
  }

  /** The `error` object of a response, or of a bulk item. */
  detail(): ErrorDetail {
    const detail: ErrorDetail = { type: this.type, reason: this.message, ...this.extra };
    if (this.causedBy) detail.caused_by = this.causedBy;
    return detail;
  }

  /** The whole response body. */
  body(): { error: Record<string, unknown> | string; status: number } {
    if (this.plain) return { error: this.message, status: this.status };
    const rootCause: ErrorDetail = this.rootCause ?? { type: this.type, reason: this.message, ...this.extra };
    return { error: { root_cause: [rootCause], ...this.detail() }, status: this.status };
  }
}

export function indexNotFound(name: string): OpenSearchError {
  return new OpenSearchError(404, 'index_not_found_exception', `no such index [${name}]`, {
    extra: { 'resource.type': 'index_or_alias', 'resource.id': name, index_uuid: '_na_', index: name },
  });
}

export function alreadyExists(name: string, uuid: string): OpenSearchError {
  return new OpenSearchError(
    400,
    'resource_already_exists_exception',
    `index [${name}/${uuid}] already exists`,
    {
      extra: { index_uuid: uuid, index: name },
    },
  );
}

export function illegalArgument(reason: string, causedBy?: ErrorDetail): OpenSearchError {
  return new OpenSearchError(400, 'illegal_argument_exception', reason, causedBy ? { causedBy } : {});
}

export function parseError(reason: string): OpenSearchError {
  return new OpenSearchError(400, 'parse_exception', reason);
}

export function validationError(...problems: string[]): OpenSearchError {
  const reason = `Validation Failed: ${problems.map((p, i) => `${i + 1}: ${p};`).join('')}`;
  return new OpenSearchError(400, 'action_request_validation_exception', reason);
}

export function resourceNotFound(reason: string): OpenSearchError {
  return new OpenSearchError(404, 'resource_not_found_exception', reason);
}

/** Wraps anything thrown inside a handler into an OpenSearch-shaped 500 (no stack trace). */
export function toOpenSearchError(error: unknown): OpenSearchError {
  if (error instanceof OpenSearchError) return error;
  // The search module throws its own SearchError { status, type, message }.
  if (error instanceof Error && 'status' in error && 'type' in error) {
    const { status, type, wrapperType } = error as Error & {
      status: unknown;
      type: unknown;
      wrapperType?: unknown;
    };
    if (typeof status === 'number' && typeof type === 'string') {
      if (typeof wrapperType === 'string' && wrapperType !== '') {
        // As OpenSearch reports a failure inside a search phase: the wrapper outside, the cause as root.
        const inner: ErrorDetail = { type, reason: error.message };
        const wrapped = wrapperType === 'search_phase_execution_exception';
        return new OpenSearchError(status, wrapperType, wrapped ? 'all shards failed' : error.message, {
          cause: error,
          rootCause: inner,
          causedBy: inner,
          extra: wrapped ? { phase: 'query', grouped: true } : {},
        });
      }
      return new OpenSearchError(status, type, error.message, { cause: error });
    }
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new OpenSearchError(500, 'exception', reason, { cause: error });
}
