// rtpengine's recording spool (--recording-dir with --recording-method=pcap): one
// pcaps/<call-id>-<16 hex>.pcap per recorded span and a metadata file per span in tmp/
// (while open) or metadata/ (once closed). rtpengine writes the call-id percent-encoded:
// every byte outside A-Z a-z 0-9 . _ ~ - becomes %XX (checked against 10.5).
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

export function spoolCallIdName(callId: string): string {
  let name = '';
  for (const byte of Buffer.from(callId, 'utf8')) {
    const char = String.fromCharCode(byte);
    name += /[A-Za-z0-9._~-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return name;
}

export interface SpoolFiles {
  /** The call's pcap segments. */
  pcaps: string[];
  /** rtpengine's metadata files for them (they name the call and its pcaps). */
  metadata: string[];
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

export async function spoolFilesOf(spoolDir: string, callId: string): Promise<SpoolFiles> {
  const prefix = spoolCallIdName(callId);
  const segment = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{16}\\.pcap$`);
  const meta = new RegExp(`^rtpengine-meta-${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[0-9a-f]{16}\\.(txt|tmp)$`);
  const pcaps = (await listDir(join(spoolDir, 'pcaps'))).filter((name) => segment.test(name)).map((name) => join(spoolDir, 'pcaps', name));
  const metadata = [
    ...(await listDir(join(spoolDir, 'metadata'))).filter((name) => meta.test(name)).map((name) => join(spoolDir, 'metadata', name)),
    ...(await listDir(join(spoolDir, 'tmp'))).filter((name) => meta.test(name)).map((name) => join(spoolDir, 'tmp', name)),
  ];
  return { pcaps, metadata };
}

export async function removeSpoolFiles(files: SpoolFiles): Promise<void> {
  await Promise.all([...files.pcaps, ...files.metadata].map((file) => rm(file, { force: true })));
}
