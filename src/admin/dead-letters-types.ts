// What the dead-letter operations show and answer (issue 14). Types only: the service (dead-letters.ts), the
// JSON routes, the console and the CLI share them. Nothing here ever carries a customer token.

/**
 * intake: an event intake dropped or could not use (intake_dead_letters); job: a queue job given up on (the
 * postgres queue's dead rows); lane-message: a lane message the controller refused for good (outbox rows
 * set aside as failed).
 */
export type DeadLetterKind = 'intake' | 'job' | 'lane-message';
export const DEAD_LETTER_KINDS: readonly DeadLetterKind[] = ['intake', 'job', 'lane-message'];

/** open: waiting for an operator; the others: what an operator did (dead_letter_resolutions). */
export type DeadLetterState = 'open' | 'replayed' | 'stale' | 'discarded';
export const DEAD_LETTER_STATES: readonly DeadLetterState[] = ['open', 'replayed', 'stale', 'discarded'];

export interface DeadLetter {
  /** `intake-<n>`, `job-<n>` (`job-sqs-<MessageId>` with the SQS queue) or `lane-message-<message id>`. */
  readonly id: string;
  readonly kind: DeadLetterKind;
  /** When it became a dead letter (received, died, set aside), ISO. */
  readonly at: string;
  /** Why: the intake drop reason, the job's last error, the channel's last error. */
  readonly reason: string;
  readonly detail: string | null;
  readonly laneId: string | null;
  /** Vipps event type (intake), job type (job) or lane message type (lane-message). */
  readonly eventType: string | null;
  /** The QR a check-in was scanned at (an unknown QR shows which one to add to the lanes file). */
  readonly qr: { readonly msn: string; readonly merchantQrId: string } | null;
  /** Deliveries made before it was given up (job, lane-message). */
  readonly attempts: number | null;
  readonly state: DeadLetterState;
  readonly resolvedAt: string | null;
  readonly resolvedBy: string | null;
  /** A dropped check-in whose customer token can still pay when replayed before this time; null otherwise. */
  readonly replayableUntil: string | null;
}

export interface DeadLetterQuery {
  readonly kind?: DeadLetterKind | undefined;
  readonly laneId?: string | undefined;
  /** Default `open`; `all` lists every state. */
  readonly state?: DeadLetterState | 'all' | undefined;
  /** Default 50, at most 500. */
  readonly limit?: number | undefined;
  /** The `nextCursor` of the previous page. */
  readonly cursor?: string | undefined;
}

export interface DeadLetterPage {
  /** Newest first. */
  readonly deadLetters: DeadLetter[];
  /** Pass as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
  /**
   * Set (true) only with the SQS queue, when its FIFO dead-letter queue may hold dead jobs this page could not
   * see: a lane's later dead jobs stay hidden behind its oldest one until that is replayed or discarded.
   */
  readonly partial?: boolean;
}

/** Open dead letters per kind (checkin_dead_letters{kind}). */
export type DeadLetterCounts = Record<DeadLetterKind, number>;

/**
 * replayed: queued again (a new job, the dead job ready again, the message due again); duplicate: the same
 * event was already queued (dedup key), nothing new; stale: the check-in's token expired or was erased, or
 * intake found it too old: recorded, nothing queued; still_dropped: intake drops it again (`reason`: the lane
 * is still unknown or disabled), the letter stays open; not_replayable: a body intake could not parse.
 */
export type ReplayOutcome =
  | 'replayed'
  | 'duplicate'
  | 'stale'
  | 'still_dropped'
  | 'not_replayable'
  | 'not_found'
  | 'already_replayed'
  | 'already_stale'
  | 'already_discarded';

export type DiscardOutcome =
  'discarded' | 'not_found' | 'already_replayed' | 'already_stale' | 'already_discarded';

export interface ActionResult<O extends string> {
  readonly id: string;
  readonly outcome: O;
  /** still_dropped: intake's drop reason. */
  readonly reason?: string;
  /** replayed: the job queued (intake) or requeued (job). */
  readonly jobId?: string;
  /** already_*: when and by whom it was resolved. */
  readonly resolvedAt?: string;
  readonly resolvedBy?: string;
}

export type ReplayResult = ActionResult<ReplayOutcome>;
export type DiscardResult = ActionResult<DiscardOutcome>;
