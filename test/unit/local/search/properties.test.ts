import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../../../infra/local/opensearch/search/analyze.ts';
import { formatDate, parseDate, parseDateMath } from '../../../../infra/local/opensearch/search/dates.ts';
import {
  count,
  type SearchDoc,
  SearchError,
  search,
} from '../../../../infra/local/opensearch/search/index.ts';
import { context, docs } from './harness.ts';

const CTX = context({ p: { k: 'keyword', n: 'long', t: 'text', d: 'date' } });
const WORDS = ['error', 'warn', 'disk', 'full', 'Timeout', 'node-1', 'retry'];

const docArb = fc.record(
  {
    k: fc.constantFrom('a', 'b', 'c', 'd'),
    n: fc.integer({ min: -5, max: 5 }),
    t: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 5 }).map((w) => w.join(' ')),
    d: fc.integer({ min: 0, max: 10 }).map((h) => new Date(Date.UTC(2024, 0, 1, h)).toISOString()),
  },
  { requiredKeys: ['k'] },
);
const corpusArb = fc.array(docArb, { maxLength: 25 }).map((sources) => docs('p', sources));

const leafArb: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'e').map((v) => ({ term: { k: v } })),
  fc.integer({ min: -6, max: 6 }).map((v) => ({ range: { n: { gte: v } } })),
  fc.constantFrom(...WORDS).map((w) => ({ match: { t: w } })),
  fc.constantFrom('n', 't', 'k').map((f) => ({ exists: { field: f } })),
  fc.integer({ min: 0, max: 10 }).map((h) => ({ range: { d: { lt: `2024-01-01T00:00:00Z||+${h}h` } } })),
);

const matching = (corpus: SearchDoc[], query: unknown): Set<string> =>
  new Set(search(corpus, { query, size: 10_000 }, {}, CTX).hits.hits.map((h) => h._id));

describe('properties', () => {
  it('bool must of A and B is the intersection (so a subset of A)', () => {
    fc.assert(
      fc.property(corpusArb, leafArb, leafArb, (corpus, a, b) => {
        const both = matching(corpus, { bool: { must: [a, b] } });
        const onlyA = matching(corpus, a);
        const onlyB = matching(corpus, b);
        expect([...both].sort()).toEqual([...onlyA].filter((id) => onlyB.has(id)).sort());
      }),
    );
  });

  it('should of A and B is the union; must_not A is the complement; filter equals must', () => {
    fc.assert(
      fc.property(corpusArb, leafArb, leafArb, (corpus, a, b) => {
        const onlyA = matching(corpus, a);
        const onlyB = matching(corpus, b);
        expect([...matching(corpus, { bool: { should: [a, b] } })].sort()).toEqual(
          [...new Set([...onlyA, ...onlyB])].sort(),
        );
        const not = matching(corpus, { bool: { must_not: a } });
        expect(corpus.every((d) => onlyA.has(d.id) !== not.has(d.id))).toBe(true);
        expect(matching(corpus, { bool: { filter: [a, b] } })).toEqual(
          matching(corpus, { bool: { must: [a, b] } }),
        );
      }),
    );
  });

  it('count agrees with the total and the number of hits', () => {
    fc.assert(
      fc.property(corpusArb, leafArb, (corpus, q) => {
        const result = search(corpus, { query: q, size: 10_000 }, {}, CTX);
        expect(count(corpus, { query: q }, {}, CTX)).toBe(result.hits.total?.value);
        expect(result.hits.hits).toHaveLength(result.hits.total?.value ?? -1);
      }),
    );
  });

  it('from/size pages partition the sorted result', () => {
    fc.assert(
      fc.property(
        corpusArb,
        leafArb,
        fc.integer({ min: 1, max: 7 }),
        fc.constantFrom<unknown>(undefined, [{ n: 'desc' }, { k: 'asc' }], ['_doc'], [{ d: 'asc' }]),
        (corpus, q, size, sort) => {
          const all = search(corpus, { query: q, sort, size: 10_000 }, {}, CTX).hits.hits.map((h) => h._id);
          const paged: string[] = [];
          for (let from = 0; from < all.length + size; from += size) {
            paged.push(
              ...search(corpus, { query: q, sort, from, size }, {}, CTX).hits.hits.map((h) => h._id),
            );
          }
          expect(paged).toEqual(all);
        },
      ),
    );
  });

  it('hits are ordered by score desc, then by index order', () => {
    fc.assert(
      fc.property(
        corpusArb,
        fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 3 }),
        (corpus, words) => {
          const hits = search(corpus, { query: { match: { t: words.join(' ') } }, size: 10_000 }, {}, CTX)
            .hits.hits;
          const position = new Map(corpus.map((d, i) => [d.id, i]));
          for (let i = 1; i < hits.length; i++) {
            const [prev, cur] = [hits[i - 1], hits[i]];
            const ds = (prev?._score as number) - (cur?._score as number);
            expect(
              ds > 0 ||
                (ds === 0 && (position.get(prev?._id ?? '') ?? 0) < (position.get(cur?._id ?? '') ?? 0)),
            ).toBe(true);
          }
        },
      ),
    );
  });

  it('terms doc_counts sum to the matching documents when size is large enough', () => {
    fc.assert(
      fc.property(corpusArb, leafArb, (corpus, q) => {
        const result = search(
          corpus,
          { query: q, size: 0, aggs: { k: { terms: { field: 'k', size: 100 } } } },
          {},
          CTX,
        );
        const agg = result.aggregations!.k as {
          sum_other_doc_count: number;
          buckets: Array<{ doc_count: number }>;
        };
        expect(agg.sum_other_doc_count).toBe(0);
        expect(agg.buckets.reduce((s, b) => s + b.doc_count, 0)).toBe(result.hits.total?.value);
      }),
    );
  });

  it('terms with a small size keeps the rest in sum_other_doc_count', () => {
    fc.assert(
      fc.property(corpusArb, fc.integer({ min: 1, max: 3 }), (corpus, size) => {
        const result = search(corpus, { size: 0, aggs: { k: { terms: { field: 'k', size } } } }, {}, CTX);
        const agg = result.aggregations!.k as {
          sum_other_doc_count: number;
          buckets: Array<{ doc_count: number }>;
        };
        expect(agg.buckets.length).toBeLessThanOrEqual(size);
        expect(agg.buckets.reduce((s, b) => s + b.doc_count, 0) + agg.sum_other_doc_count).toBe(
          corpus.length,
        );
      }),
    );
  });

  it('date_histogram buckets count every document once, in key order', () => {
    fc.assert(
      fc.property(corpusArb, fc.constantFrom('1h', '3h', '1d'), (corpus, interval) => {
        const result = search(
          corpus,
          { size: 0, aggs: { h: { date_histogram: { field: 'd', fixed_interval: interval } } } },
          {},
          CTX,
        );
        const buckets = (result.aggregations!.h as { buckets: Array<{ key: number; doc_count: number }> })
          .buckets;
        const withDate = corpus.filter((d) => d.source.d !== undefined).length;
        expect(buckets.reduce((s, b) => s + b.doc_count, 0)).toBe(withDate);
        expect(buckets.map((b) => b.key)).toEqual(buckets.map((b) => b.key).sort((a, b) => a - b));
      }),
    );
  });

  it('formatted dates parse back to the same instant', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -2_000_000_000_000, max: 4_000_000_000_000 }),
        fc.constantFrom(undefined, '+05:30', '-08:00'),
        (ms, tz) => {
          expect(parseDate(formatDate(ms, undefined, tz))).toBe(ms);
        },
      ),
    );
  });

  it('rounding brackets the instant: x/d ≤ x ≤ x/d rounded up', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_000_000_000_000 }),
        fc.constantFrom('y', 'M', 'w', 'd', 'h', 'm', 's'),
        (now, unit) => {
          const down = parseDateMath(`now/${unit}`, { now });
          const up = parseDateMath(`now/${unit}`, { now, roundUp: true });
          expect(down).toBeLessThanOrEqual(now);
          expect(up).toBeGreaterThanOrEqual(now);
          expect(parseDateMath(`now/${unit}`, { now: up + 1 })).toBe(up + 1);
        },
      ),
    );
  });

  it('analysing is idempotent', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const tokens = analyze(text);
        expect(analyze(tokens.join(' '))).toEqual(tokens);
      }),
    );
  });
});

