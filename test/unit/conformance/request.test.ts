import { describe, expect, it } from 'vitest';
import {
  buildQuery,
  buildRequest,
  fillPath,
  parameterText,
  serialisePayload,
} from '../../conformance/request.ts';

describe('request building', () => {
  it.each([
    ['/{index}/_doc/{id}', { index: 'movies', id: '1' }, '/movies/_doc/1', {}],
    ['/{index}', { index: ['books', 'movies'] }, '/books,movies', {}],
    ['/{index}/_search', { index: 'logs-*', size: 0 }, '/logs-*/_search', { size: 0 }],
    ['/_cat/indices', { v: true }, '/_cat/indices', { v: true }],
    ['/{index}/_doc/{id}', { index: 'a b', id: 'x/y' }, '/a%20b/_doc/x%2Fy', {}],
    ['/{missing}', {}, '/{missing}', {}],
    ['games', {}, '/games', {}],
  ])('fillPath(%s, %j) = %s', (template, params, path, rest) => {
    expect(fillPath(template, params)).toEqual({ path, rest });
  });

  it.each([
    [{}, ''],
    [{ pretty: false }, '?pretty=false'],
    [{ size: 20, from: 0 }, '?size=20&from=0'],
    [{ h: ['health', 'status'] }, '?h=health,status'],
    [{ q: 'a&b=c' }, '?q=a%26b%3Dc'],
    [{ h: ['*'] }, '?h=*'],
  ])('buildQuery(%j) = %s', (params, query) => {
    expect(buildQuery(params)).toBe(query);
  });

  it.each([
    ['x', 'x'],
    [3, '3'],
    [true, 'true'],
    [['a', 1, false], 'a,1,false'],
  ])('parameterText(%j) = %s', (value, text) => {
    expect(parameterText(value)).toBe(text);
  });

  it.each([
    [
      [{ create: { _index: 'movies' } }, { title: 'Drive' }],
      'application/x-ndjson',
      '{"create":{"_index":"movies"}}\n{"title":"Drive"}\n',
    ],
    [
      [{ delete: { _index: 'm', _id: '1' } }],
      'application/x-ndjson',
      '{"delete":{"_index":"m","_id":"1"}}\n',
    ],
    [{ a: 1 }, 'application/json', '{"a":1}'],
    [{ a: 1 }, undefined, '{"a":1}'],
    ['hello', 'text/plain', 'hello'],
    [{ a: [1, 2] }, 'application/yaml', 'a:\n  - 1\n  - 2\n'],
  ])('serialisePayload(%j, %s)', (payload, type, body) => {
    expect(serialisePayload(payload, type)).toBe(body);
  });

  it('builds a GET with a body, query from the leftover parameters and the content type', () => {
    const r = buildRequest({
      method: 'get',
      path: '/{index}/_search',
      parameters: { index: 'movies', size: 1 },
      headers: { 'X-Opaque-Id': 7 },
      payload: { query: { match_all: {} } },
    });
    expect(r).toEqual({
      method: 'GET',
      path: '/movies/_search?size=1',
      headers: { 'x-opaque-id': '7', 'content-type': 'application/json' },
      body: '{"query":{"match_all":{}}}',
    });
  });

  it('sends no body and no content type without a payload', () => {
    expect(buildRequest({ method: 'DELETE', path: '/books' })).toEqual({
      method: 'DELETE',
      path: '/books',
      headers: {},
    });
  });
});
