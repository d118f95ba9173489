// A batch's records → the archive objects to write: one run of consecutive records per partition
// and hour, cut further so that no object's NDJSON exceeds the size cap.

import type { KafkaRecord } from '../kafka/types.ts';
import { archiveHour, archiveKey } from './keys.ts';
import { encodeArchiveLine } from './line.ts';

export interface ArchiveObjectsOptions {
  prefix: string;
  /** Cap on an object's uncompressed NDJSON, bytes; a single larger record still gets its own object. */
  maxObjectBytes: number;
  /** Which topics are archived; all when unset. */
  include?: (topic: string) => boolean;
}

export interface ArchiveObject {
  key: string;
  topic: string;
  partition: number;
  firstOffset: number;
  lastOffset: number;
  records: number;
  /** NDJSON, one line per record, each ending in a newline. */
  body: string;
  /** UTF-8 length of `body`. */
  bytes: number;
}

/**
 * Groups records by partition in offset order and cuts a new object whenever the hour of the
 * Kafka timestamp changes or the next line would pass `maxObjectBytes`. The objects of one batch
 * cover disjoint, contiguous offset ranges, so the same batch always gives the same keys.
 */
export function archiveObjects(
  records: readonly KafkaRecord[],
  options: ArchiveObjectsOptions,
): ArchiveObject[] {
  const byPartition = new Map<string, KafkaRecord[]>();
  for (const record of records) {
    if (options.include !== undefined && !options.include(record.topic)) continue;
    const id = `${record.topic}\u0000${record.partition}`;
    const list = byPartition.get(id);
    if (list === undefined) byPartition.set(id, [record]);
    else list.push(record);
  }
  const objects: ArchiveObject[] = [];
  for (const list of byPartition.values()) {
    list.sort((a, b) => a.offset - b.offset);
    let lines: string[] = [];
    let bytes = 0;
    let hour = 0;
    let first: KafkaRecord | undefined;
    let last: KafkaRecord | undefined;
    const cut = () => {
      if (first === undefined || last === undefined) return;
      objects.push({
        key: archiveKey(options.prefix, first.topic, hour, first.partition, first.offset, last.offset),
        topic: first.topic,
        partition: first.partition,
        firstOffset: first.offset,
        lastOffset: last.offset,
        records: lines.length,
        body: lines.join(''),
        bytes,
      });
      lines = [];
      bytes = 0;
      first = undefined;
    };
    for (const record of list) {
      // A redelivered offset inside one batch would be archived twice under one key: keep the first.
      if (last !== undefined && record.offset === last.offset) continue;
      const line = `${encodeArchiveLine(record)}\n`;
      const size = Buffer.byteLength(line);
      const recordHour = archiveHour(record.timestamp);
      if (first !== undefined && (recordHour !== hour || bytes + size > options.maxObjectBytes)) cut();
      if (first === undefined) {
        first = record;
        hour = recordHour;
      }
      lines.push(line);
      bytes += size;
      last = record;
    }
    cut();
  }
  return objects;
}
