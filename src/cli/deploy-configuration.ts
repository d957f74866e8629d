import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { CiOutputs } from '../deploy/ci-outputs.js';
import { InputError } from '../errors.js';
import { withGrantedVolumes, withProjectPersistentVolume } from '../jobspec/host-volumes.js';
import { containerProblems, type ContainerField, type NamespaceGrants } from '../jobspec/container-rules.js';
import { hasOverlays, type Overlays } from '../jobspec/overlays.js';
import type { NomadJob } from '../jobspec/nomad-job.js';
import { checkoutContext, checkoutImage, LOCAL_DEFAULTS, type CheckoutBuild } from '../local/checkout-context.js';
import { isGitCheckout, readGitFacts } from '../local/git-facts.js';
import { readOverlayFiles } from '../local/overlay-files.js';
import type { NomadClient } from '../nomad/client.js';
import { nomadConfig, type NomadConfig } from '../nomad/config.js';
import { applyOverlays, overlayVariables } from '../render/apply-overlays.js';
import { clusterServiceProvider } from '../deploy/service-provider.js';
import { withServiceProvider } from '../jobspec/services.js';
import { renderJob, type ContextSource, type RenderResult } from '../render/render-job.js';
import type { Env } from '../settings/read-settings.js';
import { inCi } from './environment.js';

export type Rendered = Extract<RenderResult, { noDeploy: false }>;

/** An image `nom deploy` builds from a checkout with the local Docker engine. */
export interface LocalBuild {
  readonly image: string;
  /** Relative to the source; `Dockerfile` unless NOMAD_VAR_BUILD_DEPLOY names another. */
  readonly dockerfile: string;
}

/**
 * Everything a deploy (or a plan, a render, a stop) needs, read from the environment once and
 * checked before anything is built, pushed or sent: the rendered job and where it goes (address
 * and the token the naming rules chose), the overlays and their variables, the images to build
 * from a checkout, and where the CI wants the results. Below the CLI nothing reads the
 * environment again.
 */
export type DeployConfiguration =
  | { readonly noDeploy: true; readonly lines: readonly string[] }
  | {
      readonly noDeploy: false;
      /** What every render and deploy says first: token choice, cluster, URL. */
      readonly lines: readonly string[];
      /** The directory deployed: its Dockerfile (builds from a checkout) and overlay files. */
      readonly source: string;
      readonly rendered: Rendered;
      /** The cluster the job goes to, with the token for its environment and the job's namespace. */
      readonly nomad: NomadConfig;
      readonly overlays: Overlays;
      readonly overlayVariables: Readonly<Record<string, string>>;
      /** Outside CI: the images to build, in order (the deployed one last), and whether to push them. */
      readonly builds: readonly LocalBuild[];
      readonly push: boolean;
      readonly buildArgs: readonly string[];
      readonly outputs: CiOutputs;
    };

export type Purpose = 'deploy' | 'plan' | 'render' | 'stop';

const isLoopback = (address: string) => /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(address);

/**
 * Reads the configuration: in CI from the pipeline's variables; elsewhere from the git checkout
 * of `dir` (named as CI would name it) with the environment for the cluster and settings. A
 * render outside a checkout takes the environment as it is and names the CI variables it lacks.
 */
