// One SQS client factory for the controller-queue channel and (later) the SQS queue adapter, so both get the
// same region, endpoint override (LocalStack/fauxqs) and SDK retry settings.
import { SQSClient, type SQSClientConfig } from '@aws-sdk/client-sqs';

export interface SqsClientOptions {
  readonly region: string;
  /** e.g. AWS_ENDPOINT_URL_SQS for an emulator; unset for AWS. */
  readonly endpoint?: string | undefined;
  /** Static credentials (emulators, tests); unset = the SDK's default provider chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** SDK attempts per call, first included (the SDK backs off between them). Default 3. */
  readonly maxAttempts?: number;
}

/** The part of SQSClient the channels use; the real client satisfies it. */
export type SqsSendClient = Pick<SQSClient, 'send'>;

export function createSqsClient(options: SqsClientOptions): SQSClient {
  const config: SQSClientConfig = { region: options.region, maxAttempts: options.maxAttempts ?? 3 };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = { ...options.credentials };
  return new SQSClient(config);
}
