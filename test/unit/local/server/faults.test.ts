import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Faults, itemError, requestFaultBody } from '../../../../infra/local/opensearch/faults.ts';
import { mulberry32 } from '../../../../infra/local/opensearch/prng.ts';

describe('mulberry32', () => {
  it('is deterministic per seed and stays in [0, 1)', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const a = mulberry32(seed);
        const b = mulberry32(seed);
        for (let i = 0; i < 20; i++) {
          const x = a();
          expect(x).toBe(b());
          expect(x).toBeGreaterThanOrEqual(0);
          expect(x).toBeLessThan(1);
        }
      }),
    );
  });
});

describe('Faults', () => {
  const run = (seed: number) => {
    const faults = new Faults();
    faults.set({ seed, bulk_item: { rate: 0.3, statuses: [429, 500, 503] } });
    return Array.from({ length: 200 }, () => faults.itemFault('/_bulk')?.status ?? 200);
  };

  it('the same seed gives the same item faults, at roughly the configured rate', () => {
    const first = run(7);
    expect(run(7)).toEqual(first);
    expect(run(8)).not.toEqual(first);
    const failed = first.filter((s) => s !== 200).length;
    expect(failed).toBeGreaterThan(30);
    expect(failed).toBeLessThan(90);
    expect(new Set(first)).toEqual(new Set([200, 429, 500, 503]));
  });

  it('never injects into /_sluice routes and honours path patterns', () => {
    const faults = new Faults();
    faults.set({ seed: 1, request: { rate: 1, statuses: [502] }, paths: ['/logs*'] });
    expect(faults.requestFault('/_sluice/faults')).toBeUndefined();
    expect(faults.requestFault('/metrics/_search')).toBeUndefined();
    expect(faults.requestFault('/logs-1/_bulk')).toEqual({ kind: 'status', status: 502 });
  });

  it('reset turns everything off and restores the 10 MiB limit', () => {
    const faults = new Faults();
    faults.set({ seed: 1, reset_rate: 1, max_body_bytes: 10 });
    expect(faults.requestFault('/x')).toEqual({ kind: 'reset' });
    faults.reset();
    expect(faults.requestFault('/x')).toBeUndefined();
    expect(faults.config.max_body_bytes).toBe(10 * 1024 * 1024);
  });

  it('rejects invalid configurations', () => {
    const faults = new Faults();
    expect(() => faults.set({ bulk_item: { rate: 2 } })).toThrowError(/between 0 and 1/);
    expect(() => faults.set({ request: { rate: 0.1, statuses: [200] } })).toThrowError(/HTTP error statuses/);
  });

  it.each([
    [429, 'rejected_execution_exception'],
    [503, 'unavailable_shards_exception'],
    [500, 'exception'],
  ])('item error for %i is %s', (status, type) => {
    expect(itemError(status).type).toBe(type);
  });

  it('answers gateway errors as HTML, like a load balancer', () => {
    expect(requestFaultBody(502)).toMatchObject({ contentType: 'text/html' });
    expect(requestFaultBody(502).text).toContain('<title>502 Bad Gateway</title>');
  });
});
