// Item buffers used again across batches (json-fast.ts openSlabs/closeSlabs): a buffer is reused
// only once no batch that wrote in it can read it, and never when it was begun outside a batch.
import { describe, expect, it } from 'vitest';
import type { PreparedRecord } from '../../../functions/core/bulk/types.ts';
import { parsePipelineConfig } from '../../../functions/core/pipeline/config.ts';
import { closeSlabs, itemSlab, openSlabs } from '../../../functions/core/pipeline/json-fast.ts';
import { createPrepareCounters, prepareRecord } from '../../../functions/core/pipeline/prepare.ts';
import { kafkaRecord } from './helpers.ts';

const config = parsePipelineConfig({
  topics: [{ match: 'app-logs', pipeline: 'app' }],
  pipelines: {
    app: {
      codec: 'json',
      parsers: ['json'],
      timestamp: { fields: ['time'], formats: ['iso8601'] },
      route: { index: 'logs-{service.name}' },
      service: 'svc',
    },
  },
});

// About 2 KiB an item: a 1 MiB buffer holds about 500.
const filler = 'x'.repeat(2000);
let offset = 0;

/** Writes `count` items; returns them with the text each must keep. */
function write(count: number, tag: string): Array<{ record: PreparedRecord; text: string }> {
  const out: Array<{ record: PreparedRecord; text: string }> = [];
  for (let i = 0; i < count; i++) {
    const line = JSON.stringify({ time: '2024-05-01T12:00:00.000Z', msg: `${tag}-${i}`, filler });
    const record = prepareRecord(kafkaRecord(line, { offset: offset++ }), config, createPrepareCounters(), {
      now: 1,
    });
    if (record.kind !== 'write' || record.item === undefined) throw new Error('not written on its bytes');
    out.push({ record, text: record.item.toString('latin1') });
  }
  return out;
}

const intact = (items: Array<{ record: PreparedRecord; text: string }>): boolean =>
  items.every(({ record, text }) => record.kind === 'write' && record.item!.toString('latin1') === text);

/** The buffers items were written in, as their ArrayBuffers. */
const buffersOf = (items: Array<{ record: PreparedRecord }>) =>
  new Set(items.map(({ record }) => (record.kind === 'write' ? record.item!.buffer : undefined)));

describe('item buffers across batches', () => {
  it('a batch’s full buffers serve the next batch, and what that batch writes reads back whole', () => {
    openSlabs();
    const first = write(1500, 'first');
    closeSlabs(true);
    openSlabs();
    const second = write(1500, 'second');
    closeSlabs(true);
    expect(intact(second)).toBe(true);
    // The second batch wrote only into buffers the first one filled (or was filling).
    const fresh = [...buffersOf(second)].filter((b) => !buffersOf(first).has(b!));
    expect(buffersOf(second).size).toBeGreaterThan(2);
    expect(fresh).toEqual([]);
  });

  it('batch after batch, takes no new buffer once the first batches filled the spare ones', () => {
    const seen = new Set<ArrayBufferLike | undefined>();
    const fresh: number[] = [];
    for (let k = 0; k < 8; k++) {
      openSlabs();
      const items = write(1500, `run-${k}`);
      closeSlabs(true);
      fresh.push([...buffersOf(items)].filter((b) => !seen.has(b)).length);
      for (const b of buffersOf(items)) seen.add(b);
    }
    expect(fresh.slice(2)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('keeps an open batch’s items while another batch, started later, ends', () => {
    openSlabs();
    const a = write(300, 'a');
    openSlabs();
    const b = write(1500, 'b');
    closeSlabs(true); // b's end: a is still open, nothing is reused yet
    openSlabs();
    const c = write(1500, 'c');
    expect(intact(a)).toBe(true);
    closeSlabs(true);
    closeSlabs(true);
    expect(intact(b.slice(-10))).toBe(true);
    expect(intact(c)).toBe(true);
  });

  it('never reuses the buffers of a batch that failed, even after later batches', () => {
    openSlabs();
    const failed = write(1500, 'failed');
    closeSlabs(false);
    for (let k = 0; k < 3; k++) {
      openSlabs();
      write(1500, `later-${k}`);
      closeSlabs(true);
    }
    expect(intact(failed)).toBe(true);
  });

  it('never reuses a buffer written outside any batch', () => {
    // Enough to begin a buffer in the batch; the items written after it closed are outside any.
    openSlabs();
    write(600, 'before');
    closeSlabs(true);
    const outside = write(50, 'outside');
    for (let k = 0; k < 3; k++) {
      openSlabs();
      write(1500, `batch-${k}`);
      closeSlabs(true);
    }
    expect(intact(outside)).toBe(true);
    expect(itemSlab().length).toBeGreaterThan(0);
  });
});
