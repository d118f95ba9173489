// The target stories (from the spec copy's README) in two groups, and running a group against a URL
// or against fresh local servers (one per story, so stories cannot leak state into each other).
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ConformanceError } from './errors.ts';
import { runStory, type StoryResult } from './runner.ts';
import { OpenApiSpec, SPEC_ROOT } from './spec.ts';
import { loadStory } from './story.ts';

export const GROUPS = {
  core: [
    'default/_core/info.yaml',
    'default/_core/bulk.yaml',
    'default/_core/count.yaml',
    'default/_core/search.yaml',
    'default/_core/refresh.yaml',
    'default/_core/search/match.yaml',
    'default/_core/search/size.yaml',
    'default/_core/search/aggregations/terms.yaml',
    'default/_core/search/aggregations/avg.yaml',
    'default/_core/search/aggregations/max.yaml',
    'default/_core/search/aggregations/min.yaml',
    'default/_core/search/aggregations/sum.yaml',
    'default/cluster/health.yaml',
    'default/cluster/component_template.yaml',
    'default/cat/indices.yaml',
    'default/cat/health.yaml',
    'default/indices/index.yaml',
    'default/indices/bulk.yaml',
    'default/indices/count.yaml',
    'default/indices/search.yaml',
    'default/indices/doc.yaml',
    'default/indices/refresh.yaml',
    'default/indices/settings.yaml',
    'default/indices/index_template.yaml',
    'default/indices/component_template.yaml',
    'default/indices/forcemerge.yaml',
    'default/indices/mapping/mapping.yaml',
    'default/indices/alias/alias.yaml',
    'default/indices/aliases/aliases.yaml',
    'default/indices/data_stream/data_stream.yaml',
  ],
  lifecycle: [
    'default/ism/policies.yaml',
    'default/ism/add.yaml',
    'default/ism/explain.yaml',
    'default/ism/remove.yaml',
    'default/ism/retry.yaml',
    'default/sm/policies.yaml',
    'default/sm/policies/explain.yaml',
    'default/sm/policies/start.yaml',
    'default/sm/policies/stop.yaml',
    'snapshot/snapshot/snapshot.yaml',
    'snapshot/snapshot/status.yaml',
    'snapshot/snapshot/verify.yaml',
    'snapshot/snapshot/cleanup.yaml',
    'snapshot/cat/repositories.yaml',
    'snapshot/cat/snapshots.yaml',
  ],
} as const;

export type Group = keyof typeof GROUPS;

export const STORIES_ROOT = path.join(SPEC_ROOT, 'tests');
export const REPORT_FILE = path.resolve(import.meta.dirname, '../../.vitest/conformance.json');

export function groupFiles(group: Group): string[] {
  return GROUPS[group].map((f) => path.join(STORIES_ROOT, f));
}

/**
 * Story files named by `SLUICE_STORIES` or on the CLI: files or folders (searched for .yaml), split on
 * `,`, `:` or whitespace; relative names are tried against the working folder, then the stories folder.
 */
export async function extraStoryFiles(value: string | undefined): Promise<string[]> {
  if (value === undefined || value.trim() === '') return [];
  const out: string[] = [];
  for (const entry of value.split(/[,:\s]+/).filter(Boolean)) {
    const here = path.resolve(entry);
    const full = existsSync(here) ? here : path.resolve(STORIES_ROOT, entry);
    const info = await stat(full);
    if (info.isDirectory()) {
      const names = await readdir(full, { recursive: true });
      out.push(
        ...names
          .filter((n) => n.endsWith('.yaml'))
          .map((n) => path.join(full, n))
          .sort(),
      );
    } else out.push(full);
  }
  return out;
}

export type LocalServer = { url: string; port: number; close(): Promise<void> };
type StartServer = (options?: { port?: number; dataDir?: string }) => Promise<LocalServer>;

let cachedSpec: OpenApiSpec | undefined;
export function loadSpec(): OpenApiSpec {
  cachedSpec ??= new OpenApiSpec(path.join(SPEC_ROOT, 'spec'));
  return cachedSpec;
}

/** Loads the local server's starter lazily, so the runner works (against --url) without it. */
export async function loadServerStarter(): Promise<StartServer> {
  const href = new URL('../../infra/local/opensearch/server.ts', import.meta.url).href;
  try {
    const mod = (await import(href)) as { startOpenSearchServer?: StartServer };
    if (typeof mod.startOpenSearchServer !== 'function') throw new Error('no startOpenSearchServer export');
    return mod.startOpenSearchServer;
  } catch (cause) {
    throw new ConformanceError('cannot load infra/local/opensearch/server.ts', { cause });
  }
}

export type RunFilesOptions = {
  /** Run against this server; otherwise a fresh local server per story. */
  url?: string;
  onStory?: (result: StoryResult) => void;
};

function brokenStory(file: string, cause: unknown): StoryResult {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return {
    file,
    description: 'story could not run',
    chapters: [{ title: 'story could not run', method: '-', path: '-', outcome: 'failed', reason }],
    notes: [],
  };
}

/** Runs story files one after the other; a broken story or server start becomes a failed result. */
export async function runFiles(files: string[], options: RunFilesOptions = {}): Promise<StoryResult[]> {
  const spec = loadSpec();
  const start = options.url === undefined ? await loadServerStarter() : undefined;
  const results: StoryResult[] = [];
  for (const file of files) {
    let result: StoryResult;
    try {
      const story = await loadStory(file);
      if (start === undefined) {
        result = await runStory(file, story, { url: options.url ?? '', spec });
      } else {
        // In memory (no dataDir): nothing survives the story.
        const server = await start({ port: 0 });
        try {
          result = await runStory(file, story, { url: server.url, spec });
        } finally {
          await server.close();
        }
      }
    } catch (cause) {
      result = brokenStory(file, cause);
    }
    results.push(result);
    options.onStory?.(result);
  }
  return results;
}

export function runGroup(group: Group, options: RunFilesOptions = {}): Promise<StoryResult[]> {
  return runFiles(groupFiles(group), options);
}
