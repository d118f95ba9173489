// `npm run replay -- --from-archive --topic app-logs --since 6h [--until …] [--target-index …] [--dry-run]`
// `npm run replay -- --from-dead-letters [--topic …]`
// Replays through the same pipeline and bulk path as the ingest; see functions/replay/replay.ts.
// Environment as for the ingest function; unset values default to the local stack (`npm run stack`).

import path from 'node:path';
import { parseArgs } from 'node:util';
import { ArchiveError } from '../../functions/core/archive/errors.ts';
import { formatProgress } from '../../functions/core/archive/progress.ts';
import { parseReplayRequest, ReplaySources } from '../../functions/core/archive/request.ts';
import { createReplayApp } from '../../functions/replay/app.ts';
import { ReplayStatuses } from '../../functions/replay/replay.ts';
import { ConfigError } from '../../functions/runtime/errors.ts';
import { LocalBuckets } from './s3.ts';
import { DefaultPorts } from './stack.ts';

const USAGE = `usage: npm run replay -- (--from-archive --topic T --since TIME [--until TIME] | --from-dead-letters [--topic T])
  [--target-index INDEX] [--dry-run] [--restart] [--checkpoint KEY] [--batch-records N] [--pipelines FILE] [--quiet]
TIME: ISO 8601 (2026-11-20T12:00:00Z), epoch ms, or a duration ago (90m, 6h, 2d)`;

const repo = path.resolve(import.meta.dirname, '../..');

function localDefaults(env: NodeJS.ProcessEnv): Record<string, string | undefined> {
  return {
    OPENSEARCH_ENDPOINT: `http://127.0.0.1:${DefaultPorts.opensearch}`,
    OPENSEARCH_AUTH: 'none',
    S3_ENDPOINT: `http://127.0.0.1:${DefaultPorts.s3}`,
    AWS_REGION: 'us-east-1',
    DEAD_LETTER_BUCKET: LocalBuckets.deadLetters,
    ARCHIVE_BUCKET: LocalBuckets.archive,
    PIPELINES_FILE: path.join(repo, 'infra/pipelines.yaml'),
    POWERTOOLS_LOG_LEVEL: 'WARN',
    POWERTOOLS_METRICS_DISABLED: 'true',
    ...Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  };
}

async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'from-archive': { type: 'boolean' },
      'from-dead-letters': { type: 'boolean' },
      topic: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      'target-index': { type: 'string' },
      'dry-run': { type: 'boolean' },
      restart: { type: 'boolean' },
      checkpoint: { type: 'string' },
      'batch-records': { type: 'string' },
      pipelines: { type: 'string' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (Boolean(values['from-archive']) === Boolean(values['from-dead-letters'])) {
    console.error(`choose one of --from-archive and --from-dead-letters\n${USAGE}`);
    return 64;
  }
  const request = parseReplayRequest(
    {
      source: values['from-archive'] ? ReplaySources.archive : ReplaySources.deadLetters,
      topic: values.topic,
      since: values.since,
      until: values.until,
      targetIndex: values['target-index'],
      dryRun: values['dry-run'] ?? false,
      restart: values.restart ?? false,
      checkpointKey: values.checkpoint,
      ...(values['batch-records'] === undefined ? {} : { batchRecords: Number(values['batch-records']) }),
    },
    Date.now(),
  );
  const env = localDefaults(process.env);
  if (values.pipelines) env.PIPELINES_FILE = path.resolve(values.pipelines);
  // The Powertools logger reads its level from process.env at construction.
  for (const key of ['POWERTOOLS_LOG_LEVEL', 'POWERTOOLS_METRICS_DISABLED'] as const)
    process.env[key] ??= env[key];

  if (request.source === ReplaySources.archive && !values.quiet) {
    // Relative times move with the clock: print the absolute range a resumed run must repeat.
    const until = request.untilMs === undefined ? 'open' : new Date(request.untilMs).toISOString();
    console.error(
      `replaying ${request.topic} from ${new Date(request.sinceMs!).toISOString()} until ${until}`,
    );
  }
  const app = await createReplayApp(env);
  const tty = process.stderr.isTTY === true;
  let lastDraw = 0;
  try {
    const result = await app.run(request, {
      progress: (progress) => {
        if (values.quiet) return;
        const now = Date.now();
        // A TTY redraws one line ten times a second; a log gets a line a second.
        if (now - lastDraw < (tty ? 100 : 1000) && progress.objects < progress.totalObjects) return;
        lastDraw = now;
        const line = formatProgress(progress);
        process.stderr.write(tty ? `\r${line}` : `${line}\n`);
      },
    });
    if (tty && !values.quiet) process.stderr.write('\n');
    const { prepare: _prepare, ...summary } = result;
    console.log(JSON.stringify(summary, null, 2));
    if (result.status === ReplayStatuses.alreadyDone) {
      console.error('this replay already completed (checkpoint says done); pass --restart to run it again');
    }
    return result.status === ReplayStatuses.incomplete ? 2 : 0;
  } finally {
    app.close();
  }
}

if (import.meta.main) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (error) {
    if (
      error instanceof ArchiveError ||
      error instanceof ConfigError ||
      (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')
    ) {
      console.error(`replay: ${(error as Error).message}\n${USAGE}`);
      process.exitCode = 64;
    } else {
      console.error(error);
      process.exitCode = 1;
    }
  }
}
