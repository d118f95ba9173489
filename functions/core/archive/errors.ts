/** Base class for archive and replay failures; the original error is kept as `cause`. */
export class ArchiveError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveError';
  }
}

/** One NDJSON line of an archive or dead-letter object that is not in the expected shape. */
export class ArchiveLineError extends ArchiveError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ArchiveLineError';
  }
}

/** A replay request (CLI arguments or function event) that cannot be run as given. */
export class ReplayRequestError extends ArchiveError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplayRequestError';
  }
}

/** A stored replay checkpoint that cannot be read or belongs to another request. */
export class CheckpointError extends ArchiveError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckpointError';
  }
}
