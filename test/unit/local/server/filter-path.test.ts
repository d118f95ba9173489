import { describe, expect, it } from 'vitest';
import { filterPath } from '../../../../infra/local/opensearch/filter-path.ts';

const bulk = {
  took: 3,
  errors: true,
  items: [
    { index: { _index: 'a', _id: '1', status: 201 } },
    {
      index: { _index: 'a', _id: '2', status: 400, error: { type: 'mapper_parsing_exception', reason: 'x' } },
    },
  ],
};

describe('filterPath', () => {
  it.each([
    [undefined, bulk],
    ['took', { took: 3 }],
    ['errors,took', { took: 3, errors: true }],
    ['items.*.error', { items: [{ index: { error: { type: 'mapper_parsing_exception', reason: 'x' } } }] }],
    ['items.*.status', { items: [{ index: { status: 201 } }, { index: { status: 400 } }] }],
    ['**.type', { items: [{ index: { error: { type: 'mapper_parsing_exception' } } }] }],
    ['-items', { took: 3, errors: true }],
    ['nothing', {}],
  ])('%s', (filter, expected) => {
    expect(filterPath(bulk, filter)).toEqual(expected);
  });
});