export function deployConfiguration(env: Env, o: { dir?: string | undefined; buildArgs?: readonly string[]; purpose: Purpose; cwd: string }): DeployConfiguration {
  const source = resolve(o.cwd, o.dir ?? '.');
  const buildArgs = o.buildArgs ?? [];
  const fromCheckout = !inCi(env) && (o.purpose !== 'render' || isGitCheckout(source));
  let context: ContextSource | undefined;
  let images: ((buildDeploy: string | undefined) => LocalBuild[]) | undefined;
  let push = false;
  if (fromCheckout) {
    const address = env.NOMAD_ADDR?.trim() || LOCAL_DEFAULTS.nomadAddr;
    // Only a deploy needs a registry the cluster can pull from; a cluster on this machine has the image already.
    const registry = env.NOM_REGISTRY?.trim() || (isLoopback(address) || o.purpose !== 'deploy' ? 'nom.local' : undefined);
    if (!registry) throw InputError.of(`NOMAD_ADDR (${address}) is not this machine: set NOM_REGISTRY to a registry the cluster can pull from`);
    push = Boolean(env.NOM_REGISTRY?.trim());
    const facts = readGitFacts(source);
    const build: CheckoutBuild = { registry, buildArgs };
    context = (e, { buildDeploy }) => checkoutContext(facts, e, build, buildDeploy);
    // As the pipeline builds them: the Dockerfile's image, then NOMAD_VAR_BUILD_DEPLOY's, which is deployed.
    images = (buildDeploy) => [
      { image: checkoutImage(facts, build, false).image, dockerfile: 'Dockerfile' },
      ...(buildDeploy ? [{ image: checkoutImage(facts, build, true).image, dockerfile: buildDeploy }] : []),
    ];
  }
  const rendered = renderJob(env, { renderId: randomUUID(), ...(context ? { context } : {}) });
  if (rendered.noDeploy) return rendered;
  const { job, target } = rendered;
  const token = env[target.tokenVariable]?.trim() || env.NOMAD_TOKEN;
  const nomad = nomadConfig({ ...env, NOMAD_ADDR: target.nomadAddr, NOMAD_TOKEN: token, NOMAD_NAMESPACE: job.Namespace });
  return {
    noDeploy: false,
    lines: rendered.lines,
    source,
    rendered,
    nomad,
    overlays: readOverlayFiles(source),
    overlayVariables: overlayVariables(env, rendered.context, target),
    builds: images?.(rendered.reading.settings.BUILD_DEPLOY) ?? [],
    push,
    buildArgs,
    outputs: {
      ...(env.GITLAB_CI ? { dotenvFile: join(o.cwd, 'deploy.env') } : {}),
      ...(env.GITHUB_OUTPUT ? { githubOutput: env.GITHUB_OUTPUT } : {}),
      ...(env.GITHUB_STEP_SUMMARY ? { githubSummary: env.GITHUB_STEP_SUMMARY } : {}),
    },
  };
}

/**
 * The rendered job, its services registered with the cluster's provider unless
 * NOMAD_VAR_SERVICE_PROVIDER named one, with the overlay files applied (Nomad parses their
 * HCL); says which applied.
 */
export async function jobWithOverlays(config: Extract<DeployConfiguration, { noDeploy: false }>, nomad: NomadClient, say: (line: string) => void, warn: (line: string) => void = say): Promise<NomadJob> {
  const { overlays, rendered } = config;
  const provider = rendered.reading.fromEnv.has('SERVICE_PROVIDER') ? undefined : await clusterServiceProvider(nomad, warn);
  if (provider === 'consul') say('services register in Consul, the cluster\'s service provider');
  const base = provider && provider !== 'nomad' ? withServiceProvider(rendered.job, provider) : rendered.job;
  const job = await applyOverlays(base, overlays, config.overlayVariables, (hcl, vars) => nomad.jobs.parse(hcl, vars));
  if (hasOverlays(overlays)) say(`applied ${Object.entries(overlays).filter(([, v]) => v).map(([k]) => `${k}.nomad`).join(', ')}`);
  return job;
}

const SETTING_OF: Record<ContainerField, string> = {
  volumes: 'NOMAD_VAR_VOLUMES', mount: 'NOMAD_VAR_BIND_MOUNTS', network_mode: 'NOMAD_VAR_NETWORK_MODE', home: 'NOMAD_VAR_HOME', option: 'the house job', 'group network': 'the house job',
};

/**
 * The job as it may run in its namespace: VOLUMES and BIND_MOUNTS entries of granted host
 * volumes become mounts of them (in a trusted namespace, PERSISTENT_VOLUME is the seed's
 * /pv/<project> instead), and what the grants do not allow the containers (host paths,
 * the node's network, privileges) is refused before anything is written: one line each, naming
 * the setting, or the overlay file when an overlay asked for it.
 */
export function checkContainers(config: Extract<DeployConfiguration, { noDeploy: false }>, overlaid: NomadJob, grants: NamespaceGrants): NomadJob {
  // A trusted namespace keeps the seed's /pv/<project>; others mount what they were granted.
  const mounted = (j: NomadJob) => (grants.trusted ? withProjectPersistentVolume(j, config.rendered.context.projectPathSlug) : withGrantedVolumes(j, grants.hostVolumes));
  const rendered = mounted(config.rendered.job);
  const job = mounted(overlaid);
  const fromSettings = containerProblems(rendered, grants, (_task, field) => SETTING_OF[field]);
  const overlayFiles = Object.entries(config.overlays).filter(([, v]) => v).map(([k]) => `${k}.nomad`).join(' or ');
  const seen = new Set(fromSettings.map((p) => p.key));
  const fromOverlays = !hasOverlays(config.overlays) ? [] : containerProblems(job, grants, () => overlayFiles).filter((p) => !seen.has(p.key));
  const lines = [...fromSettings, ...fromOverlays].map((p) => p.line);
  if (lines.length) throw new InputError(lines);
  return job;
}
