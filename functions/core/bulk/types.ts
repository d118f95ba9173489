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

/** Where a record came from; reported back against these. */
export interface Coordinates {
  topic: string;
  partition: number;
  offset: number;
}

export const BulkActions = { create: 'create', index: 'index' } as const;
export type BulkAction = (typeof BulkActions)[keyof typeof BulkActions];

/**
 * A record after the pipeline: either a document to write, a record for the dead-letter store
 * (undecodable or unparseable), or one dropped on purpose (tombstone, drop condition).
 */
export type PreparedRecord =
  | {
      kind: 'write';
      coords: Coordinates;
      pipeline: string;
      action: BulkAction;
      index: string;
      id: string;
      /** The document, already serialised as one line of JSON (no newline): text, or its UTF-8 bytes. */
      source: string | Buffer;
      /**
       * The whole bulk item (action line, document, newline) when a fast path wrote it in one go;
       * `source` is then a view of its document part. Whoever changes the action, index, id or
       * source drops it, and the chunk writer encodes the item from those.
       */
      item?: Buffer;
      /** The original Kafka value, for the dead-letter store should the write fail permanently. */
      original: Buffer | null;
      /** The record's Kafka key and headers, for the dead-letter store (a replay rebuilds the same document). */
      key?: Buffer | null;
      headers?: Readonly<Record<string, string>>;
      /** Kafka timestamp (epoch ms), for lag metrics. */
      timestamp: number;
    }
  | {
      kind: 'dead_letter';
      coords: Coordinates;
      pipeline: string;
      /** Short machine-readable cause, e.g. `decode_error`, `parse_error`, `mapping_error`. */
      errorType: string;
      reason: string;
      original: Buffer | null;
      key?: Buffer | null;
      headers?: Readonly<Record<string, string>>;
      timestamp: number;
    }
  | {
      kind: 'dropped';
      coords: Coordinates;
      pipeline: string;
      /** `tombstone`, `condition`, … */
      reason: string;
      timestamp: number;
    };

/** One line of a dead-letter object (gzip NDJSON in S3). */
export interface DeadLetterEntry {
  topic: string;
  partition: number;
  offset: number;
  pipeline: string;
  /** Target index, when routing got that far. */
  index?: string;
  /** HTTP status of the bulk item, when OpenSearch answered. */
  status?: number;
  errorType: string;
  reason: string;
  /** Original Kafka value, base64 (null for a null value). */
  original: string | null;
  /** The record's Kafka key, base64, when it had one. */
  key?: string;
  /** The record's Kafka headers (values as UTF-8), when it had any. */
  headers?: Readonly<Record<string, string>>;
  /** Kafka timestamp of the record, epoch ms. */
  timestamp?: number;
  /** When it was dead-lettered, ISO 8601. */
  time: string;
}
