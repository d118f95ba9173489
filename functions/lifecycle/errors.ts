import { LifecycleError } from '../core/lifecycle/errors.ts';

/** A run that did what it could but left actions failed: thrown so the invocation counts as an error. */
export class LifecycleRunError extends LifecycleError {
  readonly failed: number;

  constructor(failed: number, options?: { cause?: unknown }) {
    super(`${failed} lifecycle action(s) failed; see the run's log line for each`, options);
    this.name = 'LifecycleRunError';
    this.failed = failed;
  }
}
