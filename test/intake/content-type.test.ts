import { isJsonContentType } from '../../src/intake/content-type';

describe('isJsonContentType', () => {
  it.each([
    'application/json',
    'application/json; charset=utf-8',
    'Application/JSON;charset=UTF-8',
    'application/json; charset="utf-8"',
  ])('accepts %j', (value) => expect(isJsonContentType(value)).toBe(true));

  it.each([
    undefined,
    '',
    'text/plain',
    'application/jsonx',
    'application/x-www-form-urlencoded',
    'application/json; charset=iso-8859-1',
    'application/json; boundary=x',
    'application/json; charset',
  ])('rejects %j', (value) => expect(isJsonContentType(value)).toBe(false));
});
