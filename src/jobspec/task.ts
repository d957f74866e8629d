import { REGISTRY_PASSWORD_KEY } from '../context/secrets.js';
import type { DeployContext } from '../context/deploy-context.js';
import type { DeployTarget } from '../naming/deploy-target.js';
import type { Settings } from '../settings/declarations.js';
import type { PortSpec } from '../settings/ports.js';
import type { Task, VolumeMount } from './nomad-job.js';
import { homeVolume, mountOf } from './host-volumes.js';
import { MAIN_TASK } from './services.js';
import { ciFactsTemplate, secretsPath, secretsTemplate } from './templates.js';

/** The task that runs the project's image. */
export function mainTask(ctx: DeployContext, target: DeployTarget, settings: Settings, ports: readonly PortSpec[]): Task {
  const driver = settings.DEPLOY_WITH_PODMAN ? 'podman' : 'docker';
  const volumes = settings.VOLUMES;
  const config: Record<string, unknown> = {
    image: ctx.image,
    force_pull: target.forcePull,
    network_mode: settings.NETWORK_MODE,
    // With more tasks in the group, the others own the extra ports.
    ports: (settings.MULTI_CONTAINER ? ports.filter((p) => p.kind === 'http') : ports).map((p) => p.label),
  };
  if (driver === 'docker') {
    config.image_pull_timeout = '20m';
    if (volumes.length) config.volumes = volumes;
    if (settings.BIND_MOUNTS.length) {
      config.mount = settings.BIND_MOUNTS.map((m) => ({ type: 'bind', source: m.source, target: m.target, readonly: m.readonly }));
    }
  } else {
    // The podman driver has no `mount`; its volumes take bind mounts as source:target[:ro].
    const binds = settings.BIND_MOUNTS.map((m) => `${m.source}:${m.target}${m.readonly ? ':ro' : ''}`);
    if (volumes.length || binds.length) config.volumes = [...volumes, ...binds];
  }
  if (ctx.registryAuth) {
    // The password reaches the driver from the secrets template's environment, not the job.
    config.auth = [{ username: ctx.registryAuth.username, password: `\${${REGISTRY_PASSWORD_KEY}}` }];
  }

  // The namespace's persistent directory and /home are host volumes (see house-job.ts).
  const volumeMounts: VolumeMount[] = [
    ...(settings.PERSISTENT_VOLUME ? [mountOf('pv', settings.PERSISTENT_VOLUME, false)] : []),
    ...(settings.HOME ? [mountOf(homeVolume(settings.HOME), '/home', settings.HOME === 'ro')] : []),
  ];
  const hasSecrets = ctx.secrets.size > 0 || ctx.registryAuth !== undefined;
  return {
    Name: MAIN_TASK,
    Driver: driver,
    Config: config,
    Resources: { CPU: settings.CPU, MemoryMB: settings.MEMORY, MemoryMaxMB: settings.MEMORY * 10 },
    ...(volumeMounts.length ? { VolumeMounts: volumeMounts } : {}),
    Templates: [ciFactsTemplate(ctx, target.hostnames[0]), ...(hasSecrets ? [secretsTemplate(secretsPath(target.slug))] : [])],
  };
}
