// SNS publishing behind one small interface (tests use a plain-object fake).
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';

export interface SnsMessage {
  topicArn: string;
  subject: string;
  message: string;
}

export interface MessagePublisher {
  publish(message: SnsMessage): Promise<void>;
}

export function createSnsPublisher(client: SNSClient): MessagePublisher {
  return {
    async publish({ topicArn, subject, message }) {
      // SNS subjects: ASCII printable, no newlines, at most 100 characters.
      const safeSubject = subject.replace(/[^\x20-\x7e]/g, '').slice(0, 100) || 'Sluice alert';
      await client.send(new PublishCommand({ TopicArn: topicArn, Subject: safeSubject, Message: message }));
    },
  };
}
