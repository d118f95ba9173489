// Alert state (realert times, firing keys, held events) as one JSON object in S3, so that it
// survives cold starts. The function runs on a schedule with a reserved concurrency of 1, so a
// plain read-modify-write is enough.
import { GetObjectCommand, NoSuchKey, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type AlertState, emptyState, parseState } from '../core/alert/state.ts';

export interface AlertStateStore {
  load(): Promise<AlertState>;
  save(state: AlertState): Promise<void>;
}

export function createS3AlertStateStore(client: S3Client, bucket: string, key: string): AlertStateStore {
  return {
    async load() {
      try {
        const output = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const text = (await output.Body?.transformToString('utf8')) ?? '';
        return text === '' ? emptyState() : parseState(JSON.parse(text));
      } catch (error) {
        // First run: nothing stored yet.
        if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey')
          return emptyState();
        throw error;
      }
    },
    async save(state) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: JSON.stringify(state),
          ContentType: 'application/json',
        }),
      );
    },
  };
}

/** An in-memory store, for local runs without S3. */
export function createMemoryAlertStateStore(initial: AlertState = emptyState()): AlertStateStore {
  let stored = JSON.stringify(initial);
  return {
    load: async () => parseState(JSON.parse(stored)),
    save: async (state) => {
      stored = JSON.stringify(state);
    },
  };
}
