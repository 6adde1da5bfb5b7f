import { FINAL_STATES, type FinalState, type Session, type SessionState } from './types';

export function isFinalState(state: SessionState): state is FinalState {
  return (FINAL_STATES as readonly SessionState[]).includes(state);
}

/** The lane's one active session is any session that has not ended. */
export function isActive(session: Pick<Session, 'state'>): boolean {
  return !isFinalState(session.state);
}
