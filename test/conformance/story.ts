// The YAML test story format of the OpenSearch API specification
// (`json_schemas/test_story.schema.yaml`), and loading it from disk.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { StoryFormatError } from './errors.ts';

export type Parameter = string | number | boolean | Array<string | number | boolean>;

export type Distributions = { included?: string[]; excluded?: string[] };

export type Retry = { count: number; wait?: number };

export type StoryRequest = {
  content_type?: string;
  headers?: Record<string, string | number | boolean>;
  payload?: unknown;
};

export type OutputSpec = Record<string, string | { path: string; default?: boolean | number | string }>;

export type ChapterRequest = {
  id?: string;
  path: string;
  method: string | string[];
  parameters?: Record<string, Parameter>;
  request?: StoryRequest;
  output?: OutputSpec;
  version?: string;
  distributions?: Distributions;
  retry?: Retry;
};

export type ExpectedResponse = {
  status?: number | number[];
  content_type?: string;
  payload?: unknown;
};

export type Chapter = ChapterRequest & {
  synopsis: string;
  pending?: string;
  response?: ExpectedResponse;
  warnings?: Record<string, boolean>;
};

export type SupplementalChapter = ChapterRequest & { status?: number[] };

export type Story = {
  description: string;
  prologues?: SupplementalChapter[];
  epilogues?: SupplementalChapter[];
  chapters: Chapter[];
  version?: string;
  distributions?: Distributions;
  warnings?: Record<string, boolean>;
  pending?: string;
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkRequest(value: unknown, where: string): void {
  if (!isObject(value)) throw new StoryFormatError(`${where}: not a mapping`);
  if (typeof value.path !== 'string') throw new StoryFormatError(`${where}: missing path`);
  const method = value.method;
  const methods = Array.isArray(method) ? method : [method];
  if (methods.length === 0 || !methods.every((m) => typeof m === 'string')) {
    throw new StoryFormatError(`${where}: missing method`);
  }
}

/** Parses a story's YAML text; checks only what the runner relies on. */
export function parseStory(text: string, source = 'story'): Story {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (cause) {
    throw new StoryFormatError(`${source}: invalid YAML`, { cause });
  }
  if (!isObject(doc)) throw new StoryFormatError(`${source}: not a mapping`);
  if (!Array.isArray(doc.chapters)) throw new StoryFormatError(`${source}: no chapters`);
  for (const [i, c] of doc.chapters.entries()) checkRequest(c, `${source} chapter ${i + 1}`);
  for (const key of ['prologues', 'epilogues'] as const) {
    const list = doc[key];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new StoryFormatError(`${source}: ${key} is not a list`);
    for (const [i, c] of list.entries()) checkRequest(c, `${source} ${key} ${i + 1}`);
  }
  return doc as Story;
}

export async function loadStory(file: string): Promise<Story> {
  return parseStory(await readFile(file, 'utf8'), file);
}
