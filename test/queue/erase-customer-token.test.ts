import {
  eraseCustomerToken,
  eraseCustomerTokenInText,
  holdsCustomerToken,
} from '../../src/queue/erase-customer-token';

const TOKEN = 'wbA8ceVRKkoYiQAVELHeFCC3Sn5dtNCvvEtVPiOT77j6wx7uR965AG6Q+q0ATP4=';

describe('erasing customer tokens from what is kept', () => {
  it('replaces the token of a check-in payload, at any depth, with the marker', () => {
    const envelope = { v: 1, type: 'checkin', payload: { msn: '123456', customerToken: TOKEN } };
    expect(eraseCustomerToken(envelope)).toEqual({
      v: 1,
      type: 'checkin',
      payload: { msn: '123456', customerToken: null, customerTokenErased: true },
    });
    expect(eraseCustomerToken([{ customerToken: TOKEN }])).toEqual([
      { customerToken: null, customerTokenErased: true },
    ]);
    expect(envelope.payload.customerToken).toBe(TOKEN); // a copy: the caller's value is left alone
  });

  it('tells a token from an erased one', () => {
    expect(holdsCustomerToken({ a: { customerToken: TOKEN } })).toBe(true);
    expect(holdsCustomerToken({ customerToken: null, customerTokenErased: true })).toBe(false);
    expect(holdsCustomerToken({ sessionId: 's_1' })).toBe(false);
  });

  it('rewrites JSON text only when it holds a token, and leaves other text byte for byte', () => {
    const text = JSON.stringify({ payload: { customerToken: TOKEN, n: 1 } });
    expect(JSON.parse(eraseCustomerTokenInText(text))).toEqual({
      payload: { customerToken: null, customerTokenErased: true, n: 1 },
    });
    const plain = '{ "sessionId" : "s_1" }';
    expect(eraseCustomerTokenInText(plain)).toBe(plain);
  });

  it.each([
    ['a truncated body', `{"customerToken":"${TOKEN}","msn":"12`],
    ['an unterminated token', `{"msn":"123456","customerToken" : "${TOKEN.slice(0, 20)}`],
    ['an escaped quote inside the token', `{"customerToken":"ab\\"${TOKEN}", "x":`],
  ])('cuts the token out of text that is not JSON: %s', (_name, text) => {
    const kept = eraseCustomerTokenInText(text);
    expect(kept).not.toContain(TOKEN.slice(0, 20));
    expect(kept).toContain('"customerTokenErased": true');
  });
});
