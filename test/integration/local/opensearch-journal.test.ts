// The write-ahead journal of the local OpenSearch server: replay, compaction, torn writes.
import * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createClock } from '../../../infra/local/opensearch/clock.ts';
import { openJournal } from '../../../infra/local/opensearch/journal.ts';
import { LocalNode } from '../../../infra/local/opensearch/node.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sluice-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function open(compactBytes?: number): LocalNode {
  const node = new LocalNode(createClock(Date.UTC(2024, 0, 1)));
  node.attachJournal(openJournal(dir, node.state, compactBytes === undefined ? {} : { compactBytes }));
  node.state.refreshAll();
  return node;
}

function writeDocs(node: LocalNode, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    node.write({ op: 'index', target: 'logs', id: String(i), meta: {}, source: { i, text: 'x'.repeat(50) } });
    node.flush();
  }
}

describe('journal', () => {
  it('replays every flushed change into a fresh node', () => {
    const first = open();
    writeDocs(first, 0, 20);
    first.write({ op: 'delete', target: 'logs', id: '3', meta: {} });
    first.flush();
    first.closeJournal();
    const second = open();
    const index = second.state.indices.get('logs');
    expect(index?.docs.size).toBe(19);
    expect(index?.docs.has('3')).toBe(false);
    expect(index?.maxSeqNo).toBe(20);
    expect(second.state.clusterUuid).toBe(first.state.clusterUuid);
    // Recovered documents are searchable at once, as after a shard recovery.
    expect(second.searchable(index as never)).toHaveLength(19);
  });

  it('compacts into a snapshot and keeps appending after it', () => {
    const first = open(2_000);
    writeDocs(first, 0, 100);
    expect(fs.existsSync(path.join(dir, 'snapshot.json'))).toBe(true);
    expect(fs.statSync(path.join(dir, 'journal.ndjson')).size).toBeLessThan(2_500);
    first.closeJournal();
    const second = open(2_000);
    expect(second.state.indices.get('logs')?.docs.size).toBe(100);
    expect(second.state.indices.get('logs')?.docs.get('99')?.source).toMatchObject({ i: 99 });
  });

  it('ignores a torn final line and never applies a change twice', () => {
    const first = open();
    writeDocs(first, 0, 5);
    first.closeJournal();
    const log = path.join(dir, 'journal.ndjson');
    const lines = fs.readFileSync(log, 'utf8');
    // A crash after the snapshot was written but before the log was truncated: the log still
    // holds changes the snapshot covers, then a half-written line.
    const node = open();
    fs.writeFileSync(
      path.join(dir, 'snapshot.json'),
      JSON.stringify(node.state.toSnapshot(lines.trim().split('\n').length)),
    );
    node.closeJournal();
    fs.writeFileSync(log, `${lines}{"s":99,"e":{"t":"doc.put"`);
    const second = open();
    const index = second.state.indices.get('logs');
    expect(index?.docs.size).toBe(5);
    expect(index?.docs.get('4')?.version).toBe(1);
    // Writes after the recovery survive the next restart.
    writeDocs(second, 5, 7);
    second.closeJournal();
    expect(open().state.indices.get('logs')?.docs.size).toBe(7);
  });
});
