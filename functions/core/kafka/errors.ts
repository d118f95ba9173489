// Errors of the Kafka area. Only invocation-level problems throw; a bad record never does.

/** Base class of every Kafka-area error. */
export class KafkaError extends Error {
  override readonly name: string = 'KafkaError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The ESM payload is not a Kafka event at all (not an object, no `records`, unknown source). */
export class KafkaEventError extends KafkaError {
  override readonly name: string = 'KafkaEventError';
}
