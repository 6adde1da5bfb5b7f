// `--secret-file`: the webhook secret is shown once by Vipps (vipps-protocol.md §2), so it goes either to the
// operator's terminal or to a file only the owner can read. The file is created before registering, so a path
// that already exists is refused before a registration whose secret would have nowhere to go is made.
import { open, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface SecretFile {
  readonly path: string;
  write(secret: string): Promise<void>;
  /** Removes the still-empty file when the registration failed. */
  discard(): Promise<void>;
}

export class SecretFileExistsError extends Error {
  readonly code = 'SECRET_FILE_EXISTS';
  constructor(readonly path: string) {
    super(`${path} already exists: refusing to overwrite a secret file; choose a new path or remove it`);
    this.name = 'SecretFileExistsError';
  }
}

export async function createSecretFile(path: string): Promise<SecretFile> {
  let handle: FileHandle;
  try {
    // 'wx' fails on an existing path (and on a symlink planted there); 0o600 = owner read/write only.
    handle = await open(path, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new SecretFileExistsError(path);
    throw e;
  }
  return {
    path,
    async write(secret) {
      try {
        await handle.writeFile(`${secret}\n`, 'utf8');
      } finally {
        await handle.close();
      }
    },
    async discard() {
      await handle.close();
      await rm(path, { force: true });
    },
  };
}

/** One entry `webhooks … --apply` keeps in VIPPS_WEBHOOK_SECRETS_FILE. */
export interface AppliedSecret {
  readonly id: string;
  readonly kind: string;
  readonly msn: string;
  readonly secret: string;
}

const HEADER =
  '# Webhook secrets (VIPPS_WEBHOOK_SECRETS_FILE), one a line; the gateway re-reads this file when it changes.\n';
const marker = (id: string): string => `# webhook ${id} `;

/** Replaces the file in one rename (mode 0600), so the gateway never reads half of it. */
async function replaceFile(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.tmp`);
  await writeFile(tmp, text, { mode: 0o600, flag: 'wx' });
  try {
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

async function readOrEmpty(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return HEADER;
    throw e;
  }
}

/** Adds a secret with a `# webhook <id> kind=… msn=…` line before it, so it can be removed by id later. */
export async function addToSecretsFile(path: string, entry: AppliedSecret): Promise<void> {
  let text = await readOrEmpty(path);
  if (text !== '' && !text.endsWith('\n')) text += '\n';
  await replaceFile(path, `${text}${marker(entry.id)}kind=${entry.kind} msn=${entry.msn}\n${entry.secret}\n`);
}

/** Removes the secret added for registration `id`; false when the file has none for it. */
export async function removeFromSecretsFile(path: string, id: string): Promise<boolean> {
  const lines = (await readOrEmpty(path)).split('\n');
  const at = lines.findIndex((l) => l.startsWith(marker(id)));
  if (at === -1) return false;
  lines.splice(at, 2);
  await replaceFile(path, lines.join('\n'));
  return true;
}
