import { checkinDedupKey, epaymentDedupKey } from '../../src/intake/dedup-keys';

// Expected values computed independently with coreutils, e.g.
//   printf '%s' '123456|lane-1|2023-10-06T10:45:40.3061965Z|tok+/=' | sha256sum
describe('dedup keys', () => {
  const checkin = {
    msn: '123456',
    merchantQrId: 'lane-1',
    initiatedAt: '2023-10-06T10:45:40.3061965Z',
    customerToken: 'tok+/=',
  };

  it('derives the check-in key from msn|merchantQrId|initiatedAt|customerToken without exposing the token', () => {
    const key = checkinDedupKey(checkin);
    expect(key).toBe('checkin:3ab2bbefa9f05e620a87f498e2417b8b4d6ad956df87194033926e0304b9cf74');
    expect(key).not.toContain('tok+/=');
  });

  it('gives a different key for another customer scanning the same QR at the same instant', () => {
    expect(checkinDedupKey({ ...checkin, customerToken: 'other' })).not.toBe(checkinDedupKey(checkin));
  });

  it('derives the ePayment key from reference|name|pspReference', () => {
    const e = {
      msn: '123456',
      reference: 'lane-1-abcdef12',
      pspReference: '7686f7788898767977',
      name: 'AUTHORIZED' as const,
      amount: { currency: 'NOK', value: 4900 },
      timestamp: '2023-10-06T10:46:02.123Z',
      success: true,
    };
    expect(epaymentDedupKey(e)).toBe(
      'epayment:1b33915f3c956b61ad186ac3c9c6c357a18d3248ffcbef7ef3b110130918f28f',
    );
    expect(epaymentDedupKey({ ...e, name: 'CAPTURED' })).not.toBe(epaymentDedupKey(e));
  });
});
