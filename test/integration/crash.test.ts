// Crash test (issue 2): a gateway child process receives signed check-ins from concurrent clients and is
// killed with SIGKILL at a random moment. After a restart, every request that got a 2xx has its job in the
// queue, exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { openEmbeddedStore } from '../../src/store/open-embedded';
import { checkinDedupKey } from '../../src/intake/dedup-keys';
import { checkinPayload, signedRequest } from '../support/signed-request';
import { runCliProcess, startGatewayProcess, type GatewayProcess } from '../support/gateway-process';

const SECRET = 'crash-test-webhook-secret';
const CLIENTS = 8;
const PUBLIC_URL = new URL('https://pay.example.com/webhooks/vipps');

describe('crash safety of intake', () => {
  let dataDir: string;
  let gateway: GatewayProcess | undefined;

  beforeEach(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'cg-crash-'));
  });
  afterEach(async () => {
    await gateway?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged check-in exactly once across a SIGKILL at a random moment', async () => {
    const env = {
      DATA_DIR: dataDir,
      // Both ports allocated by the OS, so a sandbox running on this machine (8080/7070) cannot collide.
      PORT: '0',
      EMULATOR_PORT: '0',
      LANES_FILE: 'lanes.yaml',
      VIPPS_WEBHOOK_SECRETS: SECRET,
      // As behind a TLS-terminating proxy: Vipps signs the public URL, requests arrive on the local port.
      PUBLIC_WEBHOOK_URL: PUBLIC_URL.href,
      INTAKE_FAILED_AUTH_LIMIT_PER_MIN: '1000',
    };
    gateway = await startGatewayProcess('serve', env);
    const local = new URL(`${gateway.url}/webhooks/vipps`);
    // Kill after a random number of acknowledgements, so the kill lands at an arbitrary point of some
    // in-flight requests' enqueue.
    const killAfter = 20 + Math.floor(Math.random() * 60);
    const acknowledged: string[] = [];
    let sent = 0;
    let killed: Promise<unknown> | undefined;

    const client = async (): Promise<void> => {
      while (!killed) {
        const body = checkinPayload({
          merchantQrId: 'vend-oslo-1',
          customerToken: `tok-${randomUUID()}`,
          initiatedAt: new Date().toISOString(),
        });
        const req = signedRequest({ url: PUBLIC_URL, secret: SECRET, body, date: new Date() });
        sent++;
        try {
          const res = await fetch(new URL(req.path, local), {
            method: 'POST',
            headers: req.headers,
            body: req.body,
          });
          if (res.status === 202) acknowledged.push(checkinDedupKey(body));
          else if (res.status !== 200) throw new Error(`unexpected status ${res.status}`);
        } catch (err) {
          if (!killed) throw err;
          return; // connection cut by the kill: this request was never acknowledged
        }
        if (acknowledged.length >= killAfter && !killed) killed = gateway!.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    await killed;
    expect(acknowledged.length).toBeGreaterThanOrEqual(killAfter);
    expect(sent).toBeGreaterThan(acknowledged.length - 1);

    // Restart on the same directory: the stale lock of the killed process is taken over.
    gateway = await startGatewayProcess('serve', env);
    const stats = await runCliProcess(['queue', 'stats'], env);
    expect(stats.code).toBe(0);
    const depth = JSON.parse(stats.stdout) as { ready: number; dead: number };
    expect(depth.ready).toBeGreaterThanOrEqual(acknowledged.length);
    expect(depth.dead).toBe(0);
    await gateway.kill('SIGTERM');
    gateway = undefined;

    const store = await openEmbeddedStore(dataDir);
    try {
      const { rows } = await store.db.query<{ dedup_key: string; n: string }>(
        "SELECT dedup_key, count(*) AS n FROM jobs WHERE type = 'checkin' GROUP BY dedup_key",
      );
      const counts = new Map(rows.map((r) => [r.dedup_key, Number(r.n)]));
      const missing = acknowledged.filter((k) => counts.get(k) !== 1);
      expect(missing).toEqual([]);
      expect(rows.length).toBe(depth.ready);
    } finally {
      await store.close();
    }
  }, 180_000);
});
