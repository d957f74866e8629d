/**
 * Settings every Nomad agent nom configures shares (local and over SSH), for nom's trust model:
 * whoever may push a branch may submit a job, so the nodes offer only what nom deploys. Pure.
 */

/**
 * Task drivers the nodes do not load. nom deploys containers only (docker, or the podman
 * plugin). raw_exec runs as root on the host; exec and java isolate with the libcontainer that
 * Nomad 1.6.3 itself links (runc 1.1.8, before the fix for CVE-2024-21626), not Docker's; qemu
 * boots whatever image it is given. A token that may submit jobs must reach none of them.
 */
export const DENIED_DRIVERS: readonly string[] = ['exec', 'java', 'qemu', 'raw_exec'];

/** The client `options` entry that keeps them from loading. */
export function driverDenylist(): Record<string, string> {
  return { 'driver.denylist': DENIED_DRIVERS.join(',') };
}
