// Turns a chapter's path, parameters and payload into an HTTP request line and body.
import { stringify } from 'yaml';
import type { Parameter } from './story.ts';

export type HttpRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
};

/** Stringifies a parameter: arrays joined by commas, booleans and numbers as text. */
export function parameterText(value: Parameter): string {
  return Array.isArray(value) ? value.map(String).join(',') : String(value);
}

// Commas, `*` and `:` stay literal: list, wildcard and cluster/attribute syntax of OpenSearch names.
function encode(text: string): string {
  return encodeURIComponent(text).replace(/%2C/gi, ',').replace(/%2A/gi, '*').replace(/%3A/gi, ':');
}

/** Fills `{name}` placeholders (rooting the path at `/`); returns the concrete path and the parameters left for the query. */
export function fillPath(
  template: string,
  parameters: Record<string, Parameter> = {},
): { path: string; rest: Record<string, Parameter> } {
  const rest: Record<string, Parameter> = { ...parameters };
  // Some stories write `path: games`; upstream joins it to the base URL like `/games`.
  const rooted = template.startsWith('/') ? template : `/${template}`;
  const path = rooted.replace(/\{([^}]+)\}/g, (whole, name: string) => {
    const value = parameters[name];
    if (value === undefined) return whole;
    delete rest[name];
    return encode(parameterText(value));
  });
  return { path, rest };
}

/** Builds `?a=1&b=x,y` (empty string when there is nothing). */
export function buildQuery(parameters: Record<string, Parameter>): string {
  const parts = Object.entries(parameters).map(([k, v]) => `${encode(k)}=${encode(parameterText(v))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** Serialises a payload for its content type; NDJSON takes a list and writes one JSON line each. */
export function serialisePayload(payload: unknown, contentType = 'application/json'): string {
  const base = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (base === 'application/x-ndjson') {
    const lines = Array.isArray(payload) ? payload : [payload];
    return lines.map((line) => (typeof line === 'string' ? line : JSON.stringify(line))).join('\n') + '\n';
  }
  if (base === 'text/plain') return typeof payload === 'string' ? payload : JSON.stringify(payload);
  if (base === 'application/yaml') return stringify(payload);
  return JSON.stringify(payload);
}

export function buildRequest(input: {
  method: string;
  path: string;
  parameters?: Record<string, Parameter>;
  contentType?: string;
  headers?: Record<string, string | number | boolean>;
  payload?: unknown;
}): HttpRequest {
  const { path, rest } = fillPath(input.path, input.parameters);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const request: HttpRequest = { method: input.method.toUpperCase(), path: path + buildQuery(rest), headers };
  if (input.payload !== undefined) {
    const contentType = input.contentType ?? 'application/json';
    request.body = serialisePayload(input.payload, contentType);
    headers['content-type'] ??= contentType;
  }
  return request;
}
