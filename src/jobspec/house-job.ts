import type { DeployContext } from '../context/deploy-context.js';
import type { DeployTarget } from '../naming/deploy-target.js';
import { minutes, seconds, type Nanoseconds } from '../settings/duration.js';
import type { Settings } from '../settings/declarations.js';
import { sleepAfterText } from '../settings/sleep-after.js';
import { homeVolume, hostVolume, pvVolume } from './host-volumes.js';
import type { NomadJob, TaskGroup, VolumeRequest } from './nomad-job.js';
import { extraService, mainService } from './services.js';
import { mainTask } from './task.js';

export interface HouseJobOptions {
  /** A fresh random value: it changes the job when the image tag is reused, so Nomad redeploys. */
  readonly renderId: string;
}

/**
 * The house job: one group named after the slug, one task running the project's image, the
 * services the router follows, and the update, restart, reschedule, migrate and spread policies.
 */
export function houseJob(ctx: DeployContext, target: DeployTarget, settings: Settings, options: HouseJobOptions): NomadJob {
  const isService = !settings.IS_BATCH;
  const ports = settings.PORTS;
  // A new allocation has its grace period (HEALTH_TIMEOUT) plus a minute for its checks to
  // pass; past that it is unhealthy and, with no progress deadline, fails the deployment at
  // once, so a broken version is reverted in about a minute and a half, not ten.
  const healthyDeadline = (settings.HEALTH_TIMEOUT + minutes(1)) as Nanoseconds;

  const volumes: Record<string, VolumeRequest> = {
    ...(settings.PERSISTENT_VOLUME ? { pv: hostVolume('pv', pvVolume(settings.NAMESPACE), false) } : {}),
    ...(settings.HOME ? { [homeVolume(settings.HOME)]: hostVolume(homeVolume(settings.HOME), homeVolume(settings.HOME), settings.HOME === 'ro') } : {}),
  };

  const group: TaskGroup = {
    Name: target.slug,
    Count: target.count,
    // An instance leaves the routes (the router polls twice a second) before its container
    // stops, so a redeploy drops no request.
    ...(isService ? { ShutdownDelay: seconds(3) } : {}),
    ...(isService
      ? {
          Update: {
            MaxParallel: 1,
            Canary: settings.COUNT_CANARIES,
            AutoPromote: settings.COUNT_CANARIES > 0,
            AutoRevert: true,
            HealthCheck: 'checks',
            MinHealthyTime: seconds(10),
            HealthyDeadline: healthyDeadline,
            ProgressDeadline: 0 as Nanoseconds,
          },
          Migrate: { MaxParallel: 3, HealthCheck: 'checks', MinHealthyTime: seconds(15), HealthyDeadline: healthyDeadline },
        }
      : {}),
    RestartPolicy: { Attempts: 3, Delay: seconds(15), Interval: minutes(30), Mode: 'fail' },
    // Up to 10 more tries on other nodes, waiting 20s, 40s, 80s… up to 30 minutes between them.
    ReschedulePolicy: {
      Attempts: 10, Delay: seconds(20), MaxDelay: minutes(30), DelayFunction: 'exponential', Interval: minutes(240), Unlimited: false,
    },
    // No network mode: Docker maps each dynamic host port to the container port (`To`).
    Networks: [{ DynamicPorts: ports.map((p) => ({ Label: p.label, Value: 0, To: p.containerPort })) }],
    // Batch jobs run and exit: nothing to route or health-check.
    ...(isService
      ? {
          Services: [
            mainService(target.slug, target.hostnames, settings),
            ...ports.filter((p) => p.kind !== 'http').map((p) => extraService(target.slug, p, target.hostnames[0], settings)),
          ],
        }
      : {}),
    ...(Object.keys(volumes).length ? { Volumes: volumes } : {}),
    Tasks: [mainTask(ctx, target, settings, ports)],
  };

  const meta: Record<string, string> = {
    nom_project: ctx.projectPathSlug,
    nom_branch: ctx.branch,
    nom_commit: ctx.commitSha,
    nom_environment: target.kind,
  };
  // Where the CI gave them: the console links a deployment to its run and commit, and says who.
  if (ctx.runUrl) meta.nom_run_url = ctx.runUrl;
  if (ctx.commitUrl) meta.nom_commit_url = ctx.commitUrl;
  if (ctx.user) meta.nom_user = ctx.user;
  if (target.forcePull || ctx.imageTagReused) meta.nom_render_id = options.renderId;
  // The router reads it; without it, the cluster's default for the environment's kind holds.
  if (settings.SLEEP_AFTER) meta.nom_sleep_after = sleepAfterText(settings.SLEEP_AFTER);

  return {
    ID: target.slug,
    Name: target.slug,
    Namespace: settings.NAMESPACE,
    Type: isService ? 'service' : 'batch',
    Datacenters: ['*'],
    Meta: meta,
    Spreads: [{ Attribute: '${node.unique.id}', Weight: 50 }],
    TaskGroups: [group],
  };
}
