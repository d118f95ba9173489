import { describe, expect, it } from 'vitest';
import type { OpenSearchError } from '../../../../infra/local/opensearch/errors.ts';
import { Router } from '../../../../infra/local/opensearch/router.ts';

function router(): Router {
  const r = new Router();
  const named = (name: string) => () => ({ status: 200, body: name });
  r.add('GET', '/{index}', named('get-index'));
  r.add('HEAD', '/{index}', named('head-index'));
  r.add('GET', '/_cat/indices', named('cat'));
  r.add('GET', '/{index}/{type}', named('two-params'));
  r.add(['PUT', 'POST'], '/{index}/_doc/{id}', named('doc'));
  return r;
}

describe('Router', () => {
  it.each([
    ['GET', '/logs', 'get-index', { index: 'logs' }],
    ['HEAD', '/logs', 'head-index', { index: 'logs' }],
    ['GET', '/_cat/indices', 'cat', {}],
    ['GET', '/a/b', 'two-params', { index: 'a', type: 'b' }],
    ['PUT', '/logs/_doc/a%2Fb', 'doc', { index: 'logs', id: 'a/b' }],
  ])('%s %s → %s', async (method, path, name, params) => {
    const match = router().match(method, path);
    expect((await match.handler({} as never)).body).toBe(name);
    expect(match.params).toEqual(params);
  });

  it('answers 405 with the allowed methods when only the method is wrong', () => {
    try {
      router().match('DELETE', '/logs/_doc/1');
      expect.unreachable();
    } catch (error) {
      const e = error as OpenSearchError;
      expect(e.status).toBe(405);
      expect(e.body()).toEqual({
        error: 'Incorrect HTTP method for uri [/logs/_doc/1] and method [DELETE], allowed: [POST, PUT]',
        status: 405,
      });
    }
  });

  it('answers 400 for an unknown uri', () => {
    expect(() => router().match('GET', '/a/b/c/d/e')).toThrowError(
      'no handler found for uri [/a/b/c/d/e] and method [GET]',
    );
  });
});
