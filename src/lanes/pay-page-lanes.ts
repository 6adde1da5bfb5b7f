// A redirect-qr lane's sticker opens PUBLIC_BASE_URL/pay/{laneId} (src/pay/). Outside the sandbox, where
// PUBLIC_BASE_URL has no default, a gateway without it serves no pay page and every such sticker leads nowhere:
// the start, a lanes reload and `lanes check` refuse those lanes, one line each (issue 16).
import { lanePairings, type Lane } from './lane';

/** One line per redirect-qr lane when nothing tells customers' phones where the gateway is. */
export function lanesWithoutPayPage(
  lanes: readonly Pick<Lane, 'id' | 'pairings'>[],
  publicBaseUrlKnown: boolean,
): string[] {
  if (publicBaseUrlKnown) return [];
  return lanes
    .filter((l) => lanePairings(l).includes('redirect-qr'))
    .map(
      (l) =>
        `lane "${l.id}": offers redirect-qr, whose sticker opens PUBLIC_BASE_URL/pay/${l.id}; set ` +
        "PUBLIC_BASE_URL (the https URL customers' phones reach this gateway at) or drop redirect-qr",
    );
}

export class PayPageConfigError extends Error {
  override readonly name = 'PayPageConfigError';
  readonly code = 'PUBLIC_BASE_URL_MISSING';
  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/** Throws PayPageConfigError when a redirect-qr lane has no page to open. */
export function assertPayPageAvailable(
  lanes: readonly Pick<Lane, 'id' | 'pairings'>[],
  publicBaseUrlKnown: boolean,
): void {
  const problems = lanesWithoutPayPage(lanes, publicBaseUrlKnown);
  if (problems.length > 0) throw new PayPageConfigError(problems);
}
