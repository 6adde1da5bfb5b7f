// "Unknown queue" (issue 13): at start in the aws profile, each sqs lane's queue is asked for its attributes
// once, so a typo in a queue URL stops the start instead of leaving the lane's messages undelivered.
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { SqsSendClient } from '../channels/sqs-client';
import type { Lane } from './lane';
import { laneLabel } from './validate-lane';

const DOES_NOT_EXIST = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);

/**
 * One line per sqs lane whose queue SQS says does not exist. Any other failure (network,
 * credentials) is not counted here: the queue adapter's readiness check reports an unreachable SQS.
 */
export async function missingQueues(lanes: readonly Lane[], client: SqsSendClient): Promise<string[]> {
  const verdicts = new Map<string, Promise<string | undefined>>();
  const problems: string[] = [];
  for (const [index, lane] of lanes.entries()) {
    if (lane.controller.type !== 'sqs') continue;
    const { queueUrl } = lane.controller;
    let verdict = verdicts.get(queueUrl);
    if (!verdict) verdicts.set(queueUrl, (verdict = queueProblem(client, queueUrl)));
    const problem = await verdict;
    if (problem) problems.push(`${laneLabel(lane.id, index)}: controller.queueUrl: ${problem}`);
  }
  return problems;
}

async function queueProblem(client: SqsSendClient, queueUrl: string): Promise<string | undefined> {
  try {
    // FIFO-ness is already known from the name (SQS requires `.fifo` on FIFO queues; the channel checks it).
    await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
    return undefined;
  } catch (err) {
    if (DOES_NOT_EXIST.has((err as { name?: string }).name ?? '')) {
      return 'no such queue in this account and region: create it (FIFO) or fix the URL';
    }
    return undefined;
  }
}
