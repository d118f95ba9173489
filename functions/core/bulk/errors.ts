// Errors of the bulk area. A bad record never throws: it ends as an outcome. Only a caller's
// mistake (bad options) does.

/** Base class of every bulk-area error. */
export class BulkError extends Error {
  override readonly name: string = 'BulkError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** `indexBatch` was given options it cannot work with (no chunk size, no concurrency, …). */
export class BulkOptionsError extends BulkError {
  override readonly name: string = 'BulkOptionsError';
}
