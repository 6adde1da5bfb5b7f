// A PGlite served over the Postgres wire protocol (@electric-sql/pglite-socket) on 127.0.0.1 that a test can
// take down and bring back on the same port and data: "the database is down" without a Postgres server.
// The socket server serves one connection at a time, so only one process (one pool) should use it.
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface StoppablePglite {
  /** postgres://… for DATABASE_URL; stays valid across stop()/start(). */
  readonly url: string;
  /** Closes the listener and every open connection: clients see the server go away. */
  stop(): Promise<void>;
  /** Listens again on the same port, on the same data. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startStoppablePglite(): Promise<StoppablePglite> {
  const pglite = await PGlite.create();
  let server: PGLiteSocketServer | undefined = new PGLiteSocketServer({
    db: pglite,
    host: '127.0.0.1',
    port: 0,
  });
  await server.start();
  const port = Number(server.getServerConn().split(':').pop());
  const stop = async (): Promise<void> => {
    const running = server;
    server = undefined;
    await running?.stop();
  };
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    stop,
    async start() {
      if (server) return;
      const next = new PGLiteSocketServer({ db: pglite, host: '127.0.0.1', port });
      await next.start();
      server = next;
    },
    async close() {
      await stop();
      await pglite.close();
    },
  };
}
