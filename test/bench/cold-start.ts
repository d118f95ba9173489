// Cold start: bundle the ingest handler with esbuild (as deploy does) and time `require` of the
// bundle in fresh processes against an empty module. Skipped with a note when esbuild is missing.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { median } from './stats.ts';

const repo = path.resolve(import.meta.dirname, '../..');

export interface ColdStart {
  bundleBytes: number;
  bundleGzipBytes: number;
  minifiedBytes: number;
  importMs: { bundle: number; minified: number; empty: number };
  runs: number;
}

function timedImport(file: string): number {
  // A marker line, in case the module itself prints something at import.
  const script = `const t=performance.now();require(${JSON.stringify(file)});process.stdout.write('\\nIMPORT_MS='+(performance.now()-t)+'\\n')`;
  const out = execFileSync(process.execPath, ['-e', script], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    env: { ...process.env, AWS_REGION: 'us-east-1' },
  });
  const match = /IMPORT_MS=([\d.]+)/.exec(out);
  if (!match) throw new Error(`no import time from ${file}`);
  return Number(match[1]);
}

export async function coldStart(runs = 7): Promise<ColdStart | string> {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = await import('esbuild');
  } catch {
    return 'cold start skipped: esbuild is not installed';
  }
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-bench-'));
  try {
    const bundle = path.join(dir, 'ingest.cjs');
    const minified = path.join(dir, 'ingest.min.cjs');
    const empty = path.join(dir, 'empty.cjs');
    const common = {
      entryPoints: [path.join(repo, 'functions/ingest/handler.ts')],
      bundle: true,
      platform: 'node' as const,
      format: 'cjs' as const,
      target: 'node22',
      logLevel: 'silent' as const,
    };
    await esbuild.build({ ...common, outfile: bundle });
    await esbuild.build({ ...common, outfile: minified, minify: true });
    writeFileSync(empty, 'module.exports = {};\n');
    const times = { bundle: [] as number[], minified: [] as number[], empty: [] as number[] };
    // Interleaved, so a slow moment of the machine hits all three alike.
    for (let i = 0; i < runs; i++) {
      times.empty.push(timedImport(empty));
      times.bundle.push(timedImport(bundle));
      times.minified.push(timedImport(minified));
    }
    return {
      bundleBytes: statSync(bundle).size,
      bundleGzipBytes: gzipSync(readFileSync(bundle)).length,
      minifiedBytes: statSync(minified).size,
      importMs: {
        bundle: median(times.bundle),
        minified: median(times.minified),
        empty: median(times.empty),
      },
      runs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
