import type { DeployLog } from '../deploy/log.js';

/**
 * How a deploy looks: on a terminal, progress updates one live line; in CI (or any pipe), every
 * line is timestamped and progress is printed only when it changes.
 */
export function deployLog(stream: NodeJS.WriteStream = process.stderr, env: NodeJS.ProcessEnv = process.env): DeployLog & { done(): void } {
  const live = Boolean(stream.isTTY) && !env.CI;
  let showing = false;
  let last = '';
  const clear = () => {
    if (showing) stream.write('\r\x1b[2K');
    showing = false;
  };
  const line = (text: string) => (live ? text : `${new Date().toISOString()} ${text}`);
  return {
    info(text) {
      clear();
      stream.write(`${line(text)}\n`);
    },
    warn(text) {
      clear();
      stream.write(`${line(`warning: ${text}`)}\n`);
    },
    progress(text) {
      if (text === last) return;
      last = text;
      if (live) {
        clear();
        stream.write(text.slice(0, (stream.columns ?? 120) - 1));
        showing = true;
      } else stream.write(`${line(text)}\n`);
    },
    done() {
      if (showing) stream.write('\n');
      showing = false;
    },
  };
}
