import type { DeployContext } from '../context/deploy-context.js';
import { asHostname, type Hostname, type Slug } from '../domain.js';
import { InputError, ValueProblem, quote } from '../errors.js';
import type { Settings } from '../settings/declarations.js';
import { jobSlug } from '../context/slug.js';

/** review: a branch's own app; main: main, master or CI_MAIN_STYLE; production and staging. */
export type EnvironmentKind = 'review' | 'main' | 'production' | 'staging';

export type TokenVariable = 'NOMAD_TOKEN' | 'NOMAD_TOKEN_PROD' | 'NOMAD_TOKEN_STAGING';

/** Where and under which names a deploy goes: the contract's naming rules, applied. */
export interface DeployTarget {
  readonly kind: EnvironmentKind;
  readonly slug: Slug;
  /** Never empty; the first one is the deploy's URL. */
  readonly hostnames: readonly [Hostname, ...Hostname[]];
  readonly baseDomain: Hostname | undefined;
  readonly nomadAddr: string;
  readonly tokenVariable: TokenVariable;
  readonly count: number;
  readonly forcePull: boolean;
  /** Lines every render and deploy prints, such as `using nomad production token`. */
  readonly notices: readonly string[];
  readonly warnings: readonly string[];
}

const MAIN_BRANCHES = ['main', 'master'];

/** Whether a branch deploys like main: its job is named after the project alone. */
export function isMainLike(branch: string, mainStyle: boolean): boolean {
  return MAIN_BRANCHES.includes(branch) || mainStyle || branch === 'production' || branch === 'staging';
}

export function deployTarget(ctx: DeployContext, settings: Settings): DeployTarget {
  checkBranch(ctx);
  const notices: string[] = [];
  const warnings: string[] = [];
  const given = ctx.cluster.baseDomain;
  const productionBranch = ctx.branch === 'production';
  const stagingBranch = ctx.branch === 'staging';
  const mainLike = isMainLike(ctx.branch, ctx.mainStyle);
  const kind: EnvironmentKind =
    productionBranch || given?.split('.')[0] === 'prod' ? 'production'
    : stagingBranch ? 'staging'
    : mainLike ? 'main'
    : 'review';

  const baseDomain = given && (kind === 'production' || kind === 'staging') ? rewriteDomain(given, kind === 'production' ? 'prod' : 'staging') : given;
  const slug = jobSlug(ctx.projectPathSlug, ctx.branch, !mainLike);
  if (!mainLike && slug === jobSlug(ctx.projectPathSlug, ctx.branch, false)) {
    throw InputError.of(
      `the review app of branch ${quote(ctx.branchName ?? ctx.branch)} would be the job ${slug}, the project's main job: ` +
        `the project path slug (${ctx.projectPathSlug.length} characters) leaves no room for the branch in 63; shorten the project path`,
    );
  }

  const withDomain = (name: string, why: string): Hostname => {
    if (name.includes('.')) return name as Hostname;
    if (!baseDomain) throw InputError.of(`BASE_DOMAIN is not set: it is needed for ${why}; set it to the cluster's domain, like dev.example.com`);
    return tryHostname(`${name}.${baseDomain}`, why);
  };

  let hostnames: Hostname[];
  const custom = settings.HOSTNAMES?.length ? settings.HOSTNAMES : undefined;
  if (custom && (mainLike || kind === 'production')) {
    hostnames = custom.map((name) => withDomain(name, `the hostname ${JSON.stringify(name)} in NOMAD_VAR_HOSTNAMES`));
  } else {
    if (custom) warnings.push(`NOMAD_VAR_HOSTNAMES is ignored on review branch ${ctx.branch}: custom hostnames apply to main-like and production deploys`);
    const first = kind === 'production' || kind === 'staging' ? ctx.projectName.toLowerCase() : slug;
    hostnames = [withDomain(first, `the hostname ${first}.<BASE_DOMAIN>`)];
  }

  let tokenVariable: TokenVariable = 'NOMAD_TOKEN';
  if (kind === 'production' && ctx.cluster.hasProdToken) {
    tokenVariable = 'NOMAD_TOKEN_PROD';
    notices.push('using nomad production token');
  } else if (kind === 'staging' && ctx.cluster.hasStagingToken) {
    tokenVariable = 'NOMAD_TOKEN_STAGING';
    notices.push('using nomad staging token');
  }

  const nomadAddr = ctx.cluster.nomadAddr ?? (baseDomain ? `https://${baseDomain}` : undefined);
  if (!nomadAddr) throw InputError.of('NOMAD_ADDR is not set and there is no BASE_DOMAIN to derive it from: set NOMAD_ADDR, like https://nomad.example.com:4646');
  checkHostnames(hostnames, { given, baseDomain, nomadHost: new URL(nomadAddr).hostname.toLowerCase() }, Boolean(custom && (mainLike || kind === 'production')));

  return {
    kind,
    slug,
    hostnames: hostnames as [Hostname, ...Hostname[]],
    baseDomain,
    nomadAddr,
    tokenVariable,
    count: settings.COUNT ?? (kind === 'production' ? 3 : 1),
    forcePull: settings.FORCE_PULL ?? ctx.imageTagReused,
    notices,
    warnings,
  };
}

