import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@opensearch-project/opensearch';
import { AwsSigv4Signer } from '@opensearch-project/opensearch/aws-v3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  SigV4Errors,
  type SigV4Request,
  signingKey,
  sigv4Guard,
  verifySigV4,
} from '../../../infra/local/opensearch/sigv4.ts';

// The local server's SigV4 check: AWS's published signature test suite (aws-sig-v4-test-suite,
// credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service "service"), AWS's documented
// signing-key example, and requests signed by the official client's AwsSigv4Signer.

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const SUITE_NOW = Date.UTC(2015, 7, 30, 12, 36);
const suite = {
  secretFor: (id: string) => (id === 'AKIDEXAMPLE' ? SECRET : undefined),
  region: 'us-east-1',
  service: 'service',
  now: () => SUITE_NOW,
  requireContentSha256: false,
};
const auth = (signedHeaders: string, signature: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=${signedHeaders}, Signature=${signature}`;

function suiteRequest(
  method: string,
  target: string,
  extra: Record<string, string | string[]>,
  signedHeaders: string,
  signature: string,
  body = '',
): SigV4Request {
  const q = target.indexOf('?');
  return {
    method,
    path: q === -1 ? target : target.slice(0, q),
    query: q === -1 ? '' : target.slice(q + 1),
    headers: {
      host: 'example.amazonaws.com',
      'x-amz-date': '20150830T123600Z',
      ...extra,
      authorization: auth(signedHeaders, signature),
    },
    body: Buffer.from(body),
  };
}

// [vector name, method, wire target, extra headers, signed headers, published signature, body]
const vectors: Array<[string, string, string, Record<string, string | string[]>, string, string, string?]> = [
  [
    'get-vanilla',
    'GET',
    '/',
    {},
    'host;x-amz-date',
    '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  ],
  [
    'get-unreserved',
    'GET',
    '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
    {},
    'host;x-amz-date',
    '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f',
  ],
  [
    'get-slashes',
    'GET',
    '//example//',
    {},
    'host;x-amz-date',
    '9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84',
  ],
  [
    'get-vanilla-query-order-key-case',
    'GET',
    '/?Param2=value2&Param1=value1',
    {},
    'host;x-amz-date',
    'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500',
  ],
  [
    'get-vanilla-query-order-value',
    'GET',
    '/?Param1=value2&Param1=value1',
    {},
    'host;x-amz-date',
    '5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694',
  ],
  [
    'get-vanilla-utf8-query (ሴ, percent-encoded on the wire)',
    'GET',
    '/?%E1%88%B4=bar',
    {},
    'host;x-amz-date',
    '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04',
  ],
  [
    'get-header-value-order',
    'GET',
    '/',
    { 'my-header1': ['value4', 'value1', 'value3', 'value2'] },
    'host;my-header1;x-amz-date',
    '08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01',
  ],
  [
    'get-header-key-duplicate',
    'GET',
    '/',
    { 'my-header1': ['value2', 'value2', 'value1'] },
    'host;my-header1;x-amz-date',
    'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea',
  ],
  [
    'get-header-value-trim',
    'GET',
    '/',
    { 'my-header1': ' value1', 'my-header2': '"a   b   c"' },
    'host;my-header1;my-header2;x-amz-date',
    'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736',
  ],
  [
    'post-x-www-form-urlencoded',
    'POST',
    '/',
    { 'content-type': 'application/x-www-form-urlencoded' },
    'content-type;host;x-amz-date',
    'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    'Param1=value1',
  ],
];

describe('SigV4 against the AWS signature test suite', () => {
  it.each(vectors)('%s verifies', (_name, method, target, extra, signed, signature, body) => {
    const result = verifySigV4(suiteRequest(method, target, extra, signed, signature, body), suite);
    expect(result).toEqual({ ok: true, accessKeyId: 'AKIDEXAMPLE', signedHeaders: signed.split(';') });
  });

  it.each(vectors)(
    '%s fails once one signed byte changes',
    (_name, method, target, extra, signed, signature, body) => {
      const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`;
      expect(verifySigV4(suiteRequest(method, target, extra, signed, flipped, body), suite)).toMatchObject({
        ok: false,
        error: SigV4Errors.mismatch,
      });
      const moved = suiteRequest(method, target, extra, signed, signature, body);
      moved.path = `${moved.path}x`;
      expect(verifySigV4(moved, suite)).toMatchObject({ ok: false, error: SigV4Errors.mismatch });
    },
  );

  it('rebuilds the published canonical requests', () => {
    const vanilla = suiteRequest('GET', '/', {}, 'host;x-amz-date', '0'.repeat(64));
    expect(
      canonicalRequest(
        vanilla,
        ['host', 'x-amz-date'],
        'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      ),
    ).toBe(
      'GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    const trim = suiteRequest(
      'GET',
      '/',
      { 'my-header1': ' value1', 'my-header2': '"a   b   c"' },
      '',
      '0'.repeat(64),
    );
    expect(
      canonicalRequest(trim, ['host', 'my-header1', 'my-header2', 'x-amz-date'], 'h').split('\n').slice(3, 7),
    ).toEqual([
      'host:example.amazonaws.com',
      'my-header1:value1',
      'my-header2:"a b c"',
      'x-amz-date:20150830T123600Z',
    ]);
  });

  it.each([
    ['/', '/'],
    ['//example//', '/example/'],
    ['/a/./b/../c', '/a/c'],
    ['/logs-app-%2A/_search', '/logs-app-%252A/_search'],
    ['/%E1%88%B4', '/%25E1%2588%25B4'],
  ])('canonical URI of %s is %s (non-S3: encoded twice)', (path, expected) => {
    expect(canonicalUri(path)).toBe(expected);
  });

  it.each([
    ['Param2=value2&Param1=value1', 'Param1=value1&Param2=value2'],
    ['a=2&a=1&b', 'a=1&a=2&b='],
    ['filter_path=errors,items.*._id', 'filter_path=errors%2Citems.%2A._id'],
    ['q=a+b&q=a%20c', 'q=a%20b&q=a%20c'],
  ])('canonical query of %s is %s', (query, expected) => {
    expect(canonicalQuery(query)).toBe(expected);
  });

  it("derives AWS's documented signing key (IAM example, 2015-08-30, us-east-1)", () => {
    expect(signingKey(SECRET, '20150830', 'us-east-1', 'iam').toString('hex')).toBe(
      'c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9',
    );
  });

  it.each([
    [
      'no Authorization header',
      (r: SigV4Request): unknown => delete r.headers.authorization,
      SigV4Errors.missing,
    ],
    [
      'an unknown access key',
      (r: SigV4Request): unknown =>
        (r.headers.authorization = String(r.headers.authorization).replace('AKIDEXAMPLE', 'AKIDOTHER')),
      SigV4Errors.unknownKey,
    ],
    [
      'another region',
      (r: SigV4Request): unknown =>
        (r.headers.authorization = String(r.headers.authorization).replace('us-east-1', 'eu-west-1')),
      SigV4Errors.scope,
    ],
    [
      'a stale date',
      (r: SigV4Request): unknown => (r.headers['x-amz-date'] = '20150829T123600Z'),
      SigV4Errors.expired,
    ],
    [
      'host not signed',
      (r: SigV4Request): unknown =>
        (r.headers.authorization = String(r.headers.authorization).replace('host;', '')),
      SigV4Errors.malformed,
    ],
    [
      'a signed header that is absent',
      (r: SigV4Request): unknown =>
        (r.headers.authorization = String(r.headers.authorization).replace('host;', 'host;my-header;')),
      SigV4Errors.malformed,
    ],
    [
      'garbage',
      (r: SigV4Request): unknown => (r.headers.authorization = 'Basic dXNlcjpwYXNz'),
      SigV4Errors.malformed,
    ],
  ])('refuses %s', (_name, mutate, error) => {
    const r = suiteRequest(
      'GET',
      '/',
      {},
      'host;x-amz-date',
      '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
    mutate(r);
    expect(verifySigV4(r, suite)).toMatchObject({ ok: false, error });
  });
});

