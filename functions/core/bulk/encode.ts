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
