// How a supervising process ends: on SIGINT, SIGTERM or SIGHUP it stops its children cleanly
// and exits 0; a second signal, or a crash of the supervisor itself, SIGKILLs the
// children at once so none is left orphaned.
import type { Logger } from '../logging/logger.js';

export interface ShutdownHooks {
  /** Graceful stop: children, then servers. */
  stop: () => Promise<void>;
  /** Synchronous last resort: SIGKILL every child. */
  killNow: () => void;
  logger: Logger;
}

export function shutdownOnSignals(hooks: ShutdownHooks): void {
  let shuttingDown = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (shuttingDown) {
      hooks.logger.warn({ signal }, 'second signal during shutdown; killing children now');
      hooks.killNow();
      process.exit(1);
    }
    shuttingDown = true;
    hooks.logger.info({ signal }, 'shutting down');
    hooks.stop().then(
      () => {
        hooks.logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        hooks.logger.error({ err: error }, 'shutdown failed; killing children');
        hooks.killNow();
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed terminal would otherwise kill us by signal, skipping 'exit' and orphaning children.
  process.on('SIGHUP', onSignal);
  process.on('exit', () => hooks.killNow());
  process.on('uncaughtException', (error) => {
    hooks.logger.fatal({ err: error }, 'supervisor crashed; killing children');
    hooks.killNow();
    process.exit(1);
  });
}
