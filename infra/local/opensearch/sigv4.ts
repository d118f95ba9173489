// AWS Signature Version 4 verification, as Amazon OpenSearch Service does it: the canonical
// request is rebuilt from what arrived (method, normalised path, sorted query, the signed headers,
// the payload hash), signed with the key derived for the credential's scope, and compared with the
// signature sent. `x-amz-content-sha256` must be signed and match the body as received.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** A request as the server received it. `path` and `query` are the raw (still encoded) wire text. */
export interface SigV4Request {
  method: string;
  path: string;
  /** Without the leading `?`; empty when there is none. */
  query: string;
  /** Lowercase names; repeated headers as arrays (node's `headersDistinct`). */
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface SigV4Options {
  /** The secret for an access key id, or undefined for an unknown key. */
  secretFor(accessKeyId: string): string | undefined;
  region: string;
  /** `es` for Amazon OpenSearch Service, `aoss` for Serverless. */
  service: string;
  now?: () => number;
  /** How far x-amz-date may be from now (AWS: 15 minutes). */
  maxSkewMs?: number;
  /**
   * Require a signed `x-amz-content-sha256` equal to the body's hash (default true). AWS allows it
   * unsigned for `es`, but our client signs it, and an unsigned payload hash lets a body be swapped.
   */
  requireContentSha256?: boolean;
}

export const SigV4Errors = {
  missing: 'missing_authentication_token',
  malformed: 'incomplete_signature',
  unknownKey: 'unrecognized_client',
  scope: 'invalid_signature_scope',
  expired: 'signature_expired',
  payload: 'payload_hash_mismatch',
  mismatch: 'signature_does_not_match',
} as const;
export type SigV4Error = (typeof SigV4Errors)[keyof typeof SigV4Errors];

export type SigV4Result =
  | { ok: true; accessKeyId: string; signedHeaders: string[] }
  | { ok: false; error: SigV4Error; message: string };

export interface ParsedAuthorization {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  signedHeaders: string[];
  signature: string;
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer =>
  createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding of everything but unreserved characters (A–Z a–z 0–9 - . _ ~). */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * The canonical URI of a non-S3 service: repeated slashes collapsed, `.` and `..` resolved, each
 * segment of the wire path encoded once more (so the path is encoded twice in all).
 */
export function canonicalUri(wirePath: string): string {
  if (wirePath === '' || wirePath === '/') return '/';
  const collapsed = wirePath.replace(/\/{2,}/g, '/');
  const out: string[] = [];
  for (const piece of collapsed.split('/')) {
    if (piece === '..') out.pop();
    else if (piece !== '.') out.push(encodeRfc3986(piece));
  }
  const path = out.join('/');
  return path.startsWith('/') ? path : `/${path}`;
}

/** Parameters decoded, re-encoded (RFC 3986), sorted by name and then by value. */
export function canonicalQuery(wireQuery: string): string {
  if (wireQuery === '') return '';
  const pairs: Array<[string, string]> = [];
  for (const part of wireQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const rawValue = eq === -1 ? '' : part.slice(eq + 1);
    const name = encodeRfc3986(safeDecode(rawName.replace(/\+/g, ' ')));
    if (name === '') continue;
    pairs.push([name, encodeRfc3986(safeDecode(rawValue.replace(/\+/g, ' ')))]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

function headerValue(headers: SigV4Request['headers'], name: string): string | undefined {
  const value = headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? value.map((v) => v.trim().replace(/\s+/g, ' ')).join(',') : value;
}

/** `name:value` lines for the signed headers: values trimmed, inner runs of spaces collapsed. */
export function canonicalHeaders(headers: SigV4Request['headers'], signed: readonly string[]): string {
  return signed
    .map((name) => `${name}:${(headerValue(headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
}

export function canonicalRequest(
  req: SigV4Request,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  return [
    req.method.toUpperCase(),
    canonicalUri(req.path),
    canonicalQuery(req.query),
    canonicalHeaders(req.headers, signedHeaders),
    signedHeaders.join(';'),
    payloadHash,
  ].join('\n');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** `AWS4-HMAC-SHA256 Credential=AK/20150830/us-east-1/es/aws4_request, SignedHeaders=a;b, Signature=hex` */
export function parseAuthorization(header: string): ParsedAuthorization | undefined {
  if (!header.startsWith(`${SIGV4_ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.slice(SIGV4_ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) return undefined;
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential?.length !== 5 || !signedHeaders || !signature) return undefined;
  if (!/^[0-9a-f]{64}$/.test(signature)) return undefined;
  const [accessKeyId, date, region, service, terminator] = credential as [
    string,
    string,
    string,
    string,
    string,
  ];
  return {
    accessKeyId,
    date,
    region,
    service,
    terminator,
    signedHeaders: signedHeaders.split(';'),
    signature,
  };
}

function amzDateToMs(amzDate: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, s);
}

const fail = (error: SigV4Error, message: string): SigV4Result => ({ ok: false, error, message });

/** Verifies one request's SigV4 `Authorization` header. Never throws. */
export function verifySigV4(req: SigV4Request, options: SigV4Options): SigV4Result {
  const authorization = headerValue(req.headers, 'authorization');
  if (!authorization) return fail(SigV4Errors.missing, 'Missing Authentication Token');
  const auth = parseAuthorization(authorization);
  if (!auth)
    return fail(SigV4Errors.malformed, 'Authorization header is not a valid AWS4-HMAC-SHA256 signature');
  const signed = auth.signedHeaders;
  const sorted = [...signed].sort();
  if (
    signed.some((h, i) => h !== h.toLowerCase() || h !== sorted[i] || h === '') ||
    new Set(signed).size !== signed.length
  )
    return fail(SigV4Errors.malformed, 'SignedHeaders must be lowercase, sorted and unique');
  if (!signed.includes('host')) return fail(SigV4Errors.malformed, "'Host' must be a signed header");
  for (const name of signed)
    if (headerValue(req.headers, name) === undefined)
      return fail(SigV4Errors.malformed, `signed header '${name}' is missing from the request`);

  const amzDate = headerValue(req.headers, 'x-amz-date');
  if (!amzDate || !signed.includes('x-amz-date'))
    return fail(SigV4Errors.malformed, "'X-Amz-Date' must be present and signed");
  const at = amzDateToMs(amzDate);
  if (at === undefined)
    return fail(SigV4Errors.malformed, `X-Amz-Date '${amzDate}' is not in ISO 8601 basic format`);
  const now = (options.now ?? Date.now)();
  const skew = options.maxSkewMs ?? 15 * 60_000;
  if (Math.abs(now - at) > skew)
    return fail(SigV4Errors.expired, `Signature expired: ${amzDate} is too far from now`);

  if (auth.terminator !== 'aws4_request' || auth.date !== amzDate.slice(0, 8))
    return fail(SigV4Errors.scope, 'Credential scope date or terminator does not match the request');
  if (auth.region !== options.region || auth.service !== options.service)
    return fail(
      SigV4Errors.scope,
      `Credential should be scoped to a valid region and service ('${options.region}', '${options.service}')`,
    );
  const secret = options.secretFor(auth.accessKeyId);
  if (secret === undefined)
    return fail(SigV4Errors.unknownKey, 'The security token included in the request is invalid');

  const bodyHash = req.body.length === 0 ? EMPTY_SHA256 : sha256Hex(req.body);
  const declared = headerValue(req.headers, 'x-amz-content-sha256');
  let payloadHash = bodyHash;
  if (options.requireContentSha256 ?? true) {
    if (declared === undefined || !signed.includes('x-amz-content-sha256'))
      return fail(SigV4Errors.payload, "'X-Amz-Content-Sha256' must be present and signed");
  }
  if (declared !== undefined) {
    if (declared !== bodyHash)
      return fail(
        SigV4Errors.payload,
        'The provided x-amz-content-sha256 header does not match what was computed',
      );
    payloadHash = declared;
  }

  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const canonical = canonicalRequest(req, signed, payloadHash);
  const expected = createHmac('sha256', signingKey(secret, auth.date, auth.region, auth.service))
    .update(stringToSign(amzDate, scope, canonical), 'utf8')
    .digest();
  const given = Buffer.from(auth.signature, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return fail(
      SigV4Errors.mismatch,
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  return { ok: true, accessKeyId: auth.accessKeyId, signedHeaders: signed };
}

/**
 * For the server's request path: undefined when the request may go on, else the 403 answer
 * Amazon OpenSearch Service gives (`{"message": …}`).
 */
export function sigv4Guard(options: SigV4Options) {
  return (req: SigV4Request): { status: 403; body: { message: string }; error: SigV4Error } | undefined => {
    const result = verifySigV4(req, options);
    return result.ok ? undefined : { status: 403, body: { message: result.message }, error: result.error };
  };
}

/**
 * A signature-checking gate in front of the local server, until the server checks SigV4 itself:
 * verifies each request and forwards it unchanged, or answers 403 like Amazon OpenSearch Service.
 * `/_sluice/*` test controls pass unsigned.
 */
export async function startSigV4Gate(
  upstream: string,
  options: SigV4Options,
): Promise<{ url: string; denied: SigV4Error[]; close(): Promise<void> }> {
  const target = new URL(upstream);
  const guard = sigv4Guard(options);
  const denied: SigV4Error[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const path = q === -1 ? url : url.slice(0, q);
      if (!path.startsWith('/_sluice')) {
        const refusal = guard({
          method: req.method ?? 'GET',
          path,
          query: q === -1 ? '' : url.slice(q + 1),
          headers: req.headersDistinct,
          body,
        });
        if (refusal) {
          denied.push(refusal.error);
          const text = JSON.stringify(refusal.body);
          res.writeHead(403, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(text),
          });
          res.end(text);
          return;
        }
      }
      const forward = http.request(
        { host: target.hostname, port: target.port, method: req.method, path: url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', () => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    denied,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
