import { EXIT } from '../cli/exit-codes.js';

export type DeployOutcome = 'failed' | 'placement' | 'timeout' | 'conflict';

const CODES: Record<DeployOutcome, number> = {
  failed: EXIT.deployFailed,
  placement: EXIT.placementFailed,
  timeout: EXIT.timeout,
  conflict: EXIT.conflict,
};

/** A deploy that did not end well: the reason in lines for people, and the documented exit code. */
export class DeployError extends Error {
  override name = 'DeployError';
  readonly exitCode: number;
  constructor(
    readonly outcome: DeployOutcome,
    readonly lines: readonly string[],
  ) {
    super(lines.join('\n'));
    this.exitCode = CODES[outcome];
  }
}
