import { describe, expect, it } from 'vitest';
import { createClock } from '../../../../infra/local/opensearch/clock.ts';
import { LocalNode } from '../../../../infra/local/opensearch/node.ts';

function setup(refreshInterval?: string) {
  const clock = createClock(Date.UTC(2024, 0, 1));
  let real = 0;
  const node = new LocalNode(clock, () => real);
  node.init();
  const index = node.createIndex(
    'logs',
    refreshInterval ? { settings: { refresh_interval: refreshInterval } } : {},
  );
  const visible = () =>
    node
      .searchable(index)
      .map((d) => d.id)
      .sort();
  const write = (id: string) => node.write({ op: 'index', target: 'logs', id, meta: {}, source: { id } });
  return { clock, node, index, visible, write, advanceReal: (ms: number) => (real += ms) };
}

describe('refresh visibility', () => {
  it('a document becomes searchable after the next periodic refresh on the server clock', () => {
    const { clock, visible, write } = setup();
    clock.advance(400);
    write('a');
    expect(visible()).toEqual([]);
    clock.advance(599); // 999 ms after the last refresh: no tick yet
    expect(visible()).toEqual([]);
    clock.advance(1); // the tick at 1000 ms
    expect(visible()).toEqual(['a']);
  });

  it('a write after the last tick waits for the following one', () => {
    const { clock, visible, write } = setup();
    clock.advance(900);
    write('a');
    clock.advance(200); // tick at 1000 ms, then b at 1100 ms
    write('b');
    expect(visible()).toEqual(['a']);
    clock.advance(900);
    expect(visible()).toEqual(['a', 'b']);
  });

  it('real time also drives the periodic refresh', () => {
    const { visible, write, advanceReal } = setup();
    write('a');
    advanceReal(1000);
    expect(visible()).toEqual(['a']);
  });

  it('refresh_interval -1 needs an explicit refresh; deletes are also hidden until then', () => {
    const { clock, node, index, visible, write } = setup('-1');
    write('a');
    clock.advance(60_000);
    expect(visible()).toEqual([]);
    node.refresh([index]);
    expect(visible()).toEqual(['a']);
    node.write({ op: 'delete', target: 'logs', id: 'a', meta: {} });
    expect(visible()).toEqual(['a']);
    node.refresh([index]);
    expect(visible()).toEqual([]);
  });

  it('GET by id is real-time', () => {
    const { index, write } = setup('-1');
    write('a');
    expect(index.docs.get('a')?.source).toEqual({ id: 'a' });
  });
});
