import type { VolumeMount, VolumeRequest } from './nomad-job.js';

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
