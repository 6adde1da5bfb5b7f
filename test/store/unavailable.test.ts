// Which failures mean "the store cannot be reached, retry later" (503) rather than a bug (500).
import { isStoreUnavailable } from '../../src/store/unavailable';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('isStoreUnavailable', () => {
  it.each([
    ['a refused connection', coded('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED')],
    ['a reset connection', coded('read ECONNRESET', 'ECONNRESET')],
    ['a server shutting down (57P01)', coded('terminating connection due to administrator command', '57P01')],
    ['a connection failure (class 08)', coded('connection failure', '08006')],
    ['too many connections (53300)', coded('sorry, too many clients already', '53300')],
    ['a lost connection (node-postgres)', new Error('Connection terminated unexpectedly')],
    ['a pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['a dead PGlite thread', new Error('the PGlite thread exited (code 1)')],
    [
      'every address refused (AggregateError)',
      new AggregateError([coded('connect ECONNREFUSED ::1:5432', 'ECONNREFUSED')], ''),
    ],
    ['a refusal wrapped in cause', new Error('query failed', { cause: coded('x', 'ECONNREFUSED') })],
  ])('%s: unavailable', (_what, err) => {
    expect(isStoreUnavailable(err)).toBe(true);
  });

  it.each([
    ['a unique violation', coded('duplicate key value violates unique constraint "t_pkey"', '23505')],
    ['a syntax error', coded('syntax error at or near "SELEC"', '42601')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an Error', 'ECONNREFUSED'],
    ['nothing', undefined],
  ])('%s: not unavailable', (_what, err) => {
    expect(isStoreUnavailable(err)).toBe(false);
  });
});
