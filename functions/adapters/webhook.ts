// A JSON webhook (Slack-compatible: the payload carries `text`), with a timeout per attempt and
// retries with back-off on network errors, timeouts, 429 and 5xx.
import { NotifierError } from '../core/alert/errors.ts';

export interface WebhookOptions {
  name: string;
  url: string;
  timeoutMs: number;
  retries: number;
  headers?: Record<string, string>;
  /** Delay before retry `n` (1-based); injectable so tests need not wait. */
  backoffMs?: (attempt: number) => number;
}

export interface WebhookClient {
  post(payload: unknown): Promise<void>;
}

const defaultBackoff = (attempt: number): number => Math.min(200 * 2 ** (attempt - 1), 5000);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function createWebhookClient(options: WebhookOptions): WebhookClient {
  const backoff = options.backoffMs ?? defaultBackoff;
  return {
    async post(payload) {
      const body = JSON.stringify(payload);
      let lastError: unknown;
      for (let attempt = 0; attempt <= options.retries; attempt += 1) {
        if (attempt > 0) await sleep(backoff(attempt));
        try {
          const response = await fetch(options.url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...options.headers },
            body,
            signal: AbortSignal.timeout(options.timeoutMs),
          });
          await response.arrayBuffer(); // drain, so the connection can be reused
          if (response.ok) return;
          lastError = new Error(`HTTP ${response.status}`);
          if (response.status !== 429 && response.status < 500) break; // a 4xx will not get better
        } catch (error) {
          lastError = error;
        }
      }
      throw new NotifierError(options.name, `webhook failed: ${errorText(lastError)}`, { cause: lastError });
    },
  };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.name === 'TimeoutError' ? 'timed out' : error.message;
  return String(error);
}
