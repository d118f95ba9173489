import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import path from 'node:path';

// `npm run package -- [serverless options]`: a clean `serverless package`. Stale .esbuild/.serverless
// folders can ship old bundles, so both go first. Runs offline: no credentials or network needed.

export const RepoRoot = path.resolve(import.meta.dirname, '../..');

/** The environment osls needs to package with no account: dummy credentials, no telemetry or notices. */
export function offlineEnv(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return {
    ...base,
    AWS_ACCESS_KEY_ID: base.AWS_ACCESS_KEY_ID ?? 'AKIAOFFLINEPACKAGE00',
    AWS_SECRET_ACCESS_KEY: base.AWS_SECRET_ACCESS_KEY ?? 'offline-package-dummy-secret',
    AWS_REGION: base.AWS_REGION ?? 'us-east-1',
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
    SLS_DEPRECATION_DISABLE: '*',
  };
}

export async function cleanBuildFolders(root = RepoRoot): Promise<void> {
  await Promise.all([
    rm(path.join(root, '.esbuild'), { recursive: true, force: true }),
    rm(path.join(root, '.serverless'), { recursive: true, force: true }),
  ]);
}

/** The osls entry point, run with the current Node (24 when started through npm). */
export const SlsBin = path.join(RepoRoot, 'node_modules', 'osls', 'bin', 'serverless.js');

async function main(): Promise<void> {
  await cleanBuildFolders();
  const child = spawn(process.execPath, [SlsBin, 'package', ...process.argv.slice(2)], {
    cwd: RepoRoot,
    env: offlineEnv(),
    stdio: 'inherit',
  });
  const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
  process.exitCode = code;
}

if (import.meta.main) await main();
