/**
 * Against the real cluster that scripts/test-integration.sh started with `nom up` (a real Nomad
 * agent driving the real Docker engine). The steps run in order and share that one cluster.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it, after } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nomadHelpers, withBystanders } from '../helpers/nomad-processes.js';
import { recordedSessions } from '../../src/cluster/agent-helpers.js';
import { DockerEngine, dockerSocket } from '../../src/cluster/docker-engine.js';
import { localLayout } from '../../src/cluster/local-layout.js';
import { isRunning, readPid, runsWith, sessionMembers, waitFor } from '../../src/cluster/processes.js';
import type { NomadJob } from '../../src/jobspec/nomad-job.js';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { renderJob } from '../../src/render/render-job.js';
import { NOMAD_VERSION } from '../../src/cluster/versions.js';
import { DENIED_DRIVERS } from '../../src/cluster/agent-hardening.js';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));
const FIXTURE = new URL('../fixtures/production-render.json', import.meta.url);
const layout = localLayout(process.env.NOM_HOME!);
const nomad = new NomadClient(nomadConfig(process.env));
after(() => nomad.close());


function nom(...args: string[]) {
  const run = spawnSync(process.execPath, [NOM, ...args], { encoding: 'utf8', env: process.env });
  return { code: run.status, out: run.stdout + run.stderr };
}

/** The demo app, rendered by the house job exactly as a GitLab pipeline on main would. */
function helloWorldJob(): NomadJob {
  const [repo, tag] = [process.env.NOM_TEST_IMAGE_REPO!, process.env.NOM_TEST_IMAGE_TAG!];
  const result = renderJob(
    {
      CI_PROJECT_PATH_SLUG: 'examples-hello-world',
      CI_PROJECT_NAME: 'hello-world',
      CI_COMMIT_REF_SLUG: 'main',
      CI_COMMIT_SHA: tag,
      CI_REGISTRY_IMAGE: repo.replace(/\/main$/, ''),
      BASE_DOMAIN: 'nom.localhost',
      NOMAD_VAR_CHECK_PATH: '/healthcheck',
    },
    { renderId: 'integration' },
  );
  assert.equal(result.noDeploy, false);
  return result.job;
}

/**
 * Waits until the job has a running, healthy allocation that answers `path` with 200; returns
 * its http address.
 */
async function servingAddress(jobId: string, path: string, timeoutMs = 120_000): Promise<string> {
  let seen = 'no allocation yet';
  return waitFor(
    async () => {
      for (const stub of await nomad.jobs.allocations(jobId)) {
        const alloc = await nomad.allocations.read(stub.ID);
        seen = `allocation ${stub.ID.slice(0, 8)} is ${alloc.ClientStatus}, healthy: ${alloc.DeploymentStatus?.Healthy ?? 'not yet'}`;
        const port = alloc.AllocatedResources?.Shared?.Ports?.find((p) => p.Label === 'http');
        if (alloc.ClientStatus !== 'running' || !alloc.DeploymentStatus?.Healthy || !port) continue;
        const address = `http://${port.HostIP}:${port.Value}`;
        const status = await fetch(address + path).then((r) => r.status, (e: Error) => e.message);
        seen += `; GET ${path}: ${status}`;
        if (status === 200) return address;
      }
      return undefined;
    },
    { timeoutMs, intervalMs: 1000, onTimeout: () => new Error(`${jobId} has no healthy allocation after ${timeoutMs / 1000}s: ${seen}`) },
  );
}

