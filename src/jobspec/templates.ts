import type { DeployContext } from '../context/deploy-context.js';
import type { Hostname } from '../domain.js';
import type { NomadJob, Template } from './nomad-job.js';

/**
 * Secrets live in one of two slots, both paths the job's tasks may read by default: slot `a` is
 * `nomad/jobs/<job>`, slot `b` is `nomad/jobs/<job>/<group>/<task>` of each task that reads them.
 * A deploy writes the slot the running version does not read, so a failed deploy changes no
 * secret a running allocation reads and a rollback runs with the secrets it was deployed with,
 * and a CI token may write secrets without ever reading one back.
 */
export type SecretsSlot = 'a' | 'b';

/** The variable a task reads its secrets from, in `slot`. */
export function secretsPath(job: string, slot: SecretsSlot = 'a', group = '', task = ''): string {
  return slot === 'a' ? `nomad/jobs/${job}` : `nomad/jobs/${job}/${group}/${task}`;
}

/**
 * The CI facts, as environment variables in the container. Values are JSON-quoted: Nomad's env
 * file parser reads JSON string escapes.
 */
export function ciFactsTemplate(ctx: DeployContext, firstHostname: Hostname): Template {
  const facts = {
    CI_HOSTNAME: firstHostname,
    CI_COMMIT_REF_SLUG: ctx.branch,
    CI_PROJECT_PATH_SLUG: ctx.projectPathSlug,
    CI_COMMIT_SHA: ctx.commitSha,
  };
  return {
    EmbeddedTmpl: Object.entries(facts).map(([k, v]) => `${k}=${escapeTemplate(JSON.stringify(v))}\n`).join(''),
    DestPath: 'local/ci.env',
    ChangeMode: 'noop',
    Envvars: true,
  };
}

/** Where the secrets template writes; it also finds the template in a job to stamp it. */
const SECRETS_FILE = 'secrets/secrets.env';

/**
 * The items of a secrets variable become environment variables. Only the path is in the job,
 * never a value. A rendered job reads slot `a`; the deploy stamps the slot it wrote
 * (`withSecretsSlot`).
 */
export function secretsTemplate(path: string): Template {
  return {
    EmbeddedTmpl: `{{ with nomadVar "${path}" }}{{ range $k, $v := . }}{{ $k }}={{ $v.Value | toJSON }}\n{{ end }}{{ end }}`,
    DestPath: SECRETS_FILE,
    ChangeMode: 'restart',
    Envvars: true,
  };
}

/**
 * The slot a job version reads (its `nom_secrets` meta). Versions of older nom releases
 * (generations `v<N>`, or nothing) read `nomad/jobs/<job>`, which is slot `a`.
 */
export function secretsSlotOf(job: { Meta?: Record<string, string> | null }): SecretsSlot {
  return job.Meta?.nom_secrets === 'b' ? 'b' : 'a';
}

/** Whether the job reads secrets through nom's template (jobs without secrets, or project.nomad jobs, may not). */
export function readsSecrets(job: NomadJob): boolean {
  return secretsPaths(job, 'a').length > 0;
}

/** The variables the job's secrets templates read in `slot`: the ones a deploy writes. */
export function secretsPaths(job: NomadJob, slot: SecretsSlot): string[] {
  const paths = job.TaskGroups.flatMap((g) => g.Tasks.filter((t) => t.Templates?.some((tpl) => tpl.DestPath === SECRETS_FILE)).map((t) => secretsPath(job.ID, slot, g.Name, t.Name)));
  return [...new Set(paths)];
}

/** The job reading its secrets from `slot`: every nom secrets template, and the meta that records it. */
export function withSecretsSlot(job: NomadJob, slot: SecretsSlot): NomadJob {
  return {
    ...job,
    Meta: { ...job.Meta, nom_secrets: slot },
    TaskGroups: job.TaskGroups.map((g) => ({
      ...g,
      Tasks: g.Tasks.map((t) => ({
        ...t,
        Templates: t.Templates?.map((tpl) => (tpl.DestPath === SECRETS_FILE ? secretsTemplate(secretsPath(job.ID, slot, g.Name, t.Name)) : tpl)),
      })),
    })),
  };
}

/** Keeps a literal value from being read as template syntax. */
function escapeTemplate(text: string): string {
  return text.replaceAll('{{', '{{ "{{" }}');
}
