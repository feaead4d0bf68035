// Files replaced in one step: written to a temporary file in the same directory, flushed
// to disk, then renamed over the target. A reader (the engine reloading certificates, a
// crash mid-write) sees the old file or the new one, never half of one.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface StagedFile {
  /** Where the content will be. */
  target: string;
  /** The flushed temporary file holding it. */
  staged: string;
}

/** Writes `data` to a new temporary file next to `target` and flushes it; nothing visible changes yet. */
export async function stageFile(target: string, data: string, mode: number): Promise<StagedFile> {
  const directory = dirname(target);
  await mkdir(directory, { recursive: true });
  const staged = join(directory, `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(staged, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
  try {
    await handle.writeFile(data);
    // Mode in open() is filtered by the umask; the key's mode must not depend on it.
    await handle.chmod(mode);
    await keepOwner(handle, target);
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(staged, { force: true });
    throw error;
  }
  return { target, staged };
}

/** Makes the staged content visible at its target (atomic rename) and flushes the directory entry. */
export async function commitStagedFile(file: StagedFile): Promise<void> {
  await rename(file.staged, file.target);
  await syncDirectory(dirname(file.target));
}

export async function discardStagedFile(file: StagedFile): Promise<void> {
  await rm(file.staged, { force: true });
}

export async function writeFileAtomically(target: string, data: string, mode: number): Promise<void> {
  await commitStagedFile(await stageFile(target, data, mode));
}

/**
 * Keeps the current content of `file` as `copy` (a hard link: no second write, and the
 * inode the engine may still have open is untouched). False when `file` does not exist.
 */
export async function keepCopy(file: string, copy: string): Promise<boolean> {
  try {
    await stat(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await unlink(copy).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  await link(file, copy);
  return true;
}

/** A replaced file keeps its owner (e.g. root:vpop set by the installer) when we may set it. */
async function keepOwner(handle: FileHandle, target: string): Promise<void> {
  let current;
  try {
    current = await stat(target);
  } catch {
    return;
  }
  await handle.chown(current.uid, current.gid).catch(() => undefined);
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, constants.O_RDONLY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
