import { posix } from 'node:path';
import type { HostVolumeGrant } from './container-rules.js';
import type { NomadJob, VolumeMount, VolumeRequest } from './nomad-job.js';

/**
 * Host directories reach a job only as Nomad host volumes, which a token may mount only where
 * its ACL policy says so (`host_volume` rules): the nodes' docker plugin mounts no host path.
 * Each namespace has its persistent directory, `/pv/<namespace>`, as the host volume
 * `pv-<namespace>`; `/home` is `home-ro` and `home-rw`. Pure.
 */
export const pvVolume = (namespace: string) => `pv-${namespace}`;
export const pvDirectory = (namespace: string) => `/pv/${namespace}`;

export type HomeMode = 'ro' | 'rw';
export const homeVolume = (mode: HomeMode) => `home-${mode}`;

/** A group's request for the host volume `source`, under the `name` its tasks mount it by. */
export function hostVolume(name: string, source: string, readOnly: boolean): VolumeRequest {
  return { Name: name, Type: 'host', Source: source, ReadOnly: readOnly };
}

export function mountOf(volume: string, destination: string, readOnly: boolean): VolumeMount {
  return { Volume: volume, Destination: destination, ReadOnly: readOnly };
}

/**
 * The job with each VOLUMES or BIND_MOUNTS entry whose host directory is exactly a granted host
 * volume's turned into a mount of that volume, so the seed's settings keep working on nodes that
 * mount no host path themselves. A read-only grant mounts read-only. Other entries stay as they
 * are (and are checked as host paths). Pure.
 */
export function withGrantedVolumes(job: NomadJob, granted: readonly HostVolumeGrant[]): NomadJob {
  if (!granted.length) return job;
  const byPath = new Map(granted.map((v) => [posix.normalize(v.path).replace(/(.)\/$/, '$1'), v]));
  const find = (source: string) => byPath.get(posix.normalize(source).replace(/(.)\/$/, '$1'));
  return {
    ...job,
    TaskGroups: job.TaskGroups.map((group) => {
      const volumes: Record<string, VolumeRequest> = { ...group.Volumes };
      const tasks = group.Tasks.map((task) => {
        if (task.Driver !== 'docker' && task.Driver !== 'podman') return task;
        const config = { ...(task.Config as Record<string, unknown>) };
        const mounts: VolumeMount[] = [...(task.VolumeMounts ?? [])];
        const use = (volume: HostVolumeGrant, destination: string, readOnly: boolean) => {
          const ro = readOnly || volume.readOnly;
          const before = volumes[volume.name];
          volumes[volume.name] = hostVolume(volume.name, volume.name, (before?.ReadOnly ?? true) && ro);
          mounts.push(mountOf(volume.name, destination, ro));
        };
        if (Array.isArray(config.volumes)) {
          config.volumes = (config.volumes as unknown[]).filter((entry) => {
            const [source = '', destination = '', mode = ''] = String(entry).split(':');
            const volume = source.startsWith('/') && destination ? find(source) : undefined;
            if (volume) use(volume, destination, mode.split(',').includes('ro'));
            return !volume;
          });
          if (!(config.volumes as unknown[]).length) delete config.volumes;
        }
        if (Array.isArray(config.mount)) {
          config.mount = (config.mount as Record<string, unknown>[]).filter((m) => {
            const volume = m.type === 'bind' && typeof m.source === 'string' && typeof m.target === 'string' ? find(m.source) : undefined;
            if (volume) use(volume, String(m.target), m.readonly === true);
            return !volume;
          });
          if (!(config.mount as unknown[]).length) delete config.mount;
        }
        return { ...task, Config: config, ...(mounts.length ? { VolumeMounts: mounts } : {}) };
      });
      return { ...group, ...(Object.keys(volumes).length ? { Volumes: volumes } : {}), Tasks: tasks };
    }),
  };
}

/**
 * In a trusted namespace, the seed's own layout: PERSISTENT_VOLUME is the project's directory
 * /pv/<project>, bound by docker (a trusted cluster's nodes mount host paths), not the
 * namespace's host volume. Pure.
 */
export function withProjectPersistentVolume(job: NomadJob, project: string): NomadJob {
  return {
    ...job,
    TaskGroups: job.TaskGroups.map((group) => {
      if (group.Volumes?.pv?.Source !== pvVolume(job.Namespace)) return group;
      const { pv: _pv, ...others } = group.Volumes;
      const tasks = group.Tasks.map((task) => {
        const mount = task.VolumeMounts?.find((m) => m.Volume === 'pv');
        if (!mount) return task;
        const config = task.Config as Record<string, unknown>;
        const rest = task.VolumeMounts!.filter((m) => m !== mount);
        return {
          ...task,
          Config: { ...config, volumes: [...((config.volumes as string[] | undefined) ?? []), `/pv/${project}:${mount.Destination}`] },
          VolumeMounts: rest.length ? rest : undefined,
        };
      });
      return { ...group, Volumes: Object.keys(others).length ? others : undefined, Tasks: tasks };
    }),
  };
}