/** A server that records every request exactly as it arrived. */
interface Seen {
  method: string;
  url: string;
  headers: Record<string, string[]>;
  body: Buffer;
}
let server: ReturnType<typeof createServer>;
let endpoint = '';
const seen: Seen[] = [];
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method!,
        url: req.url!,
        headers: req.headersDistinct as Record<string, string[]>,
        body: Buffer.concat(chunks),
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: false, items: [], hits: { hits: [] } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

const asRequest = (s: Seen): SigV4Request => {
  const q = s.url.indexOf('?');
  return {
    method: s.method,
    path: q === -1 ? s.url : s.url.slice(0, q),
    query: q === -1 ? '' : s.url.slice(q + 1),
    headers: s.headers,
    body: s.body,
  };
};
const local = {
  secretFor: (id: string) => (id === 'AKIDLOCALTEST' ? 'local/secret+key' : undefined),
  region: 'eu-west-1',
  service: 'es',
};

describe('SigV4 on requests signed by the official client (AwsSigv4Signer, static credentials)', () => {
  it('verifies bulk, search with a wildcard index and query parameters, and index requests; x-amz-content-sha256 is signed', async () => {
    const signed = new Client({
      node: endpoint,
      ...AwsSigv4Signer({
        region: 'eu-west-1',
        service: 'es',
        getCredentials: async () => ({ accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local/secret+key' }),
      }),
    });
    seen.length = 0;
    await signed.transport.request({
      method: 'POST',
      path: '/_bulk',
      bulkBody: Buffer.from('{"create":{"_index":"logs-a","_id":"t:0:0"}}\n{"message":"héllo ✓"}\n'),
      querystring: { filter_path: 'errors,items.*._id,items.*.status,items.*.error' },
    });
    await signed.search({
      index: 'logs-app-*',
      body: { query: { match: { message: 'a b' } } },
      size: 3,
    } as never);
    await signed.index({ index: 'logs-x', id: 'a/b c', body: { n: 1 } });
    await signed.cat.indices({ format: 'json' } as never);
    expect(seen.length).toBe(4);
    for (const s of seen) {
      const result = verifySigV4(asRequest(s), { ...local, now: () => Date.now() });
      expect(result, `${s.method} ${s.url}`).toMatchObject({ ok: true, accessKeyId: 'AKIDLOCALTEST' });
      if (result.ok) expect(result.signedHeaders).toContain('x-amz-content-sha256');
    }
    await signed.close();
  });

  it('refuses the same requests once the body, the path or a query parameter is changed, or under a wrong secret', async () => {
    const signed = new Client({
      node: endpoint,
      ...AwsSigv4Signer({
        region: 'eu-west-1',
        service: 'es',
        getCredentials: async () => ({ accessKeyId: 'AKIDLOCALTEST', secretAccessKey: 'local/secret+key' }),
      }),
    });
    seen.length = 0;
    await signed.transport.request({
      method: 'POST',
      path: '/_bulk',
      bulkBody: Buffer.from('{"index":{"_index":"a"}}\n{"n":1}\n'),
      querystring: { refresh: 'false' },
    });
    await signed.close();
    const original = asRequest(seen[0]!);
    const now = () => Date.now();
    expect(verifySigV4(original, { ...local, now })).toMatchObject({ ok: true });
    // A swapped body no longer matches the signed payload hash.
    expect(
      verifySigV4(
        { ...original, body: Buffer.from('{"index":{"_index":"b"}}\n{"n":1}\n') },
        { ...local, now },
      ),
    ).toMatchObject({ ok: false, error: SigV4Errors.payload });
    // Same body, payload hash header rewritten to match: the signature no longer does.
    const swapped = Buffer.from('{"index":{"_index":"b"}}\n{"n":2}\n');
    const { createHash } = await import('node:crypto');
    expect(
      verifySigV4(
        {
          ...original,
          body: swapped,
          headers: {
            ...original.headers,
            'x-amz-content-sha256': [createHash('sha256').update(swapped).digest('hex')],
          },
        },
        { ...local, now },
      ),
    ).toMatchObject({ ok: false, error: SigV4Errors.mismatch });
    expect(verifySigV4({ ...original, path: '/other/_bulk' }, { ...local, now })).toMatchObject({
      ok: false,
      error: SigV4Errors.mismatch,
    });
    expect(verifySigV4({ ...original, query: 'refresh=true' }, { ...local, now })).toMatchObject({
      ok: false,
      error: SigV4Errors.mismatch,
    });
    expect(verifySigV4(original, { ...local, now, secretFor: () => 'another secret' })).toMatchObject({
      ok: false,
      error: SigV4Errors.mismatch,
    });
    // Unsigned payload hash: refused by default.
    const { 'x-amz-content-sha256': _dropped, ...headers } = original.headers;
    expect(verifySigV4({ ...original, headers }, { ...local, now })).toMatchObject({
      ok: false,
      error: SigV4Errors.malformed,
    });
    expect(sigv4Guard({ ...local, now })({ ...original, query: 'refresh=true' })).toMatchObject({
      status: 403,
      body: { message: expect.stringContaining('signature') },
    });
    expect(sigv4Guard({ ...local, now })(original)).toBeUndefined();
  });

  it('an unsigned request (the client without the signer) is refused as missing a token', async () => {
    const plain = new Client({ node: endpoint });
    seen.length = 0;
    await plain.cat.indices({ format: 'json' } as never);
    await plain.close();
    expect(verifySigV4(asRequest(seen[0]!), { ...local, now: () => Date.now() })).toMatchObject({
      ok: false,
      error: SigV4Errors.missing,
    });
  });
});

describe("SigV4 on Sluice's own OpenSearch adapter (OPENSEARCH_AUTH=sigv4)", () => {
  it.each([false, true])('bulk requests verify with gzip %s', async (gzip) => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIDLOCALTEST',
      AWS_SECRET_ACCESS_KEY: 'local/secret+key',
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    try {
      const { createBulkTransport, createOpenSearchClient } = await import(
        '../../../functions/adapters/opensearch.ts'
      );
      const client = await createOpenSearchClient({
        endpoint,
        auth: 'sigv4',
        service: 'es',
        region: 'eu-west-1',
        tlsVerify: true,
        requestTimeoutMs: 5_000,
      });
      seen.length = 0;
      const transport = createBulkTransport(client, { gzip });
      const body = Buffer.from('{"create":{"_index":"logs-a","_id":"t:0:0"}}\n{"message":"signed ✓"}\n');
      const answer = await transport.send(body, { timeoutMs: 5_000 });
      expect(answer.statusCode).toBe(200);
      await client.close();
      expect(seen).toHaveLength(1);
      const result = verifySigV4(asRequest(seen[0]!), { ...local, now: () => Date.now() });
      expect(result, JSON.stringify(result)).toMatchObject({ ok: true, accessKeyId: 'AKIDLOCALTEST' });
    } finally {
      process.env = saved;
    }
  });
});
