// The lifecycle features together, and when their jobs run: on every move of the controllable
// clock (once per job interval crossed, at least once, at most MAX_RUNS), and every second of real
// time while the clock follows real time and a job interval has passed.
import type { Clock } from '../clock.ts';
import type { LocalNode } from '../node.ts';
import { parseTimeValue } from '../units.ts';
import { IsmService } from './ism.ts';
import { SmService } from './sm.ts';
import { SnapshotService } from './snapshots.ts';

const DEFAULT_JOB_INTERVAL_MS = 5 * 60_000;
/** Upper bound of job runs for one clock move (a move of a year must not run 100k jobs). */
const MAX_RUNS = 50;
const JOB_INTERVAL_SETTING = 'plugins.index_state_management.job_interval';

/** How many job runs a clock move from `previous` to `now` triggers, given the last run time. */
export function runsFor(lastRun: number, now: number, intervalMs: number, explicit: boolean): number {
  if (now <= lastRun) return explicit ? 1 : 0;
  const crossed = Math.floor((now - lastRun) / intervalMs);
  return Math.min(MAX_RUNS, Math.max(explicit ? 1 : 0, crossed));
}

export class Lifecycle {
  readonly snapshots: SnapshotService;
  readonly ism: IsmService;
  readonly sm: SmService;
  private readonly node: LocalNode;
  private readonly clock: Clock;
  private lastRun: number;
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();

  constructor(node: LocalNode, clock: Clock, options: { fsRoot?: string } = {}) {
    this.node = node;
    this.clock = clock;
    this.snapshots = new SnapshotService(
      node,
      options.fsRoot === undefined ? {} : { fsRoot: options.fsRoot },
    );
    this.ism = new IsmService(node, this.snapshots);
    this.sm = new SmService(node, this.snapshots);
    this.lastRun = clock.now();
    this.snapshots.recoverInterrupted();
    node.onIndexCreated = (index) => this.ism.onIndexCreated(index);
    clock.onChange(() => this.tick(true));
  }

  /** Starts the real-time ticker (stopped by close). */
  start(): void {
    this.timer = setInterval(() => this.tick(false), 1000);
    this.timer.unref();
  }

  /** The ISM job interval: `plugins.index_state_management.job_interval` (minutes) or 5 minutes. */
  intervalMs(): number {
    const { persistent, transient } = this.node.state.clusterSettings;
    const raw = transient[JOB_INTERVAL_SETTING] ?? persistent[JOB_INTERVAL_SETTING];
    if (raw === undefined) return DEFAULT_JOB_INTERVAL_MS;
    const value = /^\d+$/.test(raw) ? Number(raw) * 60_000 : parseTimeValue(raw, JOB_INTERVAL_SETTING);
    return value > 0 ? value : DEFAULT_JOB_INTERVAL_MS;
  }

  /** Queues the job runs due at the current clock time; returns how many. */
  tick(explicit: boolean): number {
    const now = this.clock.now();
    const interval = this.intervalMs();
    const runs = runsFor(this.lastRun, now, interval, explicit);
    if (now < this.lastRun) this.lastRun = now;
    else if (runs > 0)
      this.lastRun = explicit ? now : this.lastRun + Math.floor((now - this.lastRun) / interval) * interval;
    if (runs > 0) this.queue = this.queue.then(() => this.runMany(runs)).catch(() => {});
    return runs;
  }

  /** Job runs one after the other; a snapshot started by one run is finished before the next. */
  private async runMany(runs: number): Promise<void> {
    for (let i = 0; i < runs; i++) {
      this.runOnce();
      this.node.flush();
      await this.snapshots.settle();
    }
  }

  runOnce(): void {
    this.ism.runAll();
    this.sm.runAll();
  }

  /** Resolves once every queued job run and background snapshot work is done. */
  async settle(): Promise<void> {
    await this.queue;
    await this.snapshots.settle();
    await this.queue;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.settle().catch(() => {});
    this.snapshots.close();
  }
}
