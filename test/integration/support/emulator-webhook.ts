// Registers a webhook with a running Vipps emulator over its Webhooks API (vipps-protocol.md §2), as an operator
// would with `checkin-gateway webhooks register`, and returns the secret Vipps signs deliveries with.
import { DEFAULT_WEBHOOK_EVENTS } from '../../../src/vipps/webhook-events';

async function accessToken(emulatorUrl: string): Promise<string> {
  // The emulator issues a token for any credentials.
  const res = await fetch(`${emulatorUrl}/accesstoken/get`, {
    method: 'POST',
    headers: { client_id: 'it', client_secret: 'it', 'Ocp-Apim-Subscription-Key': 'it' },
  });
  if (res.status !== 200) throw new Error(`access token answered ${res.status}`);
  return ((await res.json()) as { access_token: string }).access_token;
}

export async function registerEmulatorWebhook(
  emulatorUrl: string,
  msn: string,
  url: string,
): Promise<string> {
  const res = await fetch(`${emulatorUrl}/webhooks/v1/webhooks`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${await accessToken(emulatorUrl)}`,
      'Ocp-Apim-Subscription-Key': 'it',
      'Merchant-Serial-Number': msn,
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ url, events: [...DEFAULT_WEBHOOK_EVENTS] }),
  });
  if (res.status !== 201) throw new Error(`webhook registration answered ${res.status}: ${await res.text()}`);
  return ((await res.json()) as { secret: string }).secret;
}
