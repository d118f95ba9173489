/** Base class of every alerting error; keeps the underlying `cause`. */
export class AlertError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A malformed `alerts.yaml`: names the path of the offending key (`rules[3].timeframe`) and the fix. */
export class AlertConfigError extends AlertError {
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.path = path;
  }
}

/** A notifier could not deliver; other notifiers and rules carry on. */
export class NotifierError extends AlertError {
  readonly notifier: string;
  constructor(notifier: string, message: string, options?: { cause?: unknown }) {
    super(`notifier ${notifier}: ${message}`, options);
    this.notifier = notifier;
  }
}
