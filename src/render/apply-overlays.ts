import { checkDrivers, hasOverlays, mergeOverlay, overlayParseRequest, type Overlays } from '../jobspec/overlays.js';
import type { NomadJob } from '../jobspec/nomad-job.js';
import type { DeployTarget } from '../naming/deploy-target.js';
import type { DeployContext } from '../context/deploy-context.js';
import { InputError } from '../errors.js';
import { PREFIX, type Env } from '../settings/read-settings.js';

/** Nomad's HCL parser (POST /v1/jobs/parse), passed in so this stays free of I/O. */
export type ParseHcl = (hcl: string, variables: string) => Promise<NomadJob>;

/**
 * The variables overlays may use, as the existing system exported them: every NOMAD_VAR_*
 * value, SLUG, HOSTNAMES and the CI facts. Never a NOMAD_SECRET_* value.
 */
export function overlayVariables(env: Env, ctx: DeployContext, target: DeployTarget): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) if (key.startsWith(PREFIX) && value) vars[key.slice(PREFIX.length)] = value;
  return {
    ...vars,
    SLUG: target.slug,
    HOSTNAMES: JSON.stringify(target.hostnames),
    CI_HOSTNAME: target.hostnames[0],
    CI_PROJECT_PATH_SLUG: ctx.projectPathSlug,
    CI_PROJECT_NAME: ctx.projectName,
    CI_COMMIT_REF_SLUG: ctx.branch,
    CI_COMMIT_SHA: ctx.commitSha,
  };
}

/**
 * The house job with the repository's overlays applied (or the project.nomad job instead),
 * refused before anything is submitted when a task uses a driver other than docker or podman.
 */
export async function applyOverlays(house: NomadJob, overlays: Overlays, variables: Record<string, string>, parse: ParseHcl): Promise<NomadJob> {
  if (!hasOverlays(overlays)) return house;
  const request = overlayParseRequest(overlays, house.ID, variables);
  const parsed = await parse(request.hcl, request.variables);
  if (overlays.project) {
    checkDrivers(parsed, 'project.nomad');
    // The job's ID and namespace are nom's decision: they say whose job it is, and where its secrets are.
    const problems = [
      ...(parsed.ID !== house.ID ? [`project.nomad: the job is "${parsed.ID}", but this deploy is the job ${house.ID}: name it "NOMAD_VAR_SLUG" (nom puts the job's name there)`] : []),
      ...(parsed.Namespace && parsed.Namespace !== house.Namespace ? [`project.nomad: the job is in namespace "${parsed.Namespace}", but this deploy goes to ${house.Namespace}: leave the namespace out (NOMAD_VAR_NAMESPACE sets it)`] : []),
    ];
    if (problems.length) throw new InputError(problems);
    return { ...parsed, Namespace: house.Namespace, Meta: { ...parsed.Meta, ...house.Meta } };
  }
  const merged = mergeOverlay(house, parsed);
  checkDrivers(merged, [overlays.job && 'job.nomad', overlays.group && 'group.nomad'].filter(Boolean).join(' or ') || 'vars.nomad');
  return merged;
}
