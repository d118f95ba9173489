// The replay progress line: records, MB, rate and ETA. ETA is by bytes, the one total a listing gives.

export interface ReplayProgress {
  records: number;
  /** Compressed bytes read so far. */
  bytes: number;
  /** Compressed bytes of everything to read this run. */
  totalBytes: number;
  objects: number;
  totalObjects: number;
  elapsedMs: number;
}

const MB = 1_000_000;

function clock(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** e.g. `[######------]  50%  1,200 records  3.1/6.2 MB  400 rec/s  1.0 MB/s  ETA 0:03` */
export function formatProgress(p: ReplayProgress, width = 24): string {
  const fraction =
    p.totalBytes > 0
      ? Math.min(1, p.bytes / p.totalBytes)
      : p.totalObjects > 0
        ? p.objects / p.totalObjects
        : 1;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
  const seconds = p.elapsedMs / 1000;
  const recordRate = seconds > 0 ? Math.round(p.records / seconds) : 0;
  const byteRate = seconds > 0 ? p.bytes / seconds : 0;
  const eta = clock(byteRate > 0 ? Math.max(0, p.totalBytes - p.bytes) / byteRate : Number.NaN);
  return [
    bar,
    percent,
    `${p.records.toLocaleString('en-US')} records`,
    `${(p.bytes / MB).toFixed(1)}/${(p.totalBytes / MB).toFixed(1)} MB`,
    `${recordRate.toLocaleString('en-US')} rec/s`,
    `${(byteRate / MB).toFixed(1)} MB/s`,
    `ETA ${eta}`,
  ].join('  ');
}
