/** Base class for deploy-time errors (stage parameters, template checks, the ESM helper). */
export class DeployError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A stage parameter is missing or malformed; the message names it and says how to fix it. */
export class ParamError extends DeployError {}
