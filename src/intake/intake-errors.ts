// Intake could not make the event durable. Answered 503 so Vipps retries (vipps-protocol.md §1.5): the event is
// not lost, and retrying later is exactly what is wanted while the queue or store is down.
export type IntakeUnavailableCode = 'queue_unavailable' | 'store_unavailable';

export class IntakeUnavailableError extends Error {
  readonly status = 503;
  readonly retryable = true;
  constructor(
    readonly code: IntakeUnavailableCode,
    cause: unknown,
  ) {
    super(
      code === 'queue_unavailable' ? 'the queue did not accept the job' : 'the store could not be reached',
      {
        cause,
      },
    );
    this.name = 'IntakeUnavailableError';
  }
}

/** Runs fn and rethrows any failure as an IntakeUnavailableError with the given code. */
export async function orUnavailable<T>(code: IntakeUnavailableCode, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw new IntakeUnavailableError(code, err);
  }
}
