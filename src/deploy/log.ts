/** What a long operation tells people as it goes; the CLI decides how it looks. */
export interface DeployLog {
  /** A line that stays: a step taken, a result. */
  info(line: string): void;
  /** The current state of something in progress; a terminal overwrites it, CI prints changes. */
  progress(line: string): void;
  warn(line: string): void;
}
