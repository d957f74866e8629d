import type { Hostname, Slug } from '../domain.js';
import type { Secret } from '../secret.js';

/** Everything the CI environment says about this deploy, whichever CI it came from. */
export interface DeployContext {
  /** Where it came from: a pipeline, or a local checkout that `nom deploy` names as CI would. */
  readonly provider: 'gitlab' | 'github' | 'checkout';
  /** GitLab's CI_PROJECT_PATH_SLUG, e.g. `example-org-my-site`. */
  readonly projectPathSlug: Slug;
  /** GitLab's CI_PROJECT_NAME, e.g. `my-site`. */
  readonly projectName: string;
  /** The branch, slugged as GitLab's CI_COMMIT_REF_SLUG. */
  readonly branch: Slug;
  /** The branch as named (CI_COMMIT_REF_NAME, GITHUB_REF_NAME, git), when known: `feature/X`. */
  readonly branchName: string | undefined;
  readonly commitSha: string;
  /** The CI job or run that deploys, for people who wait on its lock: CI_JOB_URL, or the GitHub run. */
  readonly runUrl: string | undefined;
  /** The commit's page at the forge (GitLab's CI_PROJECT_URL/-/commit/<sha>, GitHub's …/commit/<sha>), when known. */
  readonly commitUrl?: string | undefined;
  /** Who started the pipeline: GITLAB_USER_LOGIN, GITHUB_ACTOR. */
  readonly user?: string | undefined;
  readonly image: string;
  /** The image tag names a branch, not a commit: the same tag gets new images. */
  readonly imageTagReused: boolean;
  readonly registryAuth: RegistryAuth | undefined;
  /** CI_MAIN_STYLE is set: every branch deploys like main. */
  readonly mainStyle: boolean;
  readonly cluster: ClusterInputs;
  /** NOMAD_SECRET_<NAME> and NOMAD_SECRETS, by NAME. */
  readonly secrets: ReadonlyMap<string, Secret>;
}

export interface RegistryAuth {
  readonly username: string;
  readonly password: Secret;
  /** The variable the password came from, for messages. */
  readonly from: 'CI_REGISTRY_READ_TOKEN' | 'CI_REGISTRY_PASSWORD';
}

export interface ClusterInputs {
  /** BASE_DOMAIN (or the older KUBE_INGRESS_BASE_DOMAIN), before any production/staging rewrite. */
  readonly baseDomain: Hostname | undefined;
  /** NOMAD_ADDR as given, if given. */
  readonly nomadAddr: string | undefined;
  readonly hasProdToken: boolean;
  readonly hasStagingToken: boolean;
}
