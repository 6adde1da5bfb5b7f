import {
  chainsByGroup,
  parseEnvelope,
  parseTimerEnvelope,
  timerDelaySeconds,
  toJob,
  visibilitySeconds,
} from '../../src/queue/sqs-envelope';

describe('sqs envelope', () => {
  it('rounds a timer delay up to whole seconds and caps it at 15 minutes', () => {
    expect(timerDelaySeconds(10_001, 10_000)).toBe(1);
    expect(timerDelaySeconds(12_000, 10_000)).toBe(2);
    expect(timerDelaySeconds(9_000, 10_000)).toBe(0);
    expect(timerDelaySeconds(10_000 + 11 * 60_000, 10_000)).toBe(660);
    expect(timerDelaySeconds(10_000 + 30 * 60_000, 10_000)).toBe(900);
  });

  it('turns a retry delay into a visibility timeout of whole seconds, at most 12 hours', () => {
    expect(visibilitySeconds(0)).toBe(0);
    expect(visibilitySeconds(1_500)).toBe(2);
    expect(visibilitySeconds(300_000)).toBe(300);
    expect(visibilitySeconds(48 * 3600_000)).toBe(43_200);
  });

  it('parses its own bodies and refuses foreign ones', () => {
    const body = { v: 1, group: 'g', type: 't', dedupKey: 'k', payload: { a: 1 }, enqueuedAt: 5 };
    expect(parseEnvelope(JSON.stringify(body))).toEqual(body);
    expect(parseTimerEnvelope(JSON.stringify({ ...body, dueAt: 9 }))).toEqual({ ...body, dueAt: 9 });
    expect(parseTimerEnvelope(JSON.stringify(body))).toBeNull();
    expect(parseEnvelope('not json')).toBeNull();
    expect(parseEnvelope(JSON.stringify({ ...body, v: 2 }))).toBeNull();
    expect(parseEnvelope(JSON.stringify({ ...body, group: 7 }))).toBeNull();
    expect(parseEnvelope(undefined)).toBeNull();
  });

  it('takes the attempt from ApproximateReceiveCount', () => {
    const envelope = { v: 1 as const, group: 'g', type: 't', dedupKey: 'k', payload: null, enqueuedAt: 5 };
    const job = toJob({ MessageId: 'm', Attributes: { ApproximateReceiveCount: '3' } }, envelope);
    expect(job).toEqual({
      id: 'm',
      group: 'g',
      type: 't',
      dedupKey: 'k',
      payload: null,
      attempt: 3,
      enqueuedAt: new Date(5),
    });
  });

  it('groups a batch into one chain per lane, keeping the order within each', () => {
    const m = (id: string, group: string) => ({ MessageId: id, Attributes: { MessageGroupId: group } });
    const chains = chainsByGroup([m('1', 'A'), m('2', 'B'), m('3', 'A')]);
    expect(chains.map((c) => c.map((x) => x.MessageId))).toEqual([['1', '3'], ['2']]);
  });
});
