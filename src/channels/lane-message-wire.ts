// The bytes a controller receives, identical on every channel, so one schema (docs/lane-messages.schema.json)
// describes them all. Field order is fixed to keep signed payloads and logs easy to compare by eye.
import type { LaneMessage } from './channel';
import { LANE_MESSAGE_VERSION } from '../sessions/lane-message';

export interface WireLaneMessage {
  readonly v: number;
  readonly id: string;
  readonly type: string;
  readonly laneId: string;
  readonly sessionId: string;
  readonly at: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export function toWireMessage(message: LaneMessage): WireLaneMessage {
  return {
    v: message.v ?? LANE_MESSAGE_VERSION,
    id: message.id,
    type: message.type,
    laneId: message.laneId,
    sessionId: message.sessionId,
    at: message.at,
    data: message.data,
  };
}

export function serializeLaneMessage(message: LaneMessage): string {
  return JSON.stringify(toWireMessage(message));
}
