import { describe, expect, it } from 'vitest';
import { buildDeployment, handlerSource, presentFunctions } from '../../../infra/deploy/serverless-vars.ts';

describe('presentFunctions', () => {
  const definitions = {
    ingest: { handler: 'functions/ingest/handler.handler', timeout: 300 },
    lifecycle: { handler: 'functions/lifecycle/handler.handler' },
  };

  it('maps a handler to its TypeScript source', () => {
    expect(handlerSource('functions/ingest/handler.handler')).toBe('functions/ingest/handler.ts');
  });

  it('keeps the functions whose handler exists', () => {
    expect(presentFunctions(definitions, (file) => file === 'functions/ingest/handler.ts')).toEqual({
      ingest: definitions.ingest,
    });
    expect(Object.keys(presentFunctions(definitions, () => true))).toEqual(['ingest', 'lifecycle']);
  });

  it('finds the real ingest handler in this checkout', () => {
    expect(Object.keys(presentFunctions({ ingest: definitions.ingest }))).toEqual(['ingest']);
  });
});

describe('buildDeployment', () => {
  it('sets the condition flags from the parameters', () => {
    expect(
      buildDeployment({
        kafkaSource: 'none',
        opensearchEndpoint: 'http://127.0.0.1:9200',
        opensearchAuth: 'none',
      }).flags,
    ).toEqual({
      hasKafkaSource: 'false',
      inVpc: 'false',
    });
    expect(
      buildDeployment({
        kafkaSource: 'msk',
        topics: 'a',
        mskClusterArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/c/u-1',
        vpcSubnetIds: 'subnet-0a',
        vpcSecurityGroupIds: 'sg-0b',
        opensearchEndpoint: 'https://search-logs-abc123.us-east-1.es.amazonaws.com',
        opensearchResourceArn: 'arn:aws:es:us-east-1:123456789012:domain/logs',
      }).flags,
    ).toEqual({ hasKafkaSource: 'true', inVpc: 'true' });
  });
});
