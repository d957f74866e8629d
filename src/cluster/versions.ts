import versions from '../../versions.json' with { type: 'json' };

/**
 * The releases nom installs and is tested on. versions.json is the one place they are written;
 * scripts/versions.sh reads it for the build scripts.
 *
 * Nomad 1.6.3 is the newest release under the MPL-2.0. From 1.7.0 on Nomad is under the
 * Business Source License, which is not an open-source licence.
 */
export const NOMAD_VERSION: string = versions.nomad.version;
/** The Caddy and Node releases `nom cluster create` installs on ingress nodes. */
export const CADDY_VERSION: string = versions.caddy.version;
/** Consul 1.14.11, the last release that needs no module outside the MPL-2.0 (`nom up --consul`). */
export const CONSUL_VERSION: string = versions.consul.version;
export const NODE_VERSION: string = versions.node.version;
