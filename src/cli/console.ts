import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { nomHome, readLocalState } from '../cluster/local-layout.js';
import { CONSOLE_FILES } from '../cluster/remote/cluster-setup.js';
import { localConsoleUrl } from '../cluster/local-ingress.js';
import { CommandError } from '../errors.js';
import type { Output } from './output.js';
import { NomadClient } from '../nomad/client.js';
import type { NomadConfig } from '../nomad/config.js';
import { NomadError } from '../nomad/http.js';

/**
 * Where the console's page was built (dist/console of this package): next to the bundled CLI
 * (dist/nom.mjs), or two folders up from this file when nom runs from its sources.
 */
export function consoleRoot(): string {
  const candidates = ['./console/', '../../dist/console/'].map((p) => fileURLToPath(new URL(p, import.meta.url)));
  return candidates.find((dir) => existsSync(`${dir}index.html`)) ?? candidates[0]!;
}

/** The console's built page (dist/console), to copy to the ingress nodes; without the files when nom was not built. */
export function consolePage(): ReadonlyMap<string, string> {
  const root = consoleRoot();
  return new Map(CONSOLE_FILES.filter((n) => existsSync(join(root, n))).map((n) => [n, readFileSync(join(root, n), 'utf8')]));
}

/** The jobs (namespace/job) `token` may read, as Nomad lists them to it; undefined when Nomad refuses the token. */
export async function jobsVisibleTo(config: NomadConfig, token: string): Promise<ReadonlySet<string> | undefined> {
  const nomad = new NomadClient({ ...config, token });
  try {
    return new Set((await nomad.jobs.list({ namespace: '*' })).map((j) => `${j.Namespace}/${j.ID}`));
  } catch (e) {
    if (e instanceof NomadError && (e.status === 403 || e.status === 401)) return undefined;
    throw e;
  } finally {
    nomad.close();
  }
}

export function registerConsole(program: Command, out: Output): void {
  program
    .command('console')
    .description('open the nom console (every project, branch and review app on one live page): $NOM_CONSOLE_URL, else the local cluster\'s')
    .option('--no-open', 'only print its URL')
    .action((opts: { open: boolean }) => {
      const state = readLocalState(nomHome(process.env, homedir()));
      const url = process.env.NOM_CONSOLE_URL || (state?.ingress && localConsoleUrl(state.ingress.https));
      if (!url) throw new CommandError('no console known: run `nom up`, or set NOM_CONSOLE_URL to https://nom.<BASE_DOMAIN>/ of your cluster');
      out.say('sign in with a Nomad token (yours, e.g. $NOMAD_TOKEN): the page shows what that token may read');
      out.result(url);
      // A desktop opens it; on a server (no display, or no opener) the URL is the answer.
      if (opts.open && process.stdout.isTTY && (process.env.DISPLAY || process.env.WAYLAND_DISPLAY || process.platform === 'darwin')) {
        const opener = process.platform === 'darwin' ? 'open' : 'xdg-open';
        spawn(opener, [url], { stdio: 'ignore', detached: true }).on('error', () => undefined).unref();
      }
    });
}