describe('the local cluster', () => {
  it('runs Nomad 1.6.3, the open-source release nom is built and tested on', async () => {
    const self = await nomad.agent.self();
    assert.equal(self.config.Version.Version, NOMAD_VERSION);
    assert.equal(NOMAD_VERSION, '1.6.3');
    const nodes = await nomad.nodes.list();
    assert.deepEqual(nodes.map((n) => n.Version), [NOMAD_VERSION]);
    for (const driver of DENIED_DRIVERS) assert.equal(nodes[0]!.Drivers?.[driver]?.Detected ?? false, false, `the node offers the ${driver} driver`);
  });

  for (const driver of DENIED_DRIVERS) {
    it(`a job submitted straight to the API cannot run a ${driver} task: the node does not load that driver`, async () => {
      const job = helloWorldJob();
      const hostile = { ...job, ID: `hostile-${driver.replace('_', '-')}`, Name: `hostile-${driver}`, TaskGroups: job.TaskGroups.map((g) => ({ ...g, Services: [], Tasks: g.Tasks.map((t) => ({ ...t, Driver: driver, Config: { command: '/bin/sh', args: ['-c', 'cat /etc/shadow'] }, Services: [], Templates: [] })) })) };
      const plan = await nomad.jobs.plan(hostile as NomadJob);
      const failed = Object.values(plan.FailedTGAllocs ?? {});
      assert.equal(failed.length, 1, `the plan placed a ${driver} task`);
      assert.match(JSON.stringify(failed[0]!.ConstraintFiltered), new RegExp(`missing drivers`));
    });
  }

  it('accepts the rendered production job exactly as nom render prints it', async () => {
    const { Job } = JSON.parse(readFileSync(FIXTURE, 'utf8'));
    const answer = await nomad.jobs.validate(Job);
    assert.equal(answer.Error, '');
    assert.equal(answer.ValidationErrors, null);
  });

  it('runs hello-world from the house job and it answers 200 at its allocation address', async () => {
    const job = helloWorldJob();
    await nomad.jobs.register(job);
    const address = await servingAddress(job.ID, '/');
    assert.match(await (await fetch(`${address}/`)).text(), /examples-hello-world\.nom\.localhost/); // CI_HOSTNAME reached the container
  });

  it('nom up again is harmless: it finds the cluster running', () => {
    const { code, out } = nom('up');
    assert.equal(code, 0, out);
    assert.match(out, /already running/);
    assert.match(readFileSync(process.env.NOM_NOMAD_CONFIG_FILE!, 'utf8'), /^export NOMAD_ADDR=http:\/\/127\.0\.0\.1:\d+\nexport NOMAD_TOKEN=[0-9a-f-]{36}\n$/);
  });

  it('after the agent is killed, nom up recovers the same cluster, jobs and all, and kills no process that took a finished task\'s helper PID', async () => {
    // A finished task leaves its helpers' PIDs in the client's state, and the agent that starts
    // again reattaches to them; by then another program may have one (docs/nomad-version.md).
    const job = helloWorldJob();
    const finished = { ...job, ID: 'finished-task', Name: 'finished-task', TaskGroups: job.TaskGroups.map((g) => ({ ...g, Services: [], Tasks: g.Tasks.map((t) => ({ ...t, Services: [] })) })) };
    const running = new Set(nomadHelpers(layout));
    await nomad.jobs.register(finished as NomadJob);
    const its = await waitFor(async () => {
      const added = nomadHelpers(layout).filter((p) => !running.has(p));
      return added.length >= 2 ? added : undefined; // its logmon and docker_logger
    }, { timeoutMs: 60_000, onTimeout: () => new Error('the finished-task job started no helpers') });
    await nomad.jobs.deregister(finished.ID);
    try {
      await withBystanders(its, agentKilledAndRecovered);
    } finally {
      await nomad.jobs.deregister(finished.ID, { purge: true }).catch(() => undefined);
    }
  });

  // Kills the agent and has nom up start it again. The restarted client's first calls can be refused ("Permission denied") while the server
  // loads its keyring; the allocation then fails and Nomad reschedules it (about 20s later), so
  // "serves again" may take a new allocation.
  async function agentKilledAndRecovered() {
    const pid = readPid(layout.pidFile)!;
    // Never another process that took a dead agent's PID (this test's own, once).
    assert.ok(runsWith(pid, layout.configFile), `pid ${pid} of ${layout.pidFile} is not the agent`);
    process.kill(pid, 'SIGKILL');
    await waitFor(async () => (isRunning(pid) ? undefined : true), { timeoutMs: 10_000, onTimeout: () => new Error('agent did not die') });
    const { code, out } = nom('up');
    assert.equal(code, 0, out);
    assert.match(out, /starting Nomad/);
    const jobs = await nomad.jobs.list();
    assert.ok(jobs.some((j) => j.ID === 'examples-hello-world'), `jobs after recovery: ${jobs.map((j) => j.ID).join(', ')}`);
    await servingAddress('examples-hello-world', '/healthcheck');
  }

  // Nomad's client records the PIDs of its helpers to reattach to them, and a restarted agent
  // SIGKILLs a recorded PID it cannot reach (go-plugin): after nom down ended the helpers, that
  // was whatever program had since been given the PID (once, this test run itself).
  it('nom down, then nom up: the jobs run again, and no process that took a stopped helper PID is killed', async () => {
    const helpers = nomadHelpers(layout);
    assert.ok(helpers.length > 0, 'the running job has no logmon or docker_logger helper');
    const down = nom('down');
    assert.equal(down.code, 0, down.out);
    await withBystanders(helpers, async () => {
      const up = nom('up');
      assert.equal(up.code, 0, up.out);
      await servingAddress('examples-hello-world', '/healthcheck');
    });
  });

  it('nom down leaves no process and no container of the cluster behind', async () => {
    const before = recordedSessions(layout);
    const allocIds = new Set(execFileSync('ls', [`${layout.dataDir}/alloc`], { encoding: 'utf8' }).split('\n').filter(Boolean));
    const { code, out } = nom('down');
    assert.equal(code, 0, out);
    assert.deepEqual(before.flatMap(sessionMembers), []);
    const containers = await new DockerEngine(dockerSocket(process.env)).containersWithLabel('com.hashicorp.nomad.alloc_id');
    assert.deepEqual(containers.filter((c) => allocIds.has(c.Labels['com.hashicorp.nomad.alloc_id']!)), []);
  });
});
