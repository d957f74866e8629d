/** Where the CLI's words go: stdout for results, stderr for what people read along the way. */
export interface Output {
  result(text: string): void;
  say(line: string): void;
  warn(line: string): void;
}

export const processOutput: Output = {
  result: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  say: (line) => process.stderr.write(`${line}\n`),
  warn: (line) => process.stderr.write(`warning: ${line}\n`),
};
