// Notifier configs → senders. A notifier that cannot be built (its URL variable unset) still
// exists and fails on every send, so the problem is logged and counted each run instead of
// stopping the function or the other notifiers.
import type { MessagePublisher } from '../adapters/sns.ts';
import { createWebhookClient } from '../adapters/webhook.ts';
import { NotifierError } from '../core/alert/errors.ts';
import type { RenderedMessage } from '../core/alert/message.ts';
import type { NotifierConfig } from '../core/alert/types.ts';
import type { Env } from '../runtime/env.ts';

export interface Notifier {
  name: string;
  send(message: RenderedMessage): Promise<void>;
}

export interface NotifierDeps {
  env: Env;
  publisher?: MessagePublisher;
  webhookBackoffMs?: (attempt: number) => number;
}

const failing = (name: string, reason: string): Notifier => ({
  name,
  send: async () => {
    throw new NotifierError(name, reason);
  },
});

export function createNotifier(config: NotifierConfig, deps: NotifierDeps): Notifier {
  const { name } = config;
  if (config.type === 'sns') {
    const topicArn =
      config.topicArn ?? (config.topicArnEnv ? deps.env[config.topicArnEnv]?.trim() : undefined);
    if (!topicArn) return failing(name, `topic ARN missing: set ${config.topicArnEnv ?? 'topic_arn'}`);
    const publisher = deps.publisher;
    if (publisher === undefined) return failing(name, 'no SNS client configured');
    return {
      name,
      send: async (message) => {
        try {
          await publisher.publish({ topicArn, subject: message.subject, message: message.text });
        } catch (error) {
          throw new NotifierError(name, `SNS publish failed: ${(error as Error).message}`, { cause: error });
        }
      },
    };
  }
  const url = config.url ?? (config.urlEnv ? deps.env[config.urlEnv]?.trim() : undefined);
  if (!url) return failing(name, `webhook URL missing: set ${config.urlEnv ?? 'url'}`);
  const client = createWebhookClient({
    name,
    url,
    timeoutMs: config.timeoutMs,
    retries: config.retries,
    headers: config.headers,
    ...(deps.webhookBackoffMs ? { backoffMs: deps.webhookBackoffMs } : {}),
  });
  // Slack reads `text`; other consumers get the structured fields alongside.
  return { name, send: (message) => client.post({ text: message.text, ...message.json }) };
}

export function createNotifiers(configs: NotifierConfig[], deps: NotifierDeps): Map<string, Notifier> {
  return new Map(configs.map((config) => [config.name, createNotifier(config, deps)]));
}
