// Deterministic sample logs, generated in code: what `npm start` ingests and what benchmarks can
// reuse. Realistic shapes (ECS-style JSON app logs, nginx combined, RFC 3164/5424 syslog) from a
// seeded PRNG, so every run sees the same lines.

import { mulberry32 } from './opensearch/prng.ts';

export { mulberry32 };

export type SampleKind = 'json' | 'nginx' | 'syslog';

const SERVICES = ['checkout', 'auth', 'payments', 'catalog', 'search'] as const;
const LEVELS = ['debug', 'info', 'info', 'info', 'info', 'warn', 'error'] as const;
const MESSAGES = [
  'request completed',
  'order placed',
  'cache miss',
  'user signed in',
  'payment authorised',
  'slow query',
  'upstream timed out',
  'retrying connection to database',
] as const;
const PATHS = [
  '/',
  '/api/orders',
  '/api/orders/17',
  '/login',
  '/static/app.js',
  '/search?q=shoes',
  '/health',
] as const;
const METHODS = ['GET', 'GET', 'GET', 'POST', 'PUT', 'DELETE'] as const;
const STATUSES = [200, 200, 200, 200, 201, 204, 301, 304, 400, 404, 500, 503] as const;
const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
  'curl/8.5.0',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148',
  'kube-probe/1.30',
] as const;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const PROGRAMS = ['sshd', 'cron', 'kernel', 'systemd', 'sudo'] as const;

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function httpDate(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function syslogDate(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function ip(random: () => number): string {
  return `${10 + Math.floor(random() * 200)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
}

/** One JSON application log line; `extraBytes` pads it with a stack-trace-like field. */
export function jsonLine(random: () => number, timeMs: number, extraBytes = 0): string {
  const level = pick(random, LEVELS);
  const doc: Record<string, unknown> = {
    '@timestamp': new Date(timeMs).toISOString(),
    'log.level': level,
    message: pick(random, MESSAGES),
    service: { name: pick(random, SERVICES) },
    trace: {
      id: Math.floor(random() * 2 ** 48)
        .toString(16)
        .padStart(12, '0'),
    },
    http: { request: { method: pick(random, METHODS) }, response: { status_code: pick(random, STATUSES) } },
    url: { path: pick(random, PATHS) },
    event: { duration: Math.floor(random() * 2_000_000) },
  };
  if (level === 'error' || extraBytes > 0) {
    const frames: string[] = [];
    let size = 0;
    const target = Math.max(extraBytes, level === 'error' ? 200 : 0);
    while (size < target) {
      const frame = `at handler (/app/src/${pick(random, SERVICES)}/index.js:${Math.floor(random() * 400)}:${Math.floor(random() * 80)})`;
      frames.push(frame);
      size += frame.length + 1;
    }
    doc.error = { type: 'Error', message: pick(random, MESSAGES), stack_trace: frames.join('\n') };
  }
  return JSON.stringify(doc);
}

export function nginxLine(random: () => number, timeMs: number): string {
  const status = pick(random, STATUSES);
  const bytes = status === 204 || status === 304 ? 0 : Math.floor(random() * 50_000);
  const referrer = random() < 0.5 ? '-' : 'https://shop.example.com/';
  return `${ip(random)} - - [${httpDate(timeMs)}] "${pick(random, METHODS)} ${pick(random, PATHS)} HTTP/1.1" ${status} ${bytes} "${referrer}" "${pick(random, AGENTS)}"`;
}

export function syslogLine(random: () => number, timeMs: number): string {
  const program = pick(random, PROGRAMS);
  const host = `ip-10-0-${Math.floor(random() * 4)}-${Math.floor(random() * 250)}`;
  const pid = 1000 + Math.floor(random() * 30_000);
  const text =
    program === 'sshd'
      ? `Failed password for invalid user admin from ${ip(random)} port ${1024 + Math.floor(random() * 60_000)} ssh2`
      : program === 'cron'
        ? '(root) CMD (run-parts /etc/cron.hourly)'
        : program === 'sudo'
          ? 'ubuntu : TTY=pts/0 ; PWD=/home/ubuntu ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx'
          : 'Started Daily apt download activities.';
  return `<${8 * 4 + Math.floor(random() * 8)}>${syslogDate(timeMs)} ${host} ${program}[${pid}]: ${text}`;
}

/** `count` lines of one kind, one second apart (with jitter) ending at `endMs`. */
export function generateLines(
  kind: SampleKind,
  count: number,
  options: { seed?: number; endMs: number },
): string[] {
  const random = mulberry32(options.seed ?? 42);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const timeMs = options.endMs - (count - i) * 1000 + Math.floor(random() * 1000);
    lines.push(
      kind === 'json'
        ? jsonLine(random, timeMs)
        : kind === 'nginx'
          ? nginxLine(random, timeMs)
          : syslogLine(random, timeMs),
    );
  }
  return lines;
}
