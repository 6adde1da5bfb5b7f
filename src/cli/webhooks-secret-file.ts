// `--secret-file`: the webhook secret is shown once by Vipps (vipps-protocol.md §2), so it goes either to the
// operator's terminal or to a file only the owner can read. The file is created before registering, so a path
// that already exists is refused before a registration whose secret would have nowhere to go is made.
import { open, rm, type FileHandle } from 'node:fs/promises';

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
