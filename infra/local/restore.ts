// `npm run restore -- --service api --from 2026-11-01 --to 2026-11-03 [--wait]`
// Restores a service's logs for a date range from the snapshot catalog, as the lifecycle function's
// restore event does, with progress on the terminal. Without OPENSEARCH_ENDPOINT it talks to the
// local stack on its default ports (`npm run stack`).

import { parseArgs } from 'node:util';
import { type AppLogger, createLifecycleApp } from '../../functions/lifecycle/app.ts';
import { parseRestoreEvent, type RestoreProgress, runRestore } from '../../functions/lifecycle/restore.ts';
import type { Env } from '../../functions/runtime/env.ts';
import { DefaultPorts } from './stack.ts';

const USAGE = `usage: npm run restore -- --service <name> --from <yyyy-MM-dd|ISO> --to <yyyy-MM-dd|ISO> [--wait] [--config <lifecycle.yaml>]

Finds the snapshots holding the service's logs in the catalog and restores their indices as
restored-<index>. --wait waits for the restore and counts the documents.`;

/** The local stack's endpoints unless the environment names a cluster. */
export function restoreEnv(env: Env): Env {
  if (env.OPENSEARCH_ENDPOINT) return env;
  return {
    OPENSEARCH_AUTH: 'none',
    S3_ENDPOINT: `http://127.0.0.1:${DefaultPorts.s3}`,
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    ...env,
    OPENSEARCH_ENDPOINT: `http://127.0.0.1:${DefaultPorts.opensearch}`,
  };
}

export function formatProgress(p: RestoreProgress): string {
  switch (p.type) {
    case 'catalog':
      return `catalog: ${p.snapshots} snapshot(s) hold the range${
        p.missingEntries.length > 0 ? ` (${p.missingEntries.length} listed without an entry, skipped)` : ''
      }`;
    case 'restoring':
      return `restoring ${p.indices.join(', ')} from ${p.snapshot} …`;
    case 'restored':
      return `  ${p.snapshot}: restore accepted`;
    case 'counted':
      return `  ${p.index}: ${p.docs} documents${p.expected === null ? '' : ` (catalog: ${p.expected})`}${
        p.expected !== null && p.expected !== p.docs ? '  ← differs' : ''
      }`;
  }
}

function parseCliArgs(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      service: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      wait: { type: 'boolean', default: false },
      config: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
}

export async function main(
  argv: string[],
  env: Env,
  out: (line: string) => void = (line) => console.log(line),
): Promise<number> {
  let args: ReturnType<typeof parseCliArgs>;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    out(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (args.values.help) {
    out(USAGE);
    return 0;
  }
  const logger: AppLogger = {
    info: () => {},
    warn: (message, extra) => out(`warning: ${message} ${JSON.stringify(extra)}`),
    error: (message, extra) => out(`error: ${message} ${JSON.stringify(extra)}`),
  };
  try {
    const app = await createLifecycleApp(
      { ...restoreEnv(env), ...(args.values.config ? { LIFECYCLE_FILE: args.values.config } : {}) },
      logger,
    );
    const { query, wait } = parseRestoreEvent(
      {
        action: 'restore',
        service: args.values.service,
        from: args.values.from,
        to: args.values.to,
        wait: args.values.wait,
      },
      app.config,
    );
    out(
      `restoring ${query.service} from ${new Date(query.from).toISOString()} to ${new Date(query.to).toISOString()}`,
    );
    const summary = await runRestore({ ...app, onProgress: (p) => out(formatProgress(p)) }, query, { wait });
    if (summary.alreadyRestored.length > 0)
      out(`already restored (delete restored-* to restore again): ${summary.alreadyRestored.join(', ')}`);
    if (summary.uncoveredDays.length > 0) out(`no snapshot covers: ${summary.uncoveredDays.join(', ')}`);
    if (summary.indices.length === 0) {
      out('nothing to restore');
      return summary.alreadyRestored.length > 0 ? 0 : 1;
    }
    out(
      summary.documentsRestored === null
        ? `${summary.indices.length} index(es) restoring; rerun with --wait to count documents`
        : `${summary.documentsRestored} documents restored into ${summary.indices.length} index(es) (catalog: ${summary.documentsExpected})`,
    );
    return summary.documentsRestored !== null && summary.documentsRestored !== summary.documentsExpected
      ? 1
      : 0;
  } catch (error) {
    out(`restore failed: ${(error as Error).message}`);
    return 1;
  }
}

if (import.meta.main) process.exitCode = await main(process.argv.slice(2), process.env);
