import type { PreparedRecord } from './types.ts';

export type WriteRecord = Extract<PreparedRecord, { kind: 'write' }>;

/**
 * One bulk item as NDJSON bytes: the action line, the document (already JSON, copied as is, never
 * re-serialised) and the final newline. Index and id are JSON-escaped.
 */
export function encodeItem(record: Pick<WriteRecord, 'action' | 'index' | 'id' | 'source'>): Buffer {
  return Buffer.from(`${actionLine(record.action, record.index, record.id)}${record.source}\n`, 'utf8');
}

/** The action line of one bulk item, its final newline included. */
export function actionLine(action: string, index: string, id: string): string {
  return `${actionPrefix(action, index)}${JSON.stringify(id)}}}\n`;
}

// Consecutive records mostly share action and index: the start of the action line is reused.
let lastAction = '';
let lastIndex = '';
let lastPrefix = '';

function actionPrefix(action: string, index: string): string {
  if (action !== lastAction || index !== lastIndex) {
    lastPrefix = `{"${action}":{"_index":${JSON.stringify(index)},"_id":`;
    lastAction = action;
    lastIndex = index;
  }
  return lastPrefix;
}

/**
 * Why a document cannot go into an NDJSON body, or undefined. A newline inside it would split it
 * into two bulk lines and shift every later item, so it is refused up front (a pipeline bug).
 */
export function invalidSource(source: string): string | undefined {
  if (source.length === 0) return 'document is empty';
  if (source.includes('\n')) return 'document contains a raw newline';
  return undefined;
}
