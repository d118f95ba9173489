// Our own Kafka ESM event types: @types/aws-lambda's MSKEvent lacks the self-managed source and
// the schema-registry metadata, both of which Lambda sends.

export const EventSources = {
  msk: 'aws:kafka',
  selfManaged: 'SelfManagedKafka',
} as const;
export type EventSource = (typeof EventSources)[keyof typeof EventSources];

export interface SchemaMetadata {
  dataFormat?: string;
  schemaId?: string;
}

/** One record as the ESM delivers it (key and value base64, headers as byte arrays). */
export interface KafkaEventRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType?: string;
  key?: string | null;
  value?: string | null;
  headers?: Array<Record<string, number[]>>;
  keySchemaMetadata?: SchemaMetadata;
  valueSchemaMetadata?: SchemaMetadata;
}

/** The ESM invocation payload; `records` is keyed `"<topic>-<partition>"`. */
export interface KafkaEvent {
  eventSource: EventSource;
  eventSourceArn?: string;
  bootstrapServers?: string;
  records: Record<string, KafkaEventRecord[]>;
}

/** A decoded record: carries its coordinates from decode to settle. */
export interface KafkaRecord {
  topic: string;
  partition: number;
  offset: number;
  /** Kafka timestamp, epoch milliseconds. */
  timestamp: number;
  key: Buffer | null;
  /** null is a tombstone. */
  value: Buffer | null;
  /** Header values decoded as UTF-8 (last one wins on a repeated name). */
  headers: Record<string, string>;
}

/** `{partition: "<topic>-<partition>", offset}`: an object id redelivers from that offset. */
export interface BatchItemFailure {
  itemIdentifier: { partition: string; offset: number };
}

export interface BatchResponse {
  batchItemFailures: BatchItemFailure[];
}
