// The AWS adapters against stub clients: what they send, and how they read the answer.
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { SNSClient } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import { combineDatapoints, createCloudWatchMetricReader } from '../../../functions/adapters/cloudwatch.ts';
import { createSnsPublisher } from '../../../functions/adapters/sns.ts';
import { createNotifier } from '../../../functions/alert/notifiers.ts';
import { NotifierError } from '../../../functions/core/alert/errors.ts';
import type { RenderedMessage } from '../../../functions/core/alert/message.ts';

/** A client whose `send` records the command input and answers with `output`. */
function stubClient<T>(output: unknown) {
  const inputs: Array<Record<string, unknown>> = [];
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      inputs.push(command.input);
      return output;
    },
  } as unknown as T;
  return { client, inputs };
}

describe('combineDatapoints', () => {
  it.each([
    ['Sum', [1, 2, 3], 6],
    ['Maximum', [1, 7, 3], 7],
    ['Average', [2, 4], 3],
    ['Sum', [], undefined],
  ] as const)('%s of %j = %s', (statistic, values, expected) => {
    expect(combineDatapoints(statistic, [...values])).toBe(expected);
  });
});

describe('CloudWatch metric reader', () => {
  it('asks for one-minute periods over the window and combines them', async () => {
    const { client, inputs } = stubClient<CloudWatchClient>({
      Datapoints: [{ Maximum: 120 }, { Maximum: 900 }, { Sum: 5 }],
    });
    const reader = createCloudWatchMetricReader(client);
    const from = Date.parse('2026-03-01T11:55:30.000Z');
    const to = Date.parse('2026-03-01T12:00:30.000Z');
    const value = await reader.read(
      {
        namespace: 'AWS/Lambda',
        metricName: 'OffsetLag',
        statistic: 'Maximum',
        dimensions: { FunctionName: 'ingest' },
      },
      { from, to },
    );
    expect(value).toBe(900);
    expect(inputs[0]).toEqual({
      Namespace: 'AWS/Lambda',
      MetricName: 'OffsetLag',
      Dimensions: [{ Name: 'FunctionName', Value: 'ingest' }],
      StartTime: new Date('2026-03-01T11:55:00.000Z'),
      EndTime: new Date(to),
      Period: 60,
      Statistics: ['Maximum'],
    });
  });

  it('no datapoints is undefined (nothing happened), not zero', async () => {
    const { client } = stubClient<CloudWatchClient>({ Datapoints: [] });
    const reader = createCloudWatchMetricReader(client);
    expect(
      await reader.read(
        { namespace: 'Sluice', metricName: 'RecordsDeadLettered', statistic: 'Sum', dimensions: {} },
        { from: 0, to: 60_000 },
      ),
    ).toBeUndefined();
  });
});

describe('SNS publisher', () => {
  it('sends a subject SNS accepts: printable ASCII, no newlines, at most 100 characters', async () => {
    const { client, inputs } = stubClient<SNSClient>({ MessageId: '1' });
    await createSnsPublisher(client).publish({
      topicArn: 'arn:t',
      subject: `🔥 [Sluice]\nerrors ${'x'.repeat(200)}`,
      message: 'body',
    });
    expect(inputs[0]?.TopicArn).toBe('arn:t');
    expect(inputs[0]?.Message).toBe('body');
    const subject = String(inputs[0]?.Subject);
    expect(subject).toMatch(/^ \[Sluice\]errors x+$/);
    expect(subject.length).toBe(100);
  });
});

describe('notifiers', () => {
  const message: RenderedMessage = {
    subject: 's',
    text: 't',
    json: { rule: 'r', status: 'firing', events: [] },
  };

  it('a notifier whose target variable is unset fails on every send, naming the variable', async () => {
    const webhook = createNotifier(
      { name: 'chat', type: 'webhook', urlEnv: 'HOOK_URL', timeoutMs: 100, retries: 0, headers: {} },
      { env: {} },
    );
    await expect(webhook.send(message)).rejects.toThrow(
      new NotifierError('chat', 'webhook URL missing: set HOOK_URL'),
    );
    const sns = createNotifier(
      { name: 'ops', type: 'sns', topicArnEnv: 'TOPIC' },
      { env: {}, publisher: { publish: async () => {} } },
    );
    await expect(sns.send(message)).rejects.toThrow('notifier ops: topic ARN missing: set TOPIC');
  });

  it('SNS reads the topic from the environment and wraps failures', async () => {
    const sent: unknown[] = [];
    const ok = createNotifier(
      { name: 'ops', type: 'sns', topicArnEnv: 'TOPIC' },
      { env: { TOPIC: 'arn:x' }, publisher: { publish: async (m) => void sent.push(m) } },
    );
    await ok.send(message);
    expect(sent).toEqual([{ topicArn: 'arn:x', subject: 's', message: 't' }]);
    const failing = createNotifier(
      { name: 'ops', type: 'sns', topicArn: 'arn:x' },
      { env: {}, publisher: { publish: async () => Promise.reject(new Error('throttled')) } },
    );
    await expect(failing.send(message)).rejects.toThrow('notifier ops: SNS publish failed: throttled');
  });
});
