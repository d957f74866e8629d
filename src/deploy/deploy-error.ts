export type DeployOutcome = 'failed' | 'placement' | 'timeout' | 'conflict';

/**
 * A deploy that did not end well: how (the CLI maps each outcome to its documented exit code)
 * and the reason in lines for people.
 */
export class DeployError extends Error {
  override name = 'DeployError';
  constructor(
    readonly outcome: DeployOutcome,
    readonly lines: readonly string[],
  ) {
    super(lines.join('\n'));
  }
}
