// Write-ahead log: each acknowledged change is appended (synchronously, before the response is
// sent) to `journal.ndjson`; `snapshot.json` holds a compacted state and the last journal seq it
// covers, so a crash between writing the snapshot and truncating the log replays nothing twice.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ClusterEvent, ClusterState, Snapshot } from './state.ts';

const COMPACT_BYTES = 64 * 1024 * 1024;

export interface Journal {
  append(events: ClusterEvent[]): void;
  close(): void;
}

export function openJournal(
  dir: string,
  state: ClusterState,
  options: { compactBytes?: number } = {},
): Journal {
  const compactBytes = options.compactBytes ?? COMPACT_BYTES;
  fs.mkdirSync(dir, { recursive: true });
  const logPath = path.join(dir, 'journal.ndjson');
  const snapPath = path.join(dir, 'snapshot.json');
  let seq = 0;
  if (fs.existsSync(snapPath)) {
    const snapshot = JSON.parse(fs.readFileSync(snapPath, 'utf8')) as Snapshot;
    state.loadSnapshot(snapshot);
    seq = snapshot.walSeq;
  }
  if (fs.existsSync(logPath)) {
    const data = fs.readFileSync(logPath);
    let good = 0; // bytes of complete, parseable lines
    let start = 0;
    while (start < data.length) {
      const end = data.indexOf(0x0a, start);
      if (end === -1) break; // no newline: a torn final write, never acknowledged
      let entry: { s: number; e: ClusterEvent };
      try {
        entry = JSON.parse(data.subarray(start, end).toString('utf8')) as { s: number; e: ClusterEvent };
      } catch {
        break;
      }
      if (entry.s > seq) {
        state.apply(entry.e);
        seq = entry.s;
      }
      start = end + 1;
      good = start;
    }
    // Cut a torn tail so that new entries start on a line of their own.
    if (good < data.length) fs.truncateSync(logPath, good);
  }
  let fd = fs.openSync(logPath, 'a');
  let bytes = fs.fstatSync(fd).size;

  const compact = () => {
    const tmp = `${snapPath}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state.toSnapshot(seq)));
    fs.renameSync(tmp, snapPath);
    fs.closeSync(fd);
    fd = fs.openSync(logPath, 'w');
    bytes = 0;
  };

  return {
    append(events) {
      if (events.length === 0) return;
      const text = events.map((e) => JSON.stringify({ s: ++seq, e })).join('\n') + '\n';
      fs.writeSync(fd, text);
      bytes += Buffer.byteLength(text);
      if (bytes > compactBytes) compact();
    },
    close() {
      fs.closeSync(fd);
    },
  };
}
