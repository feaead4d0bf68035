// A key and its certificate, replaced together. Both new files are written and flushed
// first; then the old ones are kept as <file>.prev and the new ones renamed into place,
// key first. A reader between the two renames sees a key that does not match the
// certificate: the engine's reload refuses such a pair and keeps serving the old one,
// and watchCertificateFiles waits until the pair matches.
import { commitStagedFile, discardStagedFile, keepCopy, stageFile, type StagedFile } from './atomic-file-write.js';

export const PRIVATE_KEY_MODE = 0o600;
export const CERTIFICATE_MODE = 0o644;

export interface KeyAndCertificateFiles {
  certFile: string;
  keyFile: string;
}

export interface ReplacedFiles {
  /** The previous files, when there were any. */
  previous?: KeyAndCertificateFiles;
}

function previousFileOf(file: string): string {
  return `${file}.prev`;
}

export async function replaceKeyAndCertificate(
  files: KeyAndCertificateFiles,
  content: { certificatePem: string; privateKeyPem: string },
): Promise<ReplacedFiles> {
  const staged: StagedFile[] = [];
  try {
    staged.push(await stageFile(files.keyFile, content.privateKeyPem, PRIVATE_KEY_MODE));
    staged.push(await stageFile(files.certFile, content.certificatePem, CERTIFICATE_MODE));
  } catch (error) {
    await Promise.all(staged.map(discardStagedFile));
    throw error;
  }
  const previous = { certFile: previousFileOf(files.certFile), keyFile: previousFileOf(files.keyFile) };
  const keptKey = await keepCopy(files.keyFile, previous.keyFile);
  const keptCertificate = await keepCopy(files.certFile, previous.certFile);
  for (const file of staged) await commitStagedFile(file);
  return keptKey && keptCertificate ? { previous } : {};
}
