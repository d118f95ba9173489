// Errors of the conformance runner itself (bad story files, unreadable spec). Failures of the server
// under test are never thrown: they become chapter results.

export class ConformanceError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConformanceError';
  }
}

export class StoryFormatError extends ConformanceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoryFormatError';
  }
}

export class SpecError extends ConformanceError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SpecError';
  }
}
