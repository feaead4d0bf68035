import type { FieldPath } from './yaml-positions.js';

/** A problem found in a parsed POP config, located by field path; the loader turns it into a ConfigProblem with a line. */
export interface PathProblem {
  path: FieldPath;
  message: string;
  /** Point at the key of the entry rather than its value. */
  atKey?: boolean;
}
