// Picks and caches the channel for a lane's `controller` config. One channel per lane config: a lanes-file
// reload that changes a lane's controller gets a new channel, while an unchanged lane keeps its own. All
// channels of a registry share one serializer, so a lane stays in order even across such a swap.
import type { Clock } from '../clock';
import { registerSecret, type Logger } from '../log';
import type { ControllerChannel, Lane } from '../lanes/lane';
import { ChannelConfigError, type LaneChannel } from './channel';
import { createLaneSerializer } from './lane-serializer';
import { createLogChannel } from './log-channel';
import {
  createSimulatedChannel,
  isSimulatedLane,
  SIMULATED_UNAVAILABLE,
  type SimulatedReceiver,
} from './simulated-channel';
import { createSqsChannel } from './sqs-channel';
import type { SqsSendClient } from './sqs-client';
import { createWebhookChannel, type WebhookChannelOptions } from './webhook-channel';
import { resolveWebhookSecret, type SecretLookup } from './webhook-secret';

export interface ChannelDeps {
  readonly fetch: typeof fetch;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Reads the env var a webhook channel's `secretEnv` names (the composition root passes config's reader). */
  readonly secrets: SecretLookup;
  /** Required only if a lane uses `type: sqs` (build it with createSqsClient). */
  readonly sqsClient?: SqsSendClient;
  /**
   * The sandbox's simulated controller: lanes of type `simulated`, and lanes with no `controller` field, go
   * to it. Absent elsewhere; a `simulated` lane then fails with ChannelConfigError.
   */
  readonly simulated?: SimulatedReceiver;
  /** Tuning for webhook channels (timeouts, attempts, backoff). */
  readonly webhook?: Pick<
    WebhookChannelOptions,
    'timeoutMs' | 'maxAttempts' | 'backoff' | 'delay' | 'random'
  >;
}

export type ChannelLane = Pick<Lane, 'id' | 'controller'>;

export interface ChannelRegistry {
  /** Throws ChannelConfigError when the lane's controller config cannot work (missing secret, …). */
  channelFor(lane: ChannelLane): LaneChannel;
}

export function createChannelRegistry(deps: ChannelDeps): ChannelRegistry {
  const serializer = createLaneSerializer();
  const byLane = new Map<string, { readonly key: string; readonly channel: LaneChannel }>();

  function build(controller: ControllerChannel): LaneChannel {
    if (isSimulatedLane(controller, deps.simulated !== undefined)) {
      if (!deps.simulated) throw new ChannelConfigError('simulated_unavailable', SIMULATED_UNAVAILABLE);
      return createSimulatedChannel(deps.logger, deps.simulated);
    }
    switch (controller.type) {
      case 'simulated': // Taken above: a simulated lane never reaches here.
      case 'log':
        return createLogChannel(deps.logger);
      case 'webhook': {
        const secret = resolveWebhookSecret(controller.secretEnv, deps.secrets);
        registerSecret(secret);
        return createWebhookChannel({
          ...deps.webhook,
          url: controller.url,
          secret,
          fetch: deps.fetch,
          clock: deps.clock,
          logger: deps.logger,
          serializer,
        });
      }
      case 'sqs':
        if (!deps.sqsClient) {
          throw new ChannelConfigError(
            'sqs_client_missing',
            'a lane uses an sqs controller channel but no SQS client was configured (AWS_REGION / AWS_ENDPOINT_URL_SQS)',
          );
        }
        return createSqsChannel({ queueUrl: controller.queueUrl, client: deps.sqsClient, serializer });
    }
  }

  return {
    channelFor(lane) {
      const key = configKey(lane.controller);
      const cached = byLane.get(lane.id);
      if (cached && cached.key === key) return cached.channel;
      const channel = build(lane.controller);
      byLane.set(lane.id, { key, channel });
      return channel;
    },
  };
}

const registries = new WeakMap<ChannelDeps, ChannelRegistry>();

/** The channel for `lane`, cached per `deps` object and lane config (one registry per deps instance). */
export function createChannelFor(lane: ChannelLane, deps: ChannelDeps): LaneChannel {
  let registry = registries.get(deps);
  if (!registry) {
    registry = createChannelRegistry(deps);
    registries.set(deps, registry);
  }
  return registry.channelFor(lane);
}

function configKey(controller: ControllerChannel): string {
  switch (controller.type) {
    case 'log':
      return controller.implicit ? 'implicit' : 'log';
    case 'simulated':
      return 'simulated';
    case 'webhook':
      return JSON.stringify(['webhook', controller.url, controller.secretEnv]);
    case 'sqs':
      return JSON.stringify(['sqs', controller.queueUrl]);
  }
}
