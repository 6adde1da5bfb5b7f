// Builds the dead-letter and outbox operations from the admin services' parts (src/main.ts calls it once
// when it starts the admin listener): the two services (the console uses them too), their /admin/v1 routers,
// and the sweep that erases expired customer tokens from dead letters.
import type { Router } from 'express';
import { createDeadLetterService, type DeadLetterService } from './dead-letters';
import { deadLettersRoutes } from './dead-letters-routes';
import { startDeadLetterTokenSweep } from './dead-letters-token-sweep';
import { createOutboxService, type OutboxService } from './outbox';
import { outboxRoutes } from './outbox-routes';
import type { AdminDeps } from './services';

export interface DeadLetterOps {
  readonly deadLetters: DeadLetterService;
  readonly outbox: OutboxService;
  /** Mount under the operator check (createAdminApp's adminRouters). */
  readonly routers: Router[];
  /** Stops the token sweep. */
  close(): void;
}

export function createDeadLetterOps(
  deps: Pick<AdminDeps, 'db' | 'queue' | 'lanes' | 'clock' | 'logger' | 'metrics' | 'config'>,
  /** Wakes the in-process outbox dispatcher; absent when this process runs no worker. */
  wakeOutbox?: () => void,
): DeadLetterOps {
  const { db, clock, logger, metrics } = deps;
  const audit = { db, clock, logger, metrics };
  const wake = wakeOutbox ? { wakeOutbox } : {};
  const deadLetters = createDeadLetterService({
    db,
    clock,
    lanes: deps.lanes,
    queue: deps.queue,
    checkinMaxAgeS: deps.config.checkinMaxAgeS,
    // As intake resolves them: references carry the lane's key (src/sessions/ids.ts).
    resolveReference: (reference) => Promise.resolve(deps.lanes().laneIdForReference(reference)),
    audit,
    ...wake,
  });
  const outbox = createOutboxService({ db, clock, lanes: deps.lanes, audit, ...wake });
  const sweep = startDeadLetterTokenSweep({ db, clock, logger });
  return {
    deadLetters,
    outbox,
    routers: [deadLettersRoutes(deadLetters), outboxRoutes(outbox)],
    close: () => sweep.stop(),
  };
}
