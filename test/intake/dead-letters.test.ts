// intake_dead_letters keeps what Vipps signed, except a customer token (architecture §2).
import { keptBody, recordDeadLetter } from '../../src/intake/dead-letters';
import type { Database } from '../../src/store/sql';
import { openTestDatabase } from '../support/db';

const TOKEN = 'wbA8ceVRKkoYiQAVELHeFCC3Sn5dtNCvvEtVPiOT77j6wx7uR965AG6Q+q0ATP4=';

describe('intake dead letters', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openTestDatabase();
  });
  afterAll(async () => {
    await db.close();
  });

  it('stores a check-in with a bad field without its token; the raw row holds no trace of it', async () => {
    const body = { customerToken: TOKEN, merchantQrId: 'lane-1', msn: '123456', initiatedAt: 'soon' };
    await recordDeadLetter(db, {
      reason: 'unknown_shape',
      detail: 'user.checked-in.v1: initiatedAt must be an ISO-8601 date-time',
      contentType: 'application/json',
      rawBody: Buffer.from(JSON.stringify(body)),
    });
    const { rows } = await db.query<{ row: string; body: string }>(
      "SELECT d::text AS row, convert_from(raw_body, 'UTF8') AS body FROM intake_dead_letters d",
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.row).not.toContain(TOKEN);
    expect(rows[0]?.row).not.toContain(Buffer.from(TOKEN).toString('hex'));
    expect(JSON.parse(rows[0]?.body ?? '')).toEqual({
      ...body,
      customerToken: null,
      customerTokenErased: true,
    });
  });

  it('keeps every other body exactly, bytes that are not UTF-8 included', () => {
    for (const raw of [
      Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x7d]),
      Buffer.from('{"hello":"world"}'),
      Buffer.from('{"eventType":"recurring.charge-reserved.v1"}'),
    ])
      expect(keptBody(raw)).toBe(raw);
  });

  it('cuts a token out of a signed body that is not JSON', () => {
    const kept = keptBody(Buffer.from(`{"customerToken":"${TOKEN}","msn":`)).toString('utf8');
    expect(kept).toBe('{"customerToken":null, "customerTokenErased": true,"msn":');
  });
});
