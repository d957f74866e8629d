/**
 * Errors meant for people. An InputError says what is wrong with which variable, file or flag
 * and what is allowed; the CLI prints its message as is (no stack) and exits with code 2.
 */
export class InputError extends Error {
  override name = 'InputError';
  constructor(readonly lines: readonly string[]) {
    super(lines.join('\n'));
  }
  static of(line: string): InputError {
    return new InputError([line]);
  }
}

/**
 * A command could not do what was asked, for a reason people can act on (no such job, no
 * running allocation…): the CLI prints its one line and exits with code 1.
 */
export class CommandError extends Error {
  override name = 'CommandError';
}

/** Thrown by a value parser: says what was expected; the caller adds which variable and value. */
export class ValueProblem extends Error {
  override name = 'ValueProblem';
}

/** Shows a user-supplied value in an error, quoted and cut short so one line stays one line. */
export function quote(value: string, max = 80): string {
  const shown = value.length > max ? `${value.slice(0, max)}…` : value;
  return JSON.stringify(shown);
}
