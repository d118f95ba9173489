// A small HTTP client on node:http: stories send bodies with GET (search), which fetch refuses.
import http from 'node:http';
import { parse } from 'yaml';
import { decodeCbor } from './cbor.ts';
import type { HttpRequest } from './request.ts';
import { decodeSmile } from './smile.ts';

export type HttpResponse = {
  status: number;
  headers: Record<string, string>;
  /** The base media type of the answer (`text/plain` for `text/plain; charset=UTF-8`). */
  contentType: string | undefined;
  text: string;
  /** The parsed body: JSON/YAML/CBOR decoded, text as a string, undefined when empty. */
  payload: unknown;
  /** Set when the body claims a structured type but does not parse. */
  parseError?: string;
};

export function baseMediaType(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  return header.split(';')[0]?.trim().toLowerCase() || undefined;
}

/** Parses a body by its declared media type. */
export function parseBody(
  raw: Buffer,
  contentType: string | undefined,
): { payload: unknown; text: string; parseError?: string } {
  const text = raw.toString('utf8');
  if (raw.length === 0) return { payload: undefined, text };
  try {
    if (contentType === 'application/cbor') return { payload: decodeCbor(raw), text };
    if (contentType === 'application/smile') return { payload: decodeSmile(raw), text };
    if (contentType === 'application/json' || contentType?.endsWith('+json'))
      return { payload: JSON.parse(text), text };
    if (contentType === 'application/yaml' || contentType === 'application/x-yaml')
      return { payload: parse(text), text };
  } catch (cause) {
    return {
      payload: text,
      text,
      parseError: `${contentType} body does not parse: ${(cause as Error).message}`,
    };
  }
  return { payload: text, text };
}

export function send(baseUrl: string, request: HttpRequest, timeoutMs = 30_000): Promise<HttpResponse> {
  // Keep the story's own encoding of the path: new URL() would normalise it.
  const target = baseUrl.replace(/\/+$/, '') + request.path;
  return new Promise((resolve, reject) => {
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const headers: Record<string, string | number> = { accept: '*/*', ...request.headers };
    if (body !== undefined) headers['content-length'] = body.length;
    const req = http.request(target, { method: request.method, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const responseHeaders: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) {
          if (v !== undefined) responseHeaders[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
        }
        const contentType = baseMediaType(responseHeaders['content-type']);
        const parsed = parseBody(Buffer.concat(chunks), contentType);
        resolve({ status: res.statusCode ?? 0, headers: responseHeaders, contentType, ...parsed });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
