import { VippsInvalidRequestError } from '../../src/vipps/errors';
import { deleteWebhook, listWebhooks, registerWebhook } from '../../src/vipps/webhooks';
import { MSN } from './support/fixtures';

function data<T extends { parse: unknown }>(req: T): Omit<T, 'parse'> {
  const { parse: _parse, ...rest } = req;
  return rest;
}

const events = ['user.checked-in.v1', 'epayments.payment.authorized.v1'];

describe('Webhooks API request factories', () => {
  it('registerWebhook POSTs the url and events and returns the id and secret', () => {
    const req = registerWebhook({ msn: MSN, url: 'https://gw.example.com/webhooks/vipps', events });
    expect(data(req)).toEqual({
      operation: 'webhooks.register',
      method: 'POST',
      path: '/webhooks/v1/webhooks',
      msn: MSN,
      auth: 'bearer',
      body: { url: 'https://gw.example.com/webhooks/vipps', events },
      expect: [201],
    });
    const registration = {
      id: '7f1d1c5e-0ad4-4b59-9c4a-3c8c5a6f0f1e',
      secret: '090a478d-37ff-4e77-970e-d457aeb7ee9e',
    };
    expect(req.parse(201, registration)).toEqual(registration);
    expect(() => req.parse(201, { id: registration.id })).toThrow('body.secret must be a non-empty string');
  });

  it('a partner-wide registration carries no MSN', () => {
    expect('msn' in registerWebhook({ url: 'https://gw.example.com/hook', events })).toBe(false);
    expect('msn' in listWebhooks()).toBe(false);
  });

  it.each([
    [
      { url: 'gw.example.com/hook', events },
      'Vipps webhooks.register: url must be an absolute URL (https outside the sandbox)',
    ],
    [
      { url: 'https://gw.example.com/hook', events: [] },
      'Vipps webhooks.register: events must be a non-empty list of event names',
    ],
  ])('registerWebhook refuses %j', (input, message) => {
    expect(() => registerWebhook(input)).toThrow(VippsInvalidRequestError);
    expect(() => registerWebhook(input)).toThrow(message);
  });

  it('listWebhooks unwraps the webhooks array', () => {
    const req = listWebhooks({ msn: MSN });
    expect(data(req)).toEqual({
      operation: 'webhooks.list',
      method: 'GET',
      path: '/webhooks/v1/webhooks',
      msn: MSN,
      auth: 'bearer',
      expect: [200],
    });
    const hook = { id: 'a1', url: 'https://gw.example.com/hook', events };
    expect(req.parse(200, { webhooks: [hook] })).toEqual([hook]);
    expect(() => req.parse(200, [hook])).toThrow('body must be an object');
  });

  it('deleteWebhook DELETEs by id', () => {
    expect(data(deleteWebhook({ msn: MSN, id: '7f1d1c5e' }))).toEqual({
      operation: 'webhooks.delete',
      method: 'DELETE',
      path: '/webhooks/v1/webhooks/7f1d1c5e',
      msn: MSN,
      auth: 'bearer',
      expect: [204, 200],
    });
    expect(() => deleteWebhook({ id: '' })).toThrow('Vipps webhooks.delete: id must be a registration id');
  });
});
