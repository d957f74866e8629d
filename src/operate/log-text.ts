/** Shaping log text for `nom logs`. Pure. */

/** The last `n` lines of `text` (all of it when n is 0), keeping a final newline if it had one. */
export function lastLines(text: string, n: number): string {
  if (!n || !text) return text;
  const trailing = text.endsWith('\n');
  const lines = (trailing ? text.slice(0, -1) : text).split('\n');
  return lines.slice(-n).join('\n') + (trailing ? '\n' : '');
}

/**
 * Prefixes each whole line with a label (`[1a2b3c4d] `), for logs of several allocations
 * interleaved; a line that arrives in pieces is held until it is whole.
 */
export class LinePrefixer {
  private pending = '';
  constructor(private readonly label: string) {}

  push(text: string): string {
    const lines = (this.pending + text).split('\n');
    this.pending = lines.pop()!;
    return lines.map((l) => `${this.label}${l}\n`).join('');
  }

  /** What is left of an unfinished last line. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest ? `${this.label}${rest}\n` : '';
  }
}

/** How many bytes to ask for to show the last `lines` lines: generous, as Nomad's own CLI does. */
export function tailBytes(lines: number): number {
  return Math.min(Math.max(lines * 256, 8192), 4 * 1024 * 1024);
}
