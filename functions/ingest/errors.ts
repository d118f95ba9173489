/** Base class for the ingest function's invocation-level failures. */
export class IngestError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'IngestError';
  }
}

/** Thrown (ON_UNFINISHED=throw) so that an ESM without ReportBatchItemFailures retries the batch. */
export class UnfinishedBatchError extends IngestError {
  constructor(reported: number) {
    super(
      `${reported} record(s) could not be made durable in time; failing the invocation so the batch is retried`,
    );
    this.name = 'UnfinishedBatchError';
  }
}
