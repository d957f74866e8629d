import type { DeployContext } from '../context/deploy-context.js';
import type { Hostname, Slug } from '../domain.js';
import type { Template } from './nomad-job.js';

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

/**
 * Every item of the job's Nomad Variable becomes an environment variable. Only the path is in
 * the job, never a value. A changed secret restarts the task so that it takes effect.
 */
export function secretsTemplate(slug: Slug): Template {
  return {
    EmbeddedTmpl: `{{ with nomadVar "${secretsPath(slug)}" }}{{ range $k, $v := . }}{{ $k }}={{ $v.Value | toJSON }}\n{{ end }}{{ end }}`,
    DestPath: 'secrets/secrets.env',
    ChangeMode: 'restart',
    Envvars: true,
  };
}

/** Keeps a literal value from being read as template syntax. */
function escapeTemplate(text: string): string {
  return text.replaceAll('{{', '{{ "{{" }}');
}
