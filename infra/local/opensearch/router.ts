// A small router: `/{index}/_doc/{id}` patterns; literal segments win over parameters, so
// `/_cat/indices` is never taken for an index called `_cat`. Route modules register on it.
import { OpenSearchError } from './errors.ts';
import type { Format } from './formats.ts';

export interface RestRequest {
  method: string;
  path: string;
  params: Record<string, string>;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** The raw body (already gunzipped). */
  body: Buffer;
  /** The body parsed as JSON, or undefined when empty; a parse error throws. */
  json(): unknown;
  text(): string;
}

export interface RestResponse {
  status: number;
  body?: unknown;
  /** Set for text answers (`_cat` without format=json). */
  text?: string;
  contentType?: string;
  /** Encoding of `body` (default json). */
  format?: Format;
  headers?: Record<string, string>;
}

export type Handler = (req: RestRequest) => RestResponse | Promise<RestResponse>;

interface Route {
  methods: string[];
  segments: string[];
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(methods: string | string[], patterns: string | string[], handler: Handler): this {
    const list = Array.isArray(methods) ? methods : [methods];
    for (const pattern of Array.isArray(patterns) ? patterns : [patterns]) {
      this.routes.push({ methods: list, segments: split(pattern), handler });
    }
    return this;
  }

  match(method: string, path: string): { handler: Handler; params: Record<string, string> } {
    const segments = split(path);
    let best: { route: Route; params: Record<string, string>; score: string } | undefined;
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      // Same-shape routes: prefer literals, position by position.
      const score =
        route.segments.map((s) => (s.startsWith('{') ? '0' : '1')).join('') +
        (route.methods.includes(method) ? '1' : '0');
      const methodOk = route.methods.includes(method) || (method === 'HEAD' && route.methods.includes('GET'));
      if (!methodOk) {
        for (const m of route.methods) allowed.add(m);
        continue;
      }
      if (!best || score > best.score) best = { route, params, score };
    }
    if (best) {
      // A literal route for another method shadows a parameter route (e.g. DELETE /_cat/indices).
      return { handler: best.route.handler, params: best.params };
    }
    if (allowed.size > 0) {
      throw new OpenSearchError(
        405,
        'method_not_allowed',
        `Incorrect HTTP method for uri [${path}] and method [${method}], allowed: [${[...allowed].sort().join(', ')}]`,
        { plain: true, headers: { allow: [...allowed].sort().join(',') } },
      );
    }
    throw new OpenSearchError(
      400,
      'invalid_request',
      `no handler found for uri [${path}] and method [${method}]`,
      {
        plain: true,
      },
    );
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    const s = segments[i] ?? '';
    if (p.startsWith('{')) {
      let value: string;
      try {
        value = decodeURIComponent(s);
      } catch {
        value = s;
      }
      params[p.slice(1, -1)] = value;
    } else if (p !== s) {
      return undefined;
    }
  }
  return params;
}

export function json(status: number, body: unknown, headers?: Record<string, string>): RestResponse {
  return headers ? { status, body, headers } : { status, body };
}

export function boolParam(query: Record<string, string>, name: string, fallback = false): boolean {
  const v = query[name];
  if (v === undefined) return fallback;
  return v === '' || v === 'true';
}
