import type { PreparedRecord } from './types.ts';

export type WriteRecord = Extract<PreparedRecord, { kind: 'write' }>;

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

/** A prepared document as text, whichever form it was prepared in. */
export function sourceText(source: string | Buffer): string {
  return typeof source === 'string' ? source : source.toString('utf8');
}

// Action-line starts as bytes, by action and index: a batch spreads over a few indices.
const prefixBytes = new Map<string, Map<string, Buffer>>();
const PREFIX_CACHE_LIMIT = 1024;

/** `{"<action>":{"_index":"<index>","_id":` as UTF-8 bytes (cached). */
export function actionPrefixBytes(action: string, index: string): Buffer {
  let byIndex = prefixBytes.get(action);
  if (byIndex === undefined) {
    byIndex = new Map();
    prefixBytes.set(action, byIndex);
  }
  let bytes = byIndex.get(index);
  if (bytes === undefined) {
    bytes = Buffer.from(`{"${action}":{"_index":${JSON.stringify(index)},"_id":`);
    if (byIndex.size >= PREFIX_CACHE_LIMIT) byIndex.clear();
    byIndex.set(index, bytes);
  }
  return bytes;
}
