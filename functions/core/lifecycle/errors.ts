// Errors of the lifecycle area. One base class so a caller can catch the whole area at once.

/** One problem found in the desired state: where it is and how to fix it. */
export interface ConfigIssue {
  /** Dotted path into the configuration or the built body, e.g. `repository.settings.storage_class`. */
  path: string;
  message: string;
  fix: string;
}

export class LifecycleError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LifecycleError';
  }
}

/** The desired state (lifecycle.yaml or a body built from it) is refused before any call is made. */
export class LifecycleConfigError extends LifecycleError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], options?: { cause?: unknown }) {
    super(
      `invalid lifecycle configuration: ${issues.map((i) => `${i.path}: ${i.message} (fix: ${i.fix})`).join('; ')}`,
      options,
    );
    this.name = 'LifecycleConfigError';
    this.issues = issues;
  }
}

/** A snapshot failed verification: deleting what it should have saved would lose data. */
export class SnapshotVerificationError extends LifecycleError {
  readonly snapshot: string;
  readonly reasons: readonly string[];

  constructor(snapshot: string, reasons: readonly string[], options?: { cause?: unknown }) {
    super(`snapshot ${snapshot} is not verified: ${reasons.join('; ')}`, options);
    this.name = 'SnapshotVerificationError';
    this.snapshot = snapshot;
    this.reasons = reasons;
  }
}
