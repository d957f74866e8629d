import { ansiPaint, plainPaint, type Paint } from '../operate/terminal-text.js';

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

/** ANSI colours for a terminal, unless NO_COLOR is set; none for pipes and files. */
export function paintFor(stream: NodeJS.WriteStream = process.stdout, env: NodeJS.ProcessEnv = process.env): Paint {
  return stream.isTTY && !env.NO_COLOR && env.TERM !== 'dumb' ? ansiPaint : plainPaint;
}
