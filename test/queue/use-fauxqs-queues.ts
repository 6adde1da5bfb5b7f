// One fauxqs per describe block: started before its tests, closed at the end, the consumers a test started
// stopped after it, and a fresh set of queues (with an SqsQueue on them) per test.
import { systemClock } from '../../src/clock';
import { silentLogger } from '../../src/log';
import type { SqsJobConsumer } from '../../src/queue/sqs-job-consumer';
import { SqsQueue, type SqsQueueOptions } from '../../src/queue/sqs-queue';
import type { SqsQueueUrls, SqsSetupOptions } from '../../src/queue/sqs-setup';
import { type Fauxqs, startFauxqs } from './sqs-fauxqs';

export type FauxqsQueueSetup = Partial<SqsQueueOptions> & { setup?: SqsSetupOptions };

export interface FauxqsQueues {
  /** Consumers pushed here are stopped after each test. */
  readonly consumers: SqsJobConsumer[];
  /** New queues on fauxqs and an SqsQueue on them: system clock, silent logger, 1 s polls, `defaults`, `o`. */
  setup(o?: FauxqsQueueSetup): Promise<{ queue: SqsQueue; urls: SqsQueueUrls }>;
}

/** Registers the block's fauxqs hooks; `set` receives the started fauxqs. */
export function useFauxqsQueues(
  defaults: Pick<SqsQueueOptions, 'backoff'> & Partial<SqsQueueOptions>,
  set: (sqs: Fauxqs) => void,
): FauxqsQueues {
  let sqs: Fauxqs;
  const consumers: SqsJobConsumer[] = [];
  beforeAll(async () => {
    sqs = await startFauxqs();
    set(sqs);
  });
  afterEach(async () => {
    await Promise.all(consumers.splice(0).map((c) => c.stop()));
  });
  afterAll(async () => {
    await sqs.close();
  });

  async function setup(o: FauxqsQueueSetup = {}): Promise<{ queue: SqsQueue; urls: SqsQueueUrls }> {
    const { setup: setupOptions, ...rest } = o;
    const urls = await sqs.newQueues(setupOptions);
    const queue = new SqsQueue({
      client: sqs.client,
      ...urls,
      clock: systemClock,
      logger: silentLogger(),
      waitTimeSeconds: 1,
      ...defaults,
      ...rest,
    });
    return { queue, urls };
  }
  return { consumers, setup };
}
