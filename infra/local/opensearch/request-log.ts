// The log of requests received (GET /_sluice/requests), for tests that check what a client sent.
export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  status: number;
  bytes_in: number;
  bytes_out: number;
  time: string;
  duration_ms: number;
}

const MAX_ENTRIES = 10_000;

export class RequestLog {
  private entries: RequestLogEntry[] = [];

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
  }

  list(): RequestLogEntry[] {
    return [...this.entries];
  }

  clear(): void {
    this.entries = [];
  }
}
