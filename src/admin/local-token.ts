// The local admin token: `DATA_DIR/admin-token` (mode 0600), which the CLI on the same host reads, so
// `queue stats`, `lanes status`, … work with no set-up. It is KEPT across restarts rather than rotated at each
// start: several `serve` processes may share one DATA_DIR (server store), and a CLI command that reads the
// file during a restart must still hold a valid token. A file that others can read is not trusted (the token
// may have leaked) and is replaced; deleting the file and restarting rotates the token.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const LOCAL_TOKEN_FILE = 'admin-token';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function localTokenPath(dataDir: string): string {
  return join(dataDir, LOCAL_TOKEN_FILE);
}

/** Owner-only: no group or other permission bits. */
function ownerOnly(mode: number): boolean {
  return (mode & 0o077) === 0;
}

/** Reads the token of `DATA_DIR/admin-token`; undefined when absent, malformed or readable by others. */
export async function readLocalToken(dataDir: string): Promise<string | undefined> {
  if (dataDir === 'memory://') return undefined;
  const path = localTokenPath(dataDir);
  try {
    const st = await stat(path);
    if (!st.isFile() || !ownerOnly(st.mode)) return undefined;
    const token = (await readFile(path, 'utf8')).trim();
    return TOKEN.test(token) ? token : undefined;
  } catch {
    return undefined;
  }
}

/** The gateway's local token: the existing file's, or a new random one written atomically with mode 0600. */
export async function ensureLocalToken(dataDir: string): Promise<string | undefined> {
  if (dataDir === 'memory://') return undefined;
  const existing = await readLocalToken(dataDir);
  if (existing) return existing;
  await mkdir(dataDir, { recursive: true });
  const token = randomBytes(32).toString('base64url');
  const path = localTokenPath(dataDir);
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  // Created 0600 from the start (never world-readable for an instant), then renamed over any old file.
  const file = await open(tmp, 'wx', 0o600);
  try {
    await file.writeFile(`${token}\n`);
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, path);
  return token;
}
