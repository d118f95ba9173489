// Errors the search engine raises; the server turns them into OpenSearch error bodies
// (`{ error: { type, reason, root_cause }, status }`).

export class SearchError extends Error {
  readonly status: number;
  /** OpenSearch error type, e.g. `parsing_exception`, `illegal_argument_exception`. */
  readonly type: string;
  /**
   * Set when OpenSearch reports the error wrapped (e.g. `search_phase_execution_exception` around an
   * `illegal_argument_exception`): the server returns this as the outer `type` and `type` as root cause.
   */
  readonly wrapperType: string | undefined;

  constructor(
    status: number,
    type: string,
    message: string,
    options?: { cause?: unknown; wrapperType?: string },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SearchError';
    this.status = status;
    this.type = type;
    this.wrapperType = options?.wrapperType;
  }
}

export function parsingError(message: string, cause?: unknown): SearchError {
  return new SearchError(400, 'parsing_exception', message, { cause });
}

export function illegalArgument(message: string, wrapped = false): SearchError {
  return new SearchError(400, 'illegal_argument_exception', message, {
    wrapperType: wrapped ? 'search_phase_execution_exception' : undefined,
  });
}
