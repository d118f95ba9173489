import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSpec } from '../../conformance/groups.ts';
import type { HttpResponse } from '../../conformance/http.ts';
import { evaluate, notApplicable, runStory, unsupportedReason } from '../../conformance/runner.ts';
import { type Chapter, parseStory } from '../../conformance/story.ts';

const spec = loadSpec();

function answer(status: number, payload: unknown, contentType = 'application/json'): HttpResponse {
  const text = payload === undefined ? '' : typeof payload === 'string' ? payload : JSON.stringify(payload);
  return { status, headers: { 'content-type': contentType }, contentType, text, payload };
}

const unsupportedBody = {
  error: { type: 'unsupported_operation_exception', reason: 'painless scripts are not supported' },
  status: 400,
};

describe('chapter evaluation', () => {
  const doc404 = { _index: 'movies', _id: '1', found: false };
  const getDoc: Chapter = {
    synopsis: 'Get.',
    path: '/{index}/_doc/{id}',
    method: 'GET',
    response: { status: 404 },
  };
  const count: Chapter = {
    synopsis: 'Count.',
    path: '/_count',
    method: 'GET',
    response: { status: 200, payload: { count: 2 } },
  };
  const countBody = { count: 2, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } };
  const catText: Chapter = {
    synopsis: 'Cat.',
    path: '/_cat/indices',
    method: 'GET',
    response: { status: 200, content_type: 'text/plain' },
  };

  it.each([
    [
      'expected 404 with a spec-valid body',
      getDoc,
      '/movies/_doc/1',
      answer(404, doc404),
      'passed',
      undefined,
    ],
    [
      'wrong status with the error',
      getDoc,
      '/movies/_doc/1',
      answer(500, { error: { type: 'x', reason: 'boom' } }),
      'failed',
      'status 500, expected 404 (x: boom)',
    ],
    ['payload subset holds', count, '/_count', answer(200, countBody), 'passed', undefined],
    [
      'payload differs',
      count,
      '/_count',
      answer(200, { ...countBody, count: 3 }),
      'failed',
      'payload.count: differs, expected 2, got 3',
    ],
    [
      'schema rejects',
      count,
      '/_count',
      answer(200, { count: 2 }),
      'failed',
      "schema: (root) must have required property '_shards'",
    ],
    [
      'unsupported feature',
      count,
      '/_count',
      answer(400, unsupportedBody),
      'unsupported',
      'painless scripts are not supported',
    ],
    [
      'text/plain _cat',
      catText,
      '/_cat/indices',
      answer(200, 'green open books\n', 'text/plain'),
      'passed',
      undefined,
    ],
    [
      'JSON where text expected',
      catText,
      '/_cat/indices',
      answer(200, []),
      'failed',
      'content type application/json, expected text/plain',
    ],
    [
      'no operation in the spec',
      { ...count, path: '/_nope/x/y/z' },
      '/_nope/x/y/z',
      answer(200, countBody),
      'failed',
      'no GET /_nope/x/y/z operation in the spec',
    ],
  ] as const)('%s', (_name, chapter, path, response, outcome, reason) => {
    const result = evaluate(chapter, 'GET', { response, concretePath: path }, new Map(), spec);
    expect(result.outcome).toBe(outcome);
    expect(result.reason).toBe(reason);
  });

  it('fails when the request itself failed', () => {
    const r = evaluate(
      count,
      'GET',
      { concretePath: '/_count', error: 'request failed: ECONNREFUSED' },
      new Map(),
      spec,
    );
    expect(r).toEqual({ outcome: 'failed', reason: 'request failed: ECONNREFUSED' });
  });

  it('fails when a declared output is missing', () => {
    const chapter: Chapter = { ...count, id: 'c', output: { n: 'payload.nope' } };
    const r = evaluate(
      chapter,
      'GET',
      { response: answer(200, countBody), concretePath: '/_count' },
      new Map(),
      spec,
    );
    expect(r.reason).toBe('output not found: n');
  });

  it.each([
    [400, unsupportedBody, 'painless scripts are not supported'],
    [501, { error: { type: 'unsupported_operation_exception' } }, 'unsupported_operation_exception'],
    [400, { error: { type: 'illegal_argument_exception', reason: 'no' } }, undefined],
    [200, unsupportedBody, undefined],
    [400, 'text', undefined],
  ])('unsupportedReason(%i, %j) = %s', (status, payload, reason) => {
    expect(unsupportedReason(status, payload)).toBe(reason);
  });

  it.each([
    [{}, undefined],
    [{ version: '>= 2.0' }, undefined],
    [{ version: '>= 3.0' }, 'version >= 3.0 excludes 2.19.0'],
    [{ distributions: { excluded: ['amazon-serverless'] } }, undefined],
    [{ distributions: { included: ['amazon-managed'] } }, 'distribution: only amazon-managed'],
    [{ distributions: { excluded: ['opensearch.org'] } }, 'distribution: excludes opensearch.org'],
  ])('notApplicable(%j) = %s', (limits, reason) => {
    expect(notApplicable(limits, '2.19.0', 'opensearch.org')).toBe(reason);
  });
});

