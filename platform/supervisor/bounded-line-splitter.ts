// Splits a child's output stream into lines without trusting it: a child that prints
// megabytes without a newline must not grow the supervisor's memory. A line longer
// than maxChars is emitted cut (marked), and the rest of it, up to the next newline,
// is dropped.

export const TRUNCATION_MARK = '…[truncated]';

export class BoundedLineSplitter {
  private pending = '';
  private discarding = false;

  constructor(private readonly maxChars: number) {}

  /** The complete lines this chunk finishes (without '\n' or a trailing '\r'). */
  push(chunk: string): string[] {
    const lines: string[] = [];
    let start = 0;
    while (start <= chunk.length) {
      const newline = chunk.indexOf('\n', start);
      const piece = newline === -1 ? chunk.slice(start) : chunk.slice(start, newline);
      if (!this.discarding) {
        this.pending += piece;
        if (this.pending.length > this.maxChars) {
          lines.push(this.pending.slice(0, this.maxChars) + TRUNCATION_MARK);
          this.pending = '';
          this.discarding = newline === -1;
        } else if (newline !== -1) {
          lines.push(stripCr(this.pending));
          this.pending = '';
        }
      } else if (newline !== -1) {
        this.discarding = false;
      }
      if (newline === -1) break;
      start = newline + 1;
    }
    return lines;
  }

  /** The unterminated last line, if any, at end of stream. */
  end(): string[] {
    const rest = this.pending;
    this.pending = '';
    this.discarding = false;
    return rest === '' ? [] : [stripCr(rest)];
  }
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}
