/** Base error of the grok area: a pattern that cannot be compiled (config error, not data). */
export class GrokError extends Error {
  readonly pattern: string;

  constructor(message: string, pattern: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GrokError';
    this.pattern = pattern;
  }
}