describe('running a story against a server', () => {
  // A scripted stand-in for OpenSearch: records requests and answers from a small table.
  const seen: Array<{ method: string; url: string; body: string; type: string | undefined }> = [];
  let flaky = 0;
  let url = '';
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString('utf8');
    });
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', body, type: req.headers['content-type'] });
      const json = (status: number, payload: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
        res.end(JSON.stringify(payload));
      };
      if (req.method === 'PUT' && req.url === '/_plugins/_ism/policies/p') {
        return json(201, { _id: 'p', _version: 1, _seq_no: 7, _primary_term: 1, policy: { policy: {} } });
      }
      if (req.url?.startsWith('/_count')) {
        flaky++;
        return flaky < 3
          ? json(503, { error: 'not yet' })
          : json(200, { count: 0, _shards: { total: 1, successful: 1, skipped: 0, failed: 0 } });
      }
      if (req.url?.startsWith('/_bulk')) return json(200, { took: 1, errors: false, items: [] });
      if (req.url === '/_scripts/s') return json(400, unsupportedBody);
      return json(404, {
        error: { type: 'index_not_found_exception', reason: 'no such index' },
        status: 404,
      });
    });
  });

  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const story = parseStory(`
description: Runner self-test.
prologues:
  - path: /_bulk
    method: POST
    parameters: {refresh: true}
    request:
      content_type: application/x-ndjson
      payload:
        - {create: {_index: movies}}
        - {title: Drive}
epilogues:
  - path: /movies
    method: DELETE
    status: [200]
chapters:
  - synopsis: Create a policy.
    id: policy
    path: /_plugins/_ism/policies/{policy_id}
    method: PUT
    parameters: {policy_id: p}
    request: {payload: {policy: {description: d}}}
    response: {status: 201}
    output: {seq_no: payload._seq_no, term: payload._primary_term}
  - synopsis: Use the outputs.
    path: /_bulk
    method: [POST, PUT]
    parameters: {if_seq_no: '\${policy.seq_no}', note: 'term-\${policy.term}'}
    request: {payload: {a: 1}}
  - synopsis: Count after retries.
    path: /_count
    method: GET
    retry: {count: 3, wait: 1}
  - synopsis: A script.
    path: /_scripts/s
    method: PUT
  - synopsis: Newer API.
    version: '>= 3.0'
    path: /_x
    method: GET
  - synopsis: Not yet.
    pending: waiting for the feature
    path: /_y
    method: GET
  - synopsis: Missing index.
    path: /movies/_doc/1
    method: GET
`);

  it('runs prologues, chapters per method, outputs, retries, skips and epilogues', async () => {
    const result = await runStory('self-test.yaml', story, { url, spec, retryWaitMs: 1 });
    expect(result.chapters.map((c) => [c.method, c.outcome])).toEqual([
      ['PUT', 'passed'],
      ['POST', 'passed'],
      ['PUT', 'passed'],
      ['GET', 'passed'],
      ['PUT', 'unsupported'],
      ['GET', 'skipped'],
      ['GET', 'pending'],
      ['GET', 'failed'],
    ]);
    expect(result.chapters[7]?.reason).toBe(
      'status 404, expected 200 (index_not_found_exception: no such index)',
    );
    expect(result.notes).toEqual([
      'epilogue 1: DELETE /movies: status 404, expected 200 (index_not_found_exception: no such index)',
    ]);
    const bulk = seen.find((r) => r.url === '/_bulk?refresh=true');
    expect(bulk).toEqual({
      method: 'POST',
      url: '/_bulk?refresh=true',
      body: '{"create":{"_index":"movies"}}\n{"title":"Drive"}\n',
      type: 'application/x-ndjson',
    });
    expect(seen.filter((r) => r.url === '/_bulk?if_seq_no=7&note=term-1').map((r) => r.method)).toEqual([
      'POST',
      'PUT',
    ]);
    expect(seen.filter((r) => r.url === '/_count').length).toBe(3);
  });

  it('marks every chapter failed with the reason when a prologue fails', async () => {
    const broken = parseStory(`
description: Broken prologue.
prologues:
  - path: /nothing
    method: PUT
chapters:
  - {synopsis: One., path: /_bulk, method: POST}
`);
    const result = await runStory('broken.yaml', broken, { url, spec });
    expect(result.chapters).toEqual([
      {
        title: 'One.',
        method: 'POST',
        path: '/_bulk',
        outcome: 'failed',
        reason:
          'prologue 1: PUT /nothing: status 404, expected 200|201 (index_not_found_exception: no such index)',
      },
    ]);
  });

  it('reports an unreachable server as failed chapters, without throwing', async () => {
    const result = await runStory(
      'down.yaml',
      parseStory('description: D.\nchapters: [{synopsis: S., path: /, method: GET}]'),
      {
        url: 'http://127.0.0.1:9',
        spec,
      },
    );
    expect(result.chapters[0]?.outcome).toBe('failed');
    expect(result.chapters[0]?.reason).toMatch(/^request failed: /);
  });

  it('skips a whole story out of version range', async () => {
    const result = await runStory(
      'v.yaml',
      parseStory(
        "description: V.\nversion: '>= 3.0'\nchapters: [{synopsis: S., path: /, method: [GET, HEAD]}]",
      ),
      { url, spec },
    );
    expect(result.chapters.map((c) => c.outcome)).toEqual(['skipped', 'skipped']);
  });

  it('marks a pending story pending and an excluded distribution skipped, without sending anything', async () => {
    const before = seen.length;
    const pending = await runStory(
      'p.yaml',
      parseStory('description: P.\npending: later\nchapters: [{synopsis: S., path: /_bulk, method: POST}]'),
      { url, spec },
    );
    const other = await runStory(
      'd.yaml',
      parseStory(
        'description: D.\ndistributions: {included: [amazon-managed]}\nchapters: [{synopsis: S., path: /_bulk, method: POST}]',
      ),
      { url, spec },
    );
    expect(pending.chapters.map((c) => [c.outcome, c.reason])).toEqual([['pending', 'later']]);
    expect(other.chapters.map((c) => [c.outcome, c.reason])).toEqual([
      ['skipped', 'distribution: only amazon-managed'],
    ]);
    expect(seen.length).toBe(before);
  });
});
