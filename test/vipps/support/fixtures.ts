// Response bodies shaped like vipps-protocol.md §6.3/§6.4 examples.
const nok = (value: number) => ({ currency: 'NOK', value });

export function paymentBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    aggregate: {
      authorizedAmount: nok(4900),
      cancelledAmount: nok(0),
      capturedAmount: nok(0),
      refundedAmount: nok(0),
    },
    amount: nok(4900),
    state: 'AUTHORIZED',
    paymentMethod: { type: 'WALLET', cardBin: '540185' },
    profile: { sub: 'c06c4afe-d9e1-4c5d-939a-177d752a0944' },
    pspReference: '53814d87-cd4f-41f0-9bbe-a7a1f7c4b4ac',
    reference: 'kiosk1-20231006-104540-a1b2',
    metadata: null,
    ...overrides,
  };
}

export function modificationBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount: nok(4900),
    state: 'AUTHORIZED',
    aggregate: {
      authorizedAmount: nok(4900),
      cancelledAmount: nok(2400),
      capturedAmount: nok(2500),
      refundedAmount: nok(0),
    },
    pspReference: '8a7c5c3e-14b6-4c5b-a0f2-1f9f5e0c4b11',
    reference: 'kiosk1-20231006-104540-a1b2',
    ...overrides,
  };
}

export const REFERENCE = 'kiosk1-20231006-104540-a1b2';
export const MSN = '123456';
export const CUSTOMER_TOKEN = 'wbA8ceVRKkoYiQAVELHeFCC3Sn5dtNCvvEtVPiOT77j6wx7uR965AG6Q+q0ATP4=';
