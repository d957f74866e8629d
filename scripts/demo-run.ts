// Runs the job `nom render` makes from this environment on the cluster in NOMAD_ADDR, waits
// until an allocation is healthy and answers, and prints its URL. A stand-in for `nom deploy`.
import { randomUUID } from 'node:crypto';
import { waitFor } from '../src/cluster/processes.js';
import { NomadClient } from '../src/nomad/client.js';
import { nomadConfig } from '../src/nomad/config.js';
import { renderJob } from '../src/render/render-job.js';

const result = renderJob(process.env, { renderId: randomUUID() });
if (result.noDeploy) process.exit(0);
for (const line of result.lines) console.error(line);
const nomad = new NomadClient(nomadConfig(process.env));
await nomad.jobs.register(result.job);
console.error(`registered job ${result.job.ID}; waiting for a healthy allocation …`);
const url = await waitFor(
  async () => {
    for (const stub of await nomad.jobs.allocations(result.job.ID)) {
      const alloc = await nomad.allocations.read(stub.ID);
      const port = alloc.AllocatedResources?.Shared?.Ports?.find((p) => p.Label === 'http');
      if (alloc.ClientStatus !== 'running' || !alloc.DeploymentStatus?.Healthy || !port) continue;
      const address = `http://${port.HostIP}:${port.Value}/`;
      if ((await fetch(address).catch(() => undefined))?.ok) return address;
    }
    return undefined;
  },
  { timeoutMs: 180_000, intervalMs: 1000, onTimeout: () => new Error(`no healthy allocation of ${result.job.ID} after 3 minutes: see \`nomad job status ${result.job.ID}\``) },
);
nomad.close();
console.log(url);
