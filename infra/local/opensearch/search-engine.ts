// Bridge to the search module: route code depends on this small interface only.
import * as searchModule from './search/index.ts';

export type { SearchContext, SearchDoc, SearchParams } from './search/index.ts';

export type SearchEngine = Pick<typeof searchModule, 'search' | 'count'>;

export async function loadSearchEngine(): Promise<SearchEngine> {
  return searchModule;
}
