// One pino base logger per process, one child per component, PII masked on the way in.
// Redaction is layered so a number is masked wherever it sits in a log line:
//  - hooks.logMethod: every argument (merge object, message, format arguments) goes
//    through redactValue before pino sees it; a formatted message is built first so
//    `%d`/`%s` arguments cannot slip a number past the mask;
//  - formatters.bindings: child bindings (e.g. a per-call logger) are redacted too;
//  - redact paths: identity fields at the top level and one level down are masked by
//    pino itself, a second line of defence for values that bypass the hook.
import { format } from 'node:util';
import { pino, type DestinationStream, type LevelWithSilent, type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';
import { maskIdentityField, PII_FIELD_NAMES, redactSipText, redactValue } from './redact-pii.js';

export type { Logger } from 'pino';

/** `json`: one JSON object per line (for jq, log shippers). `pretty`: a line a person reads. */
export type LogFormat = 'json' | 'pretty';

export interface LoggingOptions {
  level?: LevelWithSilent;
  /** A file path (appended to, created with its directory) or any stream with write(). */
  destination?: string | DestinationStream;
  /** Default json. `pretty` colours when `colour` is true (a terminal). */
  format?: LogFormat;
  colour?: boolean;
}

export interface ComponentLoggerOptions {
  /** This component's level; otherwise it follows the process level. */
  level?: LevelWithSilent;
}

function defaultLevel(): LevelWithSilent {
  const fromEnv = process.env.VPOP_LOG_LEVEL;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv as LevelWithSilent;
  // Library code logs from inside tests; keep test output readable unless asked.
  return process.env.VITEST !== undefined ? 'silent' : 'info';
}

/** Forwards to the configured destination, so loggers made before configureLogging follow it. */
class SwitchableDestination implements DestinationStream {
  target: DestinationStream = pino.destination({ fd: 1, sync: true });
  /** Turns one JSON record line into the human form; undefined writes JSON as it is. */
  prettify: ((line: string) => string) | undefined;
  write(line: string): void {
    this.target.write(this.prettify === undefined ? line : this.prettify(line));
  }
}

const destination = new SwitchableDestination();
let processLevel: LevelWithSilent = defaultLevel();

function redactArgs(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  if (typeof first === 'object' && first !== null) {
    const merge = redactValue(first);
    if (rest.length === 0) return [merge];
    return [merge, redactMessage(rest)];
  }
  return [redactMessage(args)];
}

function redactMessage(args: unknown[]): string {
  const [message, ...formatArgs] = args;
  if (formatArgs.length === 0) return redactSipText(typeof message === 'string' ? message : String(message));
  return redactSipText(format(message, ...formatArgs.map((arg) => redactValue(arg))));
}

const censorPaths = PII_FIELD_NAMES.flatMap((name) => [name, `*.${name}`]);

const base: Logger = pino({
  level: 'trace',
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: { paths: censorPaths, censor: (value: unknown) => maskIdentityField(value) },
  formatters: {
    level: (label) => ({ level: label }),
    bindings: (bindings) => redactValue(bindings) as Record<string, unknown>,
  },
  hooks: {
    logMethod(args, method) {
      let redacted: unknown[];
      try {
        redacted = redactArgs(args as unknown[]);
      } catch {
        // Fail closed: an unreadable argument is not logged at all.
        redacted = ['[log arguments could not be redacted]'];
      }
      method.apply(this, redacted as Parameters<typeof method>);
    },
  },
}, destination);

// Loggers that follow the process level, one per component name.
const components = new Map<string, Logger>();

/**
 * Configures the process's logging once, at startup (vpop up, vpop engine). Loggers
 * already handed out follow the new level and destination.
 */
export function configureLogging(options: LoggingOptions): void {
  if (options.destination !== undefined) {
    destination.target = typeof options.destination === 'string'
      ? pino.destination({ dest: options.destination, sync: true, mkdir: true, append: true })
      : options.destination;
  }
  if (options.format !== undefined) {
    destination.prettify = options.format === 'pretty'
      ? prettyFactory({
        colorize: options.colour ?? false, singleLine: true, translateTime: 'SYS:HH:MM:ss.l',
        ignore: 'pid,hostname,component', messageFormat: '{if component}[{component}] {end}{msg}',
      })
      : undefined;
  }
  if (options.level !== undefined) {
    processLevel = options.level;
    for (const logger of components.values()) logger.level = processLevel;
  }
}

/** A JSON logger for one component (`{"component": "<name>", ...}`), PII masked. */
export function componentLogger(component: string, options: ComponentLoggerOptions = {}): Logger {
  if (options.level !== undefined) {
    const own = base.child({ component });
    own.level = options.level;
    return own;
  }
  let logger = components.get(component);
  if (logger === undefined) {
    logger = base.child({ component });
    logger.level = processLevel;
    components.set(component, logger);
  }
  return logger;
}

/**
 * Writes a record another process of the POP already logged (and masked) through its own
 * componentLogger: the supervisor forwards its children's lines as records, one JSON
 * object per line, in the format this process writes. `line` is one JSON object, no newline.
 */
export function writeForwardedRecord(line: string): void {
  destination.write(`${line}\n`);
}
