// Errors of the pipeline area. Record-level problems never throw (they become dead letters);
// these are for configuration, which must fail loudly at start-up.

/** Base class of every pipeline error. */
export class PipelineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PipelineError';
  }
}

/** The pipeline configuration is invalid; the message names the key path and how to fix it. */
export class PipelineConfigError extends PipelineError {
  readonly path: string;

  constructor(path: string, message: string, options?: { cause?: unknown }) {
    super(path === '' ? message : `${path}: ${message}`, options);
    this.name = 'PipelineConfigError';
    this.path = path;
  }
}
