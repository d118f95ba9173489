/** Base class for failures at the edges (AWS, OpenSearch, HTTP); the original error is kept as `cause`. */
export class AdapterError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AdapterError';
  }
}
