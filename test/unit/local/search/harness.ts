// Test helpers: documents and mappings in the shape the local server passes to the search engine,
// and a runner for the official OpenSearch API spec stories (prologues → documents, chapters → searches).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { FieldType, SearchContext, SearchDoc } from '../../../../infra/local/opensearch/search/index.ts';

export const SPEC_TESTS = path.resolve(
  import.meta.dirname,
  '../../../../../shared/opensearch-api-spec/tests/default',
);

export type Mappings = Record<string, Record<string, FieldType>>;

/** 2024-05-01T12:00:00Z, a Wednesday. */
export const NOW = Date.UTC(2024, 4, 1, 12, 0, 0);

export function context(mappings: Mappings, now = NOW): SearchContext {
  return { now, fieldType: (index, field) => mappings[index]?.[field] };
}

export function docs(index: string, sources: Array<Record<string, unknown>>): SearchDoc[] {
  return sources.map((source, i) => ({
    index,
    id: String(i + 1),
    source,
    seqNo: i,
    primaryTerm: 1,
    version: 1,
  }));
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Flattens `properties` (with multi-field `fields`) into dotted field → type. */
export function flattenMapping(
  properties: Json,
  prefix = '',
  out: Record<string, FieldType> = {},
): Record<string, FieldType> {
  for (const [name, spec] of Object.entries(properties)) {
    if (!isObject(spec)) continue;
    const full = prefix === '' ? name : `${prefix}.${name}`;
    if (isObject(spec.properties)) {
      out[full] = String(spec.type ?? 'object');
      flattenMapping(spec.properties, full, out);
      continue;
    }
    out[full] = String(spec.type ?? 'object');
    if (isObject(spec.fields)) {
      for (const [sub, subSpec] of Object.entries(spec.fields)) {
        if (isObject(subSpec)) out[`${full}.${sub}`] = String(subSpec.type);
      }
    }
  }
  return out;
}

/** Dynamic mapping as OpenSearch does it: strings → text + `.keyword`, numbers → long/float, dates. */
function dynamicMapping(source: Json, mapping: Record<string, FieldType>, prefix = ''): void {
  for (const [key, raw] of Object.entries(source)) {
    const full = prefix === '' ? key : `${prefix}.${key}`;
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === null || value === undefined || mapping[full] !== undefined) continue;
    if (isObject(value)) {
      mapping[full] = 'object';
      dynamicMapping(value, mapping, full);
    } else if (typeof value === 'number') mapping[full] = Number.isInteger(value) ? 'long' : 'float';
    else if (typeof value === 'boolean') mapping[full] = 'boolean';
    else if (/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2})?)?$/.test(String(value))) mapping[full] = 'date';
    else {
      mapping[full] = 'text';
      mapping[`${full}.keyword`] = 'keyword';
    }
  }
}

export interface Chapter {
  synopsis: string;
  index: string;
  body: unknown;
  params: Record<string, unknown>;
  status: number;
  expected: unknown;
}

export interface Story {
  docs: SearchDoc[];
  mappings: Mappings;
  chapters: Chapter[];
}

/** Loads a spec story: documents from its prologues and its `/{index}/_search` chapters. */
export function loadStory(relative: string): Story {
  const story = parse(readFileSync(path.join(SPEC_TESTS, relative), 'utf8')) as Json;
  const all: SearchDoc[] = [];
  const mappings: Mappings = {};
  const add = (index: string, id: string | undefined, source: Json): void => {
    mappings[index] ??= {};
    dynamicMapping(source, mappings[index]);
    all.push({
      index,
      id: id ?? `auto-${all.length}`,
      source,
      seqNo: all.length,
      primaryTerm: 1,
      version: 1,
    });
  };
  for (const step of (story.prologues ?? []) as Json[]) {
    const p = String(step.path);
    const payload = isObject(step.request) ? step.request.payload : undefined;
    if (step.method === 'PUT' && /^\/[^/_]+$/.test(p) && isObject(payload) && isObject(payload.mappings)) {
      const props = payload.mappings.properties;
      mappings[p.slice(1)] = isObject(props) ? flattenMapping(props) : {};
    } else if (p === '/_bulk' && Array.isArray(payload)) {
      for (let i = 0; i < payload.length; i += 2) {
        const action = payload[i] as Json;
        const meta = (action.create ?? action.index) as Json;
        add(
          String(meta._index),
          meta._id === undefined ? undefined : String(meta._id),
          payload[i + 1] as Json,
        );
      }
    } else if (/^\/[^/]+\/_doc(\/[^/]+)?$/.test(p) && isObject(payload)) {
      const [, index = '', , id] = p.split('/');
      add(index, id, payload);
    }
  }
  const chapters: Chapter[] = [];
  for (const ch of (story.chapters ?? []) as Json[]) {
    if (ch.path !== '/{index}/_search') continue;
    const params = { ...((ch.parameters ?? {}) as Json) };
    const index = String(params.index);
    delete params.index;
    const response = (ch.response ?? {}) as Json;
    chapters.push({
      synopsis: String(ch.synopsis),
      index,
      body: isObject(ch.request) ? ch.request.payload : undefined,
      params,
      status: Number(response.status ?? 200),
      expected: response.payload,
    });
  }
  return { docs: all, mappings, chapters };
}

/**
 * Where `actual` differs from the subset `expected` (objects: expected keys; arrays: expected
 * elements in order), as a list of paths; empty when it matches.
 */
export function subsetDiff(expected: unknown, actual: unknown, at = '$'): string[] {
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [`${at}: expected an array, got ${JSON.stringify(actual)}`];
    if (actual.length < expected.length)
      return [`${at}: expected ${expected.length} items, got ${actual.length}`];
    return expected.flatMap((e, i) => subsetDiff(e, actual[i], `${at}[${i}]`));
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return [`${at}: expected an object, got ${JSON.stringify(actual)}`];
    return Object.entries(expected).flatMap(([k, v]) => subsetDiff(v, actual[k], `${at}.${k}`));
  }
  return Object.is(expected, actual) || expected === actual
    ? []
    : [`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`];
}