/**
 * `dev.example.com` → `prod.example.com`. A two-label domain keeps all its labels
 * (`example.com` → `prod.example.com`): replacing its first label would leave the domain.
 */
export function rewriteDomain(domain: Hostname, first: 'prod' | 'staging'): Hostname {
  const labels = domain.split('.');
  if (labels[0] === first) return domain;
  const rest = labels.length > 2 ? labels.slice(1) : labels;
  return [first, ...rest].join('.') as Hostname;
}

/** The hostname of an extra port: `<first label>-<port name>.<rest>` of the first hostname. */
export function portHostname(first: Hostname, label: string): Hostname {
  const [head, ...rest] = first.split('.');
  return tryHostname([`${head}-${label.toLowerCase()}`, ...rest].join('.'), `port ${label}`);
}

function tryHostname(name: string, why: string): Hostname {
  try {
    return asHostname(name);
  } catch (e) {
    throw InputError.of(`${quote(name)} (${why}) is not a valid hostname: ${(e as ValueProblem).message}`);
  }
}

/** The branches whose slug gives a main-like job, the production or the staging environment. */
const SPECIAL_BRANCHES = [...MAIN_BRANCHES, 'production', 'staging'];

/**
 * A branch is refused when it has no slug (`_`, `é`), or when only its slug is special: `main-`
 * and `Production_` would otherwise deploy over the main or production job, with its token.
 */
function checkBranch(ctx: DeployContext): void {
  const named = ctx.branchName ?? ctx.branch;
  if (!ctx.branch) {
    throw InputError.of(`the branch ${quote(named)} has no letter or digit to name its review app after: rename the branch`);
  }
  if (SPECIAL_BRANCHES.includes(ctx.branch) && ctx.branchName !== undefined && ctx.branchName !== ctx.branch) {
    throw InputError.of(
      `the branch ${quote(named)} would deploy as ${quote(ctx.branch)} (its slug), over that job and environment: ` +
        `only the branch named exactly ${ctx.branch} deploys there; rename the branch`,
    );
  }
}

/**
 * What a deploy may claim: exact names only (a wildcard would take every subdomain and shadow
 * the cluster's own routes), and never the cluster's own names: the BASE_DOMAIN apex, where
 * pipelines reach Nomad when NOMAD_ADDR is unset, and the Nomad address's host.
 */
function checkHostnames(hostnames: readonly Hostname[], cluster: { given: Hostname | undefined; baseDomain: Hostname | undefined; nomadHost: string }, custom: boolean): void {
  const where = custom ? 'NOMAD_VAR_HOSTNAMES' : 'the hostname made from BASE_DOMAIN';
  const problems: string[] = [];
  for (const name of hostnames) {
    if (name.split('.').includes('*')) problems.push(`${where}: ${quote(name)} is a wildcard: a deploy claims exact hostnames only`);
    else if (name === cluster.given || name === cluster.baseDomain) problems.push(`${where}: ${quote(name)} is the cluster's own domain (BASE_DOMAIN), reserved for the cluster`);
    else if (name === cluster.nomadHost) problems.push(`${where}: ${quote(name)} is where Nomad is reached (NOMAD_ADDR), reserved for the cluster`);
  }
  if (problems.length) throw new InputError(problems);
}