describe('robustness', () => {
  const FIELDS = ['k', 'n', 't', 'd', 'missing', '_id'];
  const QUERY_TYPES = [
    'term',
    'terms',
    'match',
    'match_phrase',
    'range',
    'exists',
    'bool',
    'prefix',
    'wildcard',
    'ids',
    'query_string',
    'multi_match',
    'constant_score',
    '_per_field',
    'nope',
  ];
  const AGG_TYPES = [
    'terms',
    'avg',
    'max',
    'stats',
    'histogram',
    'date_histogram',
    'range',
    'filter',
    'filters',
    'top_hits',
    'percentiles',
    'nope',
  ];
  const valueArb = fc.oneof(
    fc.constantFrom(...FIELDS),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.string({ maxLength: 6 }),
  );
  const bodyArb: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    any: fc.oneof({ maxDepth: 3 }, valueArb, tie('object'), fc.array(tie('any'), { maxLength: 3 })),
    object: fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          ...FIELDS,
          ...QUERY_TYPES,
          ...AGG_TYPES,
          'field',
          'query',
          'gte',
          'lt',
          'must',
          'filter',
          'should',
          'interval',
          'ranges',
          'size',
          'order',
          'fixed_interval',
          'calendar_interval',
          'aggs',
        ),
      ),
      tie('any'),
      { maxKeys: 3 },
    ),
  })).any;

  it('answers any body with a result or a SearchError (never a crash)', () => {
    const corpus = docs('p', [
      { k: 'a', n: 1, t: 'disk full', d: '2024-01-01T00:00:00Z' },
      { k: 'b', n: 2, t: 'timeout' },
    ]);
    fc.assert(
      fc.property(bodyArb, bodyArb, fc.string({ maxLength: 12 }), (query, aggs, q) => {
        for (const attempt of [
          () => search(corpus, { query }, {}, CTX),
          () => search(corpus, { size: 0, aggs }, {}, CTX),
          () => search(corpus, {}, { q }, CTX),
          () => search(corpus, { query: { query_string: { query: q } } }, {}, CTX),
        ]) {
          try {
            attempt();
          } catch (error) {
            if (!(error instanceof SearchError)) throw error;
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
