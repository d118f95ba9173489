import { describe, expect, it } from 'vitest';
import { loadSpec } from '../../conformance/groups.ts';
import { compareSpecificity, matchesTemplate, pickTemplate } from '../../conformance/spec.ts';

const spec = loadSpec();

const goodInfo = {
  name: 'sluice-local',
  cluster_name: 'sluice',
  cluster_uuid: 'Xyb0BXPIQWyQyT6tYJiLGA',
  tagline: 'The OpenSearch Project: https://opensearch.org/',
  version: {
    distribution: 'opensearch',
    number: '2.19.0',
    build_type: 'tar',
    build_hash: 'fd9a9d90df25bea1af2c6a85039692e815b894f5',
    build_date: '2025-02-05T17:06:31.962953Z',
    build_snapshot: false,
    lucene_version: '9.12.1',
    minimum_wire_compatibility_version: '7.10.0',
    minimum_index_compatibility_version: '7.0.0',
  },
};

describe('OpenAPI spec lookup and validation', () => {
  it.each([
    ['/{index}/_doc/{id}', '/movies/_doc/1', true],
    ['/{index}/_doc/{id}', '/movies/_doc', false],
    ['/{index}/_doc/{id}', '/movies/_doc/1?refresh=true', true],
    ['/_cat/indices/{index}', '/_cat/indices/books', true],
    ['/', '/', true],
    ['/{index}', '/', false],
    ['/_bulk', '/_bulk/', true],
  ])('matchesTemplate(%s, %s) = %s', (template, path, expected) => {
    expect(matchesTemplate(template, path)).toBe(expected);
  });

  it.each([
    [
      ['/{index}/{id}', '/_snapshot/_status', '/_snapshot/{repository}'],
      '/_snapshot/_status',
      '/_snapshot/_status',
    ],
    [['/{index}/{id}', '/_snapshot/{repository}'], '/_snapshot/my-repo', '/_snapshot/{repository}'],
    [['/{index}/_search', '/_search'], '/movies/_search', '/{index}/_search'],
    [['/{a}/{b}'], '/x', undefined],
  ])('pickTemplate(%j, %s) = %s', (templates, path, expected) => {
    expect(pickTemplate(templates, path)).toBe(expected);
  });

  it('orders a literal before a placeholder at the first differing segment', () => {
    expect(compareSpecificity('/_all/_settings', '/{index}/_settings')).toBeLessThan(0);
    expect(compareSpecificity('/{index}/_settings', '/_all/_settings')).toBeGreaterThan(0);
  });

  it.each([
    ['GET', '/', 'info.0'],
    ['HEAD', '/', 'ping.0'],
    ['PUT', '/_bulk', 'bulk.1'],
    ['GET', '/movies/_doc/1', 'get.0'],
    ['GET', '/_snapshot/_status', 'snapshot.status.0'],
    ['GET', '/_cat/indices', 'cat.indices.0'],
    ['PUT', '/books', 'indices.create.0'],
    ['GET', '/_plugins/_ism/policies/rollover', 'ism.get_policy.0'],
  ])('%s %s is operation %s', (method, path, operationId) => {
    expect(spec.findOperation(method, path)?.operationId).toBe(operationId);
  });

  it('finds no operation for an undocumented path', () => {
    expect(spec.findOperation('GET', '/_no_such_api/x/y/z/w')).toBeUndefined();
  });

  it('accepts a known-good GET / body and rejects known-bad ones', () => {
    const info = spec.findOperation('GET', '/');
    expect(info).toBeDefined();
    if (info === undefined) return;
    expect(spec.validateResponse(info, 200, 'application/json', goodInfo)).toEqual({ ok: true });
    const { cluster_name: _dropped, ...missing } = goodInfo;
    expect(spec.validateResponse(info, 200, 'application/json', missing)).toEqual({
      ok: false,
      reason: "schema: (root) must have required property 'cluster_name'",
    });
    expect(spec.validateResponse(info, 200, 'application/json', { ...goodInfo, version: 2 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('/version'),
    });
  });

  it('fails undocumented statuses and content types, passes documented bodies without a schema', () => {
    const info = spec.findOperation('GET', '/');
    const ping = spec.findOperation('HEAD', '/');
    if (info === undefined || ping === undefined) throw new Error('spec lacks / operations');
    expect(spec.validateResponse(info, 418, 'application/json', {})).toMatchObject({ ok: false });
    expect(spec.validateResponse(info, 200, 'text/plain', 'x')).toMatchObject({ ok: false });
    expect(spec.validateResponse(ping, 200, 'application/json', undefined)).toMatchObject({ ok: true });
  });

  it('validates per content type: _cat text is a string, _cat JSON an array of records', () => {
    const cat = spec.findOperation('GET', '/_cat/indices');
    if (cat === undefined) throw new Error('spec lacks _cat/indices');
    expect(spec.validateResponse(cat, 200, 'text/plain', 'green open books')).toEqual({ ok: true });
    expect(
      spec.validateResponse(cat, 200, 'application/json', [{ health: 'green', index: 'books' }]),
    ).toEqual({
      ok: true,
    });
    expect(spec.validateResponse(cat, 200, 'application/json', [{ health: 1 }])).toMatchObject({ ok: false });
  });

  it('resolves error responses through cross-file $refs (404 of GET doc)', () => {
    const get = spec.findOperation('GET', '/movies/_doc/1');
    if (get === undefined) throw new Error('spec lacks get');
    expect(
      spec.validateResponse(get, 404, 'application/json', { _index: 'movies', _id: '1', found: false }),
    ).toEqual({
      ok: true,
    });
    expect(spec.validateResponse(get, 404, 'application/json', { found: 'no' })).toMatchObject({ ok: false });
  });
});
