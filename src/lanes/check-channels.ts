// A lane whose controller channel cannot work (its webhook `secretEnv` unset, a queue that is not FIFO, …)
// used to pass `lanes check` and boot: the first customer's money was reserved and the machine never told
// (issue 13). These checks build each lane's channel the way the worker will and report every failure with
// the lane, the field and the fix.
import { ChannelConfigError } from '../channels/channel';
import { createSqsChannel } from '../channels/sqs-channel';
import { resolveWebhookSecret, type SecretLookup } from '../channels/webhook-secret';
import type { SqsSendClient } from '../channels/sqs-client';
import { missingQueues } from './check-queues';
import type { Lane } from './lane';
import type { ChannelCheck } from './lanes-holder';
import { laneLabel } from './validate-lane';

/** Builds (or fetches) the lane's channel; throws ChannelConfigError when it cannot work. */
export type ChannelBuild = (lane: Lane) => unknown;

// Keyed by string: the channel area adds codes (e.g. simulated_unavailable) without touching this file.
const FIELD: Readonly<Record<string, string | undefined>> = {
  webhook_secret_missing: 'controller.secretEnv',
  webhook_secret_invalid: 'controller.secretEnv',
  webhook_url_invalid: 'controller.url',
  sqs_queue_not_fifo: 'controller.queueUrl',
  sqs_client_missing: 'controller.type',
  simulated_unavailable: 'controller.type',
};

const FIX: Readonly<Record<string, string | undefined>> = {
  webhook_secret_missing: "set it in the environment of the gateway's worker (`work` or `all`)",
  sqs_client_missing: 'run the worker with QUEUE=sqs, or give the lane a webhook controller',
};

/** One line per lane whose channel `build` refuses, in file order. */
export function unusableChannels(lanes: readonly Lane[], build: ChannelBuild): string[] {
  const problems: string[] = [];
  lanes.forEach((lane, index) => {
    try {
      build(lane);
    } catch (err) {
      if (!(err instanceof ChannelConfigError)) throw err;
      const fix = FIX[err.code];
      problems.push(
        `${laneLabel(lane.id, index)}: ${FIELD[err.code] ?? 'controller'}: ${err.message}${fix ? `; ${fix}` : ''}`,
      );
    }
  });
  return problems;
}

// `lanes check` sends nothing: a client that is never called stands in for SQS.
const NO_SQS = { send: () => Promise.reject(new Error('lanes check sends nothing')) };

/**
 * What `lanes check` can know in the operator's environment without starting: every webhook lane's secret
 * variable is set and well-formed, every sqs lane's queue is FIFO. (URL form is part of the file's validation.)
 */
export function channelEnvironmentProblems(lanes: readonly Lane[], secrets: SecretLookup): string[] {
  return unusableChannels(lanes, (lane) => {
    const c = lane.controller;
    if (c.type === 'webhook') resolveWebhookSecret(c.secretEnv, secrets);
    if (c.type === 'sqs') createSqsChannel({ queueUrl: c.queueUrl, client: NO_SQS });
  });
}

/**
 * The start-up check (worker roles): every lane's channel as the worker's registry builds it, and in the aws
 * profile every sqs lane's queue exists.
 */
export function workingChannelsCheck(
  build: ChannelBuild,
  sqsClient: SqsSendClient | undefined,
): ChannelCheck {
  return async (lanes) => [
    ...unusableChannels(lanes, build),
    ...(sqsClient ? await missingQueues(lanes, sqsClient) : []),
  ];
}
