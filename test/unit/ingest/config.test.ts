import { describe, expect, it } from 'vitest';
import { readIngestSettings } from '../../../functions/ingest/config.ts';

const base = {
  OPENSEARCH_ENDPOINT: 'https://search-logs.eu-west-1.es.amazonaws.com',
  DEAD_LETTER_BUCKET: 'dl',
};

describe('ingest settings from the environment', () => {
  it('defaults: SigV4 for the `es` service, 5 MiB bodies sent in 1 MiB early chunks, report unfinished', () => {
    const s = readIngestSettings(base);
    expect(s.opensearch).toMatchObject({ auth: 'sigv4', service: 'es', tlsVerify: true });
    expect(s.bulk).toMatchObject({
      maxChunkBytes: 5 * 1024 * 1024,
      streamChunkBytes: 1024 * 1024,
      concurrency: 2,
    });
    expect(s.deadLetters).toEqual({ bucket: 'dl', prefix: 'dead-letters/', sse: 'AES256' });
    expect(s.onUnfinished).toBe('report');
  });

  it('a Serverless collection endpoint signs for `aoss`', () => {
    const s = readIngestSettings({
      ...base,
      OPENSEARCH_ENDPOINT: 'https://abc123.us-east-1.aoss.amazonaws.com',
    });
    expect(s.opensearch.service).toBe('aoss');
  });

  it.each([
    [{ OPENSEARCH_ENDPOINT: undefined }, 'OPENSEARCH_ENDPOINT is required but not set'],
    [{ DEAD_LETTER_BUCKET: undefined }, 'DEAD_LETTER_BUCKET is required but not set'],
    [{ BULK_MAX_BYTES: '1000' }, 'BULK_MAX_BYTES="1000" is not valid: expected a whole number from 65536'],
    [{ BULK_STREAM_BYTES: 'lots' }, 'BULK_STREAM_BYTES="lots" is not valid'],
    [{ ON_UNFINISHED: 'ignore' }, 'ON_UNFINISHED="ignore" is not valid: expected one of report, throw'],
    [{ OPENSEARCH_AUTH: 'iam' }, 'OPENSEARCH_AUTH="iam" is not valid: expected one of none, sigv4, basic'],
  ])('%j is refused at cold start naming the key: %s', (override, message) => {
    expect(() => readIngestSettings({ ...base, ...override })).toThrow(message);
  });
});
