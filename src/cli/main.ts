import { Command, CommanderError } from 'commander';
import { ClusterError } from '../cluster/local-cluster.js';
import { DeployError } from '../deploy/deploy-error.js';
import { CommandError, InputError } from '../errors.js';
import { NomadError } from '../nomad/http.js';
import { RemoteError } from '../cluster/remote/ssh-host.js';
import { processOutput } from './output.js';
import { registerLocalCluster } from './local-cluster.js';
import { registerConsole } from './console.js';
import { registerDeploy } from './deploy.js';
import { registerPlan } from './plan.js';
import { registerRender } from './render.js';
import { registerStop } from './stop.js';
import { registerSleep } from './sleep.js';
import { registerRouter } from './router.js';
import { registerStatus } from './status.js';
import { registerLogs } from './logs.js';
import { registerExec } from './exec.js';
import { registerVersions } from './versions.js';
import { registerUrls } from './urls.js';
import { registerNodes } from './nodes.js';
import { registerCleanup } from './cleanup.js';
import { registerCompletion } from './completion.js';
import { registerCluster } from './cluster.js';
import { registerGrants } from './grants.js';
import { registerToken } from './token.js';
import { DEPLOY_EXIT, EXIT } from './exit-codes.js';

declare const NOM_VERSION: string;

const program = new Command('nom')
  .description('A small PaaS on HashiCorp Nomad: deploy each branch, route it with Caddy, operate it from here.')
  .version(typeof NOM_VERSION === 'string' ? NOM_VERSION : 'dev')
  .option('--debug', 'show stack traces of unexpected errors')
  // Commander's own errors in nom's form: "nom: <what>", then the command's usage line.
  .configureOutput({ outputError: (text, write) => write(`nom: ${text.replace(/^error: /, '')}`) })
  .exitOverride();

registerRender(program, processOutput);
registerLocalCluster(program, processOutput);
registerDeploy(program, processOutput);
registerPlan(program, processOutput);
registerStop(program, processOutput);
registerSleep(program, processOutput);
registerRouter(program, processOutput);
registerStatus(program, processOutput);
registerLogs(program, processOutput);
registerExec(program, processOutput);
registerVersions(program, processOutput);
registerUrls(program, processOutput);
registerNodes(program, processOutput);
registerCleanup(program, processOutput);
registerCluster(program, processOutput);
registerGrants(program, processOutput);
registerToken(program, processOutput);
registerCompletion(program, processOutput);
registerConsole(program, processOutput);
showUsageAfterErrors(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  process.exitCode = report(e);
}

/** After a usage error, every command prints its usage line (not the whole help). */
function showUsageAfterErrors(command: Command, name = command.name()): void {
  command.showHelpAfterError(`usage: ${name} ${command.usage()} (see ${name} --help)`);
  for (const sub of command.commands) showUsageAfterErrors(sub, `${name} ${sub.name()}`);
}

function report(e: unknown): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? EXIT.ok : EXIT.usage; // commander printed it
  if (e instanceof DeployError) {
    for (const line of e.lines) processOutput.say(`nom: ${line}`);
    return DEPLOY_EXIT[e.outcome];
  }
  if (e instanceof ClusterError || e instanceof CommandError || e instanceof NomadError || e instanceof RemoteError) {
    processOutput.say(`nom: ${e.message}`);
    return EXIT.failure;
  }
  if (e instanceof InputError) {
    for (const line of e.lines) processOutput.say(`nom: ${line}`);
    return EXIT.usage;
  }
  const debug = program.opts<{ debug?: boolean }>().debug;
  processOutput.say(`nom: ${debug && e instanceof Error ? e.stack : String((e as Error)?.message ?? e)}`);
  if (!debug) processOutput.say('nom: run again with --debug for details');
  return EXIT.failure;
}
