import { VippsInvalidRequestError } from '../../src/vipps/errors';
import {
  deleteMerchantCallbackQr,
  getMerchantCallbackQr,
  listMerchantCallbackQrs,
  putMerchantCallbackQr,
} from '../../src/vipps/qr';
import { MSN } from './support/fixtures';

const qrBody = {
  merchantSerialNumber: MSN,
  merchantQrId: 'kiosk-1',
  locationDescription: 'Kiosk 1, platform 3',
  qrImageUrl: 'https://qr-generator.vipps.no/qr/v1/merchant-callback/kiosk-1.png',
  qrContent: 'https://qr.vipps.no/28/2/01/031/4712345678',
};

function data<T extends { parse: unknown }>(req: T): Omit<T, 'parse'> {
  const { parse: _parse, ...rest } = req;
  return rest;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VippsInvalidRequestError);
    return e as Error;
  }
  throw new Error('expected a VippsInvalidRequestError');
}

describe('QR merchant-callback request factories', () => {
  it('putMerchantCallbackQr PUTs the location description for the MSN', () => {
    expect(
      data(putMerchantCallbackQr({ msn: MSN, merchantQrId: 'kiosk-1', locationDescription: 'Kiosk 1' })),
    ).toEqual({
      operation: 'qr.put',
      method: 'PUT',
      path: '/qr/v1/merchant-callback/kiosk-1',
      msn: MSN,
      auth: 'bearer',
      body: { locationDescription: 'Kiosk 1' },
      expect: [200, 201, 204],
    });
  });

  it('putMerchantCallbackQr sends category only when set, and encodes the id', () => {
    const req = putMerchantCallbackQr({
      msn: MSN,
      merchantQrId: 'lane 1/a',
      locationDescription: 'Vending 1',
      category: 'VENDING',
    });
    expect(req.path).toBe('/qr/v1/merchant-callback/lane%201%2Fa');
    expect(req.body).toEqual({ locationDescription: 'Vending 1', category: 'VENDING' });
  });

  it('putMerchantCallbackQr refuses a description longer than 36 characters', () => {
    expect(
      thrown(() =>
        putMerchantCallbackQr({ msn: MSN, merchantQrId: 'k', locationDescription: 'x'.repeat(37) }),
      ).message,
    ).toBe('Vipps qr.put: locationDescription must be 1-36 characters');
  });

  it('getMerchantCallbackQr asks for the image format and size as query parameters', () => {
    const req = getMerchantCallbackQr({ msn: MSN, merchantQrId: 'kiosk-1', format: 'PNG', size: 600 });
    expect(data(req)).toEqual({
      operation: 'qr.get',
      method: 'GET',
      path: '/qr/v1/merchant-callback/kiosk-1',
      query: { QrImageFormat: 'PNG', QrImageSize: '600' },
      msn: MSN,
      auth: 'bearer',
      expect: [200],
    });
    expect(req.parse(200, { ...qrBody, extra: 1 })).toEqual(qrBody);
    expect(() => req.parse(200, { ...qrBody, qrContent: undefined })).toThrow(
      'body.qrContent must be a non-empty string',
    );
  });

  it('getMerchantCallbackQr sends no query when no format is asked for', () => {
    expect(getMerchantCallbackQr({ msn: MSN, merchantQrId: 'kiosk-1' }).query).toEqual({});
    expect(getMerchantCallbackQr({ msn: MSN, merchantQrId: 'kiosk-1', format: 'SVG' }).query).toEqual({
      QrImageFormat: 'SVG',
    });
  });

  it.each([
    [{ format: 'PNG' as const, size: 99 }, 'Vipps qr.get: size must be an integer from 100 to 2000'],
    [{ format: 'PNG' as const, size: 2001 }, 'Vipps qr.get: size must be an integer from 100 to 2000'],
    [{ format: 'SVG' as const, size: 600 }, 'Vipps qr.get: size must be used with format PNG only'],
    [{ format: 'JPG' as 'PNG' }, 'Vipps qr.get: format must be PNG or SVG'],
  ])('getMerchantCallbackQr refuses %j', (options, message) => {
    expect(
      thrown(() => getMerchantCallbackQr({ msn: MSN, merchantQrId: 'kiosk-1', ...options })).message,
    ).toBe(message);
  });

  it('listMerchantCallbackQrs lists all codes of the MSN', () => {
    const req = listMerchantCallbackQrs({ msn: MSN, format: 'SVG' });
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/qr/v1/merchant-callback');
    expect(req.query).toEqual({ QrImageFormat: 'SVG' });
    expect(req.msn).toBe(MSN);
    expect(req.parse(200, [qrBody])).toEqual([qrBody]);
    expect(() => req.parse(200, { codes: [] })).toThrow('body must be an array');
  });

  it('deleteMerchantCallbackQr DELETEs the code', () => {
    expect(data(deleteMerchantCallbackQr({ msn: MSN, merchantQrId: 'kiosk-1' }))).toEqual({
      operation: 'qr.delete',
      method: 'DELETE',
      path: '/qr/v1/merchant-callback/kiosk-1',
      msn: MSN,
      auth: 'bearer',
      expect: [200, 204],
    });
    expect(thrown(() => deleteMerchantCallbackQr({ msn: MSN, merchantQrId: '' })).message).toBe(
      'Vipps qr.delete: merchantQrId must be a non-empty id',
    );
  });
});
