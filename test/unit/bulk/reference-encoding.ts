// The bulk encoding written the plain way, one Buffer per item: the oracle that the chunk writer
// (which writes items straight into chunk bodies) is checked against.
import { actionLine, type WriteRecord } from '../../../functions/core/bulk/encode.ts';

/** One bulk item as NDJSON bytes: action line, the document as is, the final newline. */
export function encodeItem(record: Pick<WriteRecord, 'action' | 'index' | 'id' | 'source'>): Buffer {
  return Buffer.from(`${actionLine(record.action, record.index, record.id)}${record.source}\n`, 'utf8');
}

/** Why a document cannot go into an NDJSON body (a raw newline would split it), or undefined. */
export function invalidSource(source: string): string | undefined {
  if (source.length === 0) return 'document is empty';
  if (source.includes('\n')) return 'document contains a raw newline';
  return undefined;
}
