import type { DeployContext } from '../context/deploy-context.js';
import type { Hostname, Slug } from '../domain.js';
import type { NomadJob, Template } from './nomad-job.js';

/** The Nomad Variable that holds a job's secrets; the job's tasks may read it by default. */
export function secretsPath(job: string): string {
  return `nomad/jobs/${job}`;
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
 * The items of one generation of the job's Nomad Variable (`v3_API_KEY`, …) become environment
 * variables (`API_KEY`). Only the path and the generation are in the job, never a value. A
 * rendered job reads generation `v0`; the deploy stamps the generation it stored
 * (`withSecretsGeneration`). A changed secret is a new generation, so a new job version that
 * rolls out (and rolls back) like any other change.
 */
export function secretsTemplate(slug: Slug, generation = 'v0'): Template {
  const prefix = `^${generation}_`;
  return {
    EmbeddedTmpl: `{{ with nomadVar "${secretsPath(slug)}" }}{{ range $k, $v := . }}{{ if $k | regexMatch "${prefix}" }}{{ $k | regexReplaceAll "${prefix}" "" }}={{ $v.Value | toJSON }}\n{{ end }}{{ end }}{{ end }}`,
    DestPath: SECRETS_FILE,
    ChangeMode: 'restart',
    Envvars: true,
  };
}

/** The generation of secrets a job version reads (its `nom_secrets` meta); undefined for jobs of older nom releases. */
export function secretsGenerationOf(job: { Meta?: Record<string, string> | null }): string | undefined {
  return job.Meta?.nom_secrets || undefined;
}

/** Whether the job reads secrets through nom's template (jobs without secrets, or project.nomad jobs, may not). */
export function readsSecrets(job: NomadJob): boolean {
  return job.TaskGroups.some((g) => g.Tasks.some((t) => t.Templates?.some((tpl) => tpl.DestPath === SECRETS_FILE)));
}

/** The job reading `generation` of its secrets: every nom secrets template, and the meta that records it. */
export function withSecretsGeneration(job: NomadJob, generation: string): NomadJob {
  return {
    ...job,
    Meta: { ...job.Meta, nom_secrets: generation },
    TaskGroups: job.TaskGroups.map((g) => ({
      ...g,
      Tasks: g.Tasks.map((t) => ({
        ...t,
        Templates: t.Templates?.map((tpl) => (tpl.DestPath === SECRETS_FILE ? secretsTemplate(job.ID as Slug, generation) : tpl)),
      })),
    })),
  };
}

/** Keeps a literal value from being read as template syntax. */
function escapeTemplate(text: string): string {
  return text.replaceAll('{{', '{{ "{{" }}');
}
