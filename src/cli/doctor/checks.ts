// The doctor's checks, in the order they print. One line adds one.
import type { DoctorCheck } from './check';
import { channelsCheck } from './check-channels';
import { configCheck } from './check-config';
import { lanesCheck } from './check-lanes';
import { qrCheck } from './check-qr';
import { vippsTokenCheck } from './check-vipps-token';
import { webhooksCheck } from './check-webhooks';

export const doctorChecks: readonly DoctorCheck[] = [
  configCheck,
  lanesCheck,
  channelsCheck,
  vippsTokenCheck,
  webhooksCheck,
  qrCheck,
];
