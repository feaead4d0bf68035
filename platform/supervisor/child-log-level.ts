// Which pino level a line printed by a child process deserves. Daemons (rtpengine with
// --log-stderr, our own engine printing JSON) put a severity word near the start.

export type ChildLineLevel = 'error' | 'warn' | 'info' | 'debug';

const SCAN_PREFIX = 160;

/** The level for one line of a child's output, from the first severity word in it. */
export function childLineLevel(line: string): ChildLineLevel {
  const head = line.slice(0, SCAN_PREFIX).toUpperCase();
  // Word boundaries so "ERRORS_TOTAL" or "INFORMATION" do not count.
  const match = /\b(EMERG|ALERT|CRIT|CRITICAL|FATAL|ERR|ERROR|WARN|WARNING|NOTICE|INFO|DEBUG|TRACE)\b/.exec(head);
  switch (match?.[1]) {
    case 'EMERG': case 'ALERT': case 'CRIT': case 'CRITICAL': case 'FATAL': case 'ERR': case 'ERROR':
      return 'error';
    case 'WARN': case 'WARNING':
      return 'warn';
    case 'DEBUG': case 'TRACE':
      return 'debug';
    default:
      return 'info';
  }
}
