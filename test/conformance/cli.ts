// npx node test/conformance/cli.ts [--group core|lifecycle|all] [--url http://...] [files...]
// Runs story groups (or the given files) against a URL or fresh local servers, prints the table and
// writes .vitest/conformance.json. Exits 1 when a chapter failed.
import { parseArgs } from 'node:util';
import {
  extraStoryFiles,
  GROUPS,
  type Group,
  groupFiles,
  REPORT_FILE,
  runFiles,
  STORIES_ROOT,
} from './groups.ts';
import { formatTable, totals, writeReport } from './report.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    group: { type: 'string', default: 'all' },
    url: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help === true) {
  console.log('usage: cli.ts [--group core|lifecycle|all] [--url http://host:port] [story files...]');
  process.exit(0);
}

const groups: Group[] =
  values.group === 'all'
    ? (Object.keys(GROUPS) as Group[])
    : [values.group as Group].filter((g) => g in GROUPS);
if (groups.length === 0) {
  console.error(`unknown group ${values.group}`);
  process.exit(2);
}

const runs: Array<[string, string[]]> =
  positionals.length > 0
    ? [['files', await extraStoryFiles(positionals.join(','))]]
    : groups.map((g) => [g, groupFiles(g)]);

let failed = 0;
for (const [name, files] of runs) {
  const results = await runFiles(files, { url: values.url });
  console.log(formatTable(name, results, STORIES_ROOT));
  await writeReport(REPORT_FILE, name, results, STORIES_ROOT);
  failed += totals(results).failed;
}
process.exitCode = failed > 0 ? 1 : 0;
