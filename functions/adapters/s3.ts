import { S3Client } from '@aws-sdk/client-s3';

export interface S3Config {
  region: string;
  /** Set for a local S3-protocol server (s3rver); unset on AWS. */
  endpoint?: string;
}

/**
 * One S3 client per container. Checksums only when required: s3rver would otherwise store the
 * SDK's checksum framing inside objects written from streams.
 */
export function createS3Client(config: S3Config): S3Client {
  return new S3Client({
    region: config.region,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    ...(config.endpoint
      ? {
          endpoint: config.endpoint,
          forcePathStyle: true,
          // Local servers accept any key; env credentials still win when present.
          credentials: {
            accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'S3RVER',
            secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'S3RVER',
          },
        }
      : {}),
  });
}
