// A POP is draining while <stateDir>/draining exists: the SBC answers new INVITEs with
// 503 (the carrier tries the other POP of the pair) and calls in progress carry on.
// `vpop drain` creates the file; `vpop up` removes it when it starts, so a restart after
// a drain takes calls again. A file, not a signal, so the state survives a crash of the
// SBC and an operator can see it (`ls <stateDir>/draining`).
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function drainFlagPath(stateDir: string): string {
  return join(stateDir, 'draining');
}

export function startDraining(stateDir: string, now: Date = new Date()): void {
  writeFileSync(drainFlagPath(stateDir), `${now.toISOString()}\n`, { mode: 0o644 });
}

export function stopDraining(stateDir: string): void {
  rmSync(drainFlagPath(stateDir), { force: true });
}

/** One stat() per call: cheap next to the SIP transaction it guards. */
export function isDraining(stateDir: string): boolean {
  return existsSync(drainFlagPath(stateDir));
}
