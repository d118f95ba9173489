import { describe, expect, it } from 'vitest';
import { search } from '../../../../infra/local/opensearch/search/index.ts';
import { context, loadStory, subsetDiff } from './harness.ts';

// The official OpenSearch API spec stories for search: their documents are loaded as the server
// would index them, and each `/{index}/_search` chapter's answer must contain the recorded response.
// Not here: rest_total_hits_as_int.yaml (the server's rendering of `total`) and
// terms_aggregate_unsigned_long.yaml (64-bit unsigned keys do not survive JSON numbers in JavaScript).
const STORIES = [
  '_core/search/match.yaml',
  '_core/search/size.yaml',
  '_core/search/_source.yaml',
  '_core/search/aggregations/avg.yaml',
  '_core/search/aggregations/max.yaml',
  '_core/search/aggregations/min.yaml',
  '_core/search/aggregations/sum.yaml',
  '_core/search/aggregations/min_script.yaml',
  '_core/search/aggregations/min_value_type.yaml',
  '_core/search/aggregations/max_value_type.yaml',
  '_core/search/aggregations/terms.yaml',
  '_core/search/aggregations/terms_order.yaml',
  '_core/search/aggregations/terms_doc_count.yaml',
  '_core/search/aggregations/terms_aggregate_field_types.yaml',
  '_core/search/aggregations/terms_aggregate_nested_aggs.yaml',
  '_core/search/aggregations/terms_aggregate_doc_count_error_upper_bound.yaml',
  '_core/search/aggregations/historgram.yaml',
  '_core/search/aggregations/range.yaml',
  '_core/search/aggregations/bucket.yaml',
  '_core/search/aggregations/filter_with_meta.yaml',
  'indices/search.yaml',
  '_core/search/search_after.yaml',
  '_core/search/seq_no_primary_term.yaml',
  '_core/search/multi_match.yaml',
  '_core/search/query/fuzzy.yaml',
  '_core/search/query/terms/array_terms.yaml',
  '_core/search/query/terms/array_terms_with_boost.yaml',
  '_core/search/aggregations/nested.yaml',
];

describe('OpenSearch API spec stories', () => {
  for (const file of STORIES) {
    const story = loadStory(file);
    describe(file, () => {
      it('has search chapters', () => {
        expect(story.chapters.length).toBeGreaterThan(0);
      });
      for (const chapter of story.chapters) {
        it(chapter.synopsis, () => {
          const docs = story.docs.filter((d) => d.index === chapter.index);
          const result = search(docs, chapter.body, chapter.params, context(story.mappings));
          expect(chapter.status).toBe(200);
          if (chapter.expected !== undefined) {
            // `timed_out`, `took` and `_shards` are the server's part of the response.
            const {
              timed_out: _t,
              took: _k,
              _shards: _s,
              ...expected
            } = chapter.expected as Record<string, unknown>;
            expect(subsetDiff(expected, result)).toEqual([]);
          }
        });
      }
    });
  }
});
