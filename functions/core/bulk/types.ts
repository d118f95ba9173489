// What can become of one record. Every record of a batch ends in exactly one of these.
export const Outcomes = {
  /** 200/201 from OpenSearch. */
  indexed: 'indexed',
  /** 409 on `create`: the document was already written by an earlier delivery. */
  duplicate: 'duplicate',
  /** Dropped on purpose by a pipeline condition, or a tombstone: counted, not written. */
  dropped: 'dropped',
  /** Written to the dead-letter store with its reason. */
  deadLettered: 'dead_lettered',
  /** Not made durable in time: reported to the ESM for redelivery. */
  reported: 'reported',
} as const;
export type Outcome = (typeof Outcomes)[keyof typeof Outcomes];

/** How one bulk item (or a whole failed request) is to be treated. */
export const ItemClasses = {
  success: 'success',
  duplicate: 'duplicate',
  retryable: 'retryable',
  /** 413: split the chunk and send again. */
  tooLarge: 'too_large',
  permanent: 'permanent',
} as const;
export type ItemClass = (typeof ItemClasses)[keyof typeof ItemClasses];
