/**
 * A hostile pipeline, holding the namespace's deploy token, asks for the node: the host's
 * filesystem, the Docker socket, /etc, the node's network, privileges, all capabilities, the
 * host's PIDs, another namespace's persistent directory — through settings, through a
 * project.nomad overlay, and straight through Nomad's API where Nomad is the one to refuse. Each
 * is refused, what runs does not change, and no container on the node has any of it. What an
 * operator grants (`nom grants`) is then allowed, and the namespace's persistent directory keeps
 * its data across versions and a restart of the node's agent.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { localLayout } from '../../src/cluster/local-layout.js';
import { isRunning, readPid, waitFor } from '../../src/cluster/processes.js';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { renderJob } from '../../src/render/render-job.js';
import { seconds } from '../../src/settings/duration.js';
import type { NomadJob } from '../../src/jobspec/nomad-job.js';
import { nomadHelpers } from '../helpers/nomad-processes.js';
import { nom, pipeline } from '../helpers/pipeline.js';

const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const JOB = 'nom-hostile';
const nomad = new NomadClient(nomadConfig(process.env));
const work = mkdtempSync(join(tmpdir(), 'nom-hostile-'));
const operator = { PATH: process.env.PATH!, NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!, NOM_NOMAD_CONFIG_FILE: '/nonexistent' };
/** The namespace's deploy token, as its pipelines hold it. */
let token = '';
const MARKER = '/pv/default/nom-hostile-marker';
after(async () => {
  await nom(['grants', 'default', '--none'], operator);
  rmSync(MARKER, { force: true });
  rmSync(`/pv/${JOB}`, { recursive: true, force: true });
  for (const job of [JOB, 'nom-hostile-api']) await nomad.jobs.deregister(job, { purge: true }).catch(() => undefined);
  nomad.close();
  rmSync(work, { recursive: true, force: true });
});

const hostile = (extra: Record<string, string> = {}) => pipeline(TAG, { NOMAD_TOKEN: token, NOMAD_VAR_COUNT_CANARIES: '0', ...extra }, 'main', JOB);
const overlay = (project: string) => {
  const dir = mkdtempSync(join(work, 'overlay-'));
  writeFileSync(join(dir, 'project.nomad'), project);
  return dir;
};
/** project.nomad: the house job's shape with `extra` lines in the task's docker config. */
const projectNomad = (extra: string) => `job "NOMAD_VAR_SLUG" {
  datacenters = ["*"]
  group "web" {
    network {
      port "http" { to = 5000 }
    }
    task "http" {
      driver = "docker"
      config {
        image = "nom.local/examples/hello-world/main:${TAG}"
        ports = ["http"]
${extra}
      }
      resources {
        memory = 64
      }
    }
  }
}
`;

/** What Docker says about every container of the cluster's allocations. */
function containers(): { Name: string; HostConfig: { Privileged: boolean; CapAdd: string[] | null; PidMode: string; NetworkMode: string; Binds: string[] | null } }[] {
  const ids = execFileSync('docker', ['ps', '-aq', '--filter', 'label=com.hashicorp.nomad.alloc_id'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return ids.length ? JSON.parse(execFileSync('docker', ['inspect', ...ids], { encoding: 'utf8' })) : [];
}

/** Runs `code` (node) in the running container of `job` at `version`; its stdout. */
async function inContainer(job: string, version: number, code: string): Promise<string> {
  const alloc = (await nomad.jobs.allocations(job)).find((a) => a.ClientStatus === 'running' && a.JobVersion === version);
  assert.ok(alloc, `no running allocation of ${job} version ${version}`);
  const id = execFileSync('docker', ['ps', '-q', '--filter', `label=com.hashicorp.nomad.alloc_id=${alloc.ID}`], { encoding: 'utf8' }).trim();
  return execFileSync('docker', ['exec', id, 'node', '-e', code], { encoding: 'utf8' });
}

/** The house job of project nom-hostile-api, as a pipeline would render it, changed by `change`. */
function apiJob(change: (job: NomadJob) => void): NomadJob {
  const rendered = renderJob({ CI_PROJECT_PATH_SLUG: 'nom-hostile-api', CI_PROJECT_NAME: 'api', CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: TAG, CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_CHECK_PATH: '/healthcheck', NOMAD_VAR_COUNT_CANARIES: '0' }, { renderId: 'api' });
  assert.equal(rendered.noDeploy, false);
  const job = structuredClone((rendered as { job: NomadJob }).job);
  change(job);
  return job;
}

describe('a hostile deploy', () => {
  let version: number;

  before(async () => {
    const made = await nom(['token', 'create', '--namespace', 'default', '--name', 'nom-hostile pipeline'], operator);
    assert.equal(made.code, 0, made.out);
    token = /^([0-9a-f-]{36})$/m.exec(made.out)?.[1] ?? assert.fail(made.out);
  });

  it('starts from a running app', async () => {
    const run = await nom(['deploy'], hostile());
    assert.equal(run.code, 0, run.out);
    version = (await nomad.jobs.read(JOB, 'default'))!.Version;
  });

  it('settings cannot reach the node: the host\'s root, the Docker socket, /etc, the node\'s network', async () => {
    for (const [setting, value, said] of [
      ['NOMAD_VAR_VOLUMES', '["/:/host"]', /NOMAD_VAR_VOLUMES: the host path \/ is not granted to namespace default/],
      ['NOMAD_VAR_VOLUMES', '["/var/run/docker.sock:/var/run/docker.sock"]', /NOMAD_VAR_VOLUMES: the host path \/var\/run\/docker\.sock is not granted/],
      ['NOMAD_VAR_BIND_MOUNTS', '[{ type = "bind", source = "/etc", target = "/host-etc" }]', /NOMAD_VAR_BIND_MOUNTS: the host path \/etc is not granted/],
      ['NOMAD_VAR_NETWORK_MODE', 'host', /NOMAD_VAR_NETWORK_MODE: task "http" asks for the node's network: not granted/],
      ['NOMAD_VAR_VOLUMES', '["local/evil:/host"]', /NOMAD_VAR_VOLUMES: task "http" mounts "local\/evil" from its allocation directory, where the container can put a link to any path on the node/],
    ] as const) {
      const run = await nom(['deploy'], hostile({ [setting]: value }));
      assert.equal(run.code, 2, `${setting}=${value}\n${run.out}`);
      assert.match(run.out, said);
    }
  });

  it('a project.nomad cannot either: privileged, all capabilities, the host\'s PIDs, the host\'s root, another job ID', async () => {
    for (const [extra, said] of [
      ['privileged = true', /project\.nomad: task "http" sets privileged/],
      ['cap_add = ["ALL"]', /project\.nomad: task "http" sets cap_add/],
      ['pid_mode = "host"', /project\.nomad: task "http" sets pid_mode/],
      ['volumes = ["/:/host"]', /project\.nomad: the host path \/ is not granted/],
    ] as const) {
      const run = await nom(['deploy'], hostile(), overlay(projectNomad(`        ${extra}`)));
      assert.equal(run.code, 2, `${extra}\n${run.out}`);
      assert.match(run.out, said);
    }
    const renamed = await nom(['deploy'], hostile(), overlay(projectNomad('').replace('job "NOMAD_VAR_SLUG"', 'job "someone-else"')));
    assert.equal(renamed.code, 2, renamed.out);
    assert.match(renamed.out, /project\.nomad: the job is "someone-else", but this deploy is the job nom-hostile/);
    assert.equal((await nomad.jobs.read(JOB, 'default'))!.Version, version, 'a refused deploy changed the job');
  });

  it('straight through the API with the deploy token, Nomad itself refuses host paths, the Docker socket, privileges and extra capabilities', async () => {
    const scoped = new NomadClient(nomadConfig({ NOMAD_ADDR: process.env.NOMAD_ADDR, NOMAD_TOKEN: token }));
    try {
      for (const [config, said] of [
        [{ privileged: true }, /privileged/i],
        [{ cap_add: ['ALL'] }, /capabilit/i],
        [{ volumes: ['/:/host'] }, /volumes are not enabled; cannot mount host paths/],
        [{ volumes: ['/var/run/docker.sock:/var/run/docker.sock'] }, /volumes are not enabled/],
        [{ mount: [{ type: 'bind', source: '/etc', target: '/host-etc' }] }, /volumes are not enabled; cannot mount host path/],
      ] as const) {
        await scoped.jobs.register(apiJob((job) => Object.assign(job.TaskGroups[0]!.Tasks[0]!.Config as object, config)));
        const failed = await waitFor(
          async () => {
            const allocs = await scoped.jobs.allocations('nom-hostile-api');
            const events = allocs.flatMap((a) => Object.values(a.TaskStates ?? {}).flatMap((s) => (s as { Events?: { DisplayMessage?: string }[] }).Events ?? []));
            return events.find((e) => said.test(e.DisplayMessage ?? ''));
          },
          { timeoutMs: 60_000, onTimeout: () => new Error(`Nomad ran ${JSON.stringify(config)} without a word`) },
        );
        assert.match(failed.DisplayMessage!, said);
        await scoped.jobs.deregister('nom-hostile-api', { purge: true });
      }
      // Host volumes: only those the namespace's policy names, checked when the job is submitted.
      for (const source of ['home-rw', 'pv-other-team']) {
        const job = apiJob((j) => {
          j.TaskGroups[0]!.Volumes = { v: { Name: 'v', Type: 'host', Source: source, ReadOnly: false } };
          j.TaskGroups[0]!.Tasks[0]!.VolumeMounts = [{ Volume: 'v', Destination: '/v', ReadOnly: false }];
        });
        await assert.rejects(scoped.jobs.register(job), /403/, `the token mounted ${source}`);
      }
    } finally {
      scoped.close();
    }
  });

  it('no container on the node has any of it, and the app still runs its version', async () => {
    for (const c of containers()) {
      const h = c.HostConfig;
      assert.equal(h.Privileged, false, `${c.Name} is privileged`);
      assert.ok(!(h.CapAdd ?? []).some((cap) => /ALL/i.test(cap)), `${c.Name} has ${h.CapAdd}`);
      assert.notEqual(h.PidMode, 'host', `${c.Name} shares the host's PIDs`);
      assert.notEqual(h.NetworkMode, 'host', `${c.Name} is on the node's network`);
      assert.ok(!(h.Binds ?? []).some((b) => /^\/:|docker\.sock|^\/etc[:/]/.test(b)), `${c.Name} binds ${h.Binds}`);
    }
    const job = (await nomad.jobs.read(JOB, 'default'))!;
    assert.equal(job.Version, version);
    assert.equal(job.Status, 'running');
  });

  it('what an operator grants is allowed: /home read-only, which Nomad then lets the token mount', async () => {
    const refused = await nom(['deploy'], hostile({ NOMAD_VAR_HOME: 'ro' }));
    assert.equal(refused.code, 2, refused.out);
    assert.match(refused.out, /NOMAD_VAR_HOME: group "nom-hostile" mounts the host volume home-ro: not granted to namespace default/);
    const grant = await nom(['grants', 'default', '--home', 'ro'], operator);
    assert.equal(grant.code, 0, grant.out);
    assert.match(grant.out, /updated the policy deploy-default/);
    assert.match(grant.out, /^default: \/home read-only$/m);
    const run = await nom(['deploy'], hostile({ NOMAD_VAR_HOME: 'ro' }));
    assert.equal(run.code, 0, run.out);
    version = (await nomad.jobs.read(JOB, 'default'))!.Version;
    assert.match(await inContainer(JOB, version, "try { require('fs').writeFileSync('/home/x', 'x') } catch (e) { process.stdout.write(e.code) }"), /EROFS/);
    const rw = await nom(['deploy'], hostile({ NOMAD_VAR_HOME: 'rw' }));
    assert.equal(rw.code, 2, 'read-only /home does not grant read-write');
    // Host paths need nodes that mount them, which a cluster made without --trusted has not.
    const paths = await nom(['grants', 'default', '--host-path', '/usr/share/doc'], operator);
    assert.equal(paths.code, 0, paths.out);
    assert.match(paths.out, /warning: no node mounts host paths \(their docker plugin has volumes off; `nom up --trusted`/);
  });

  it('a directory the operator offers as a host volume and grants: the seed\'s NOMAD_VAR_VOLUMES entry of it mounts it', async () => {
    const env = { ...(process.env as Record<string, string>) };
    const offer = await nom(['up', '--no-nomad-config', '--host-volume', 'docs=/usr/share/doc:ro'], env);
    assert.equal(offer.code, 0, offer.out);
    assert.match(offer.out, /the agent configuration changed: restarting Nomad/);
    const unknown = await nom(['grants', 'default', '--host-volume', 'nope'], operator);
    assert.equal(unknown.code, 2, unknown.out);
    assert.match(unknown.out, /--host-volume "nope": no node offers a host volume nope \(they offer docs, home-ro, home-rw, pv-default\)/);
    const grant = await nom(['grants', 'default', '--host-volume', 'docs'], operator);
    assert.equal(grant.code, 0, grant.out);
    assert.match(grant.out, /host volumes docs \(\/usr\/share\/doc, read-only\)/);
    const run = await nom(['deploy'], hostile({ NOMAD_VAR_VOLUMES: '["/usr/share/doc:/doc:ro"]' }));
    assert.equal(run.code, 0, run.out);
    const version = (await nomad.jobs.read(JOB, 'default'))!.Version;
    assert.match(await inContainer(JOB, version, "process.stdout.write(require('fs').readdirSync('/doc').join(' '))"), /\S/);
    const job = (await nomad.jobs.read(JOB, 'default'))!;
    const docs = job.TaskGroups[0]!.Volumes?.docs;
    assert.deepEqual([docs?.Type, docs?.Source, docs?.ReadOnly], ['host', 'docs', true], 'a host volume, not a docker bind');
    assert.equal((job.TaskGroups[0]!.Tasks[0]!.Config as { volumes?: unknown }).volumes, undefined);
  });

  it('the namespace\'s persistent directory keeps its data from version 1 to version 2, and across a restart of the node\'s agent', async () => {
    const v1 = await nom(['deploy'], hostile({ NOMAD_VAR_PERSISTENT_VOLUME: '/data' }));
    assert.equal(v1.code, 0, v1.out);
    const first = (await nomad.jobs.read(JOB, 'default'))!.Version;
    await inContainer(JOB, first, "require('fs').writeFileSync('/data/nom-hostile-marker', 'written by version 1')");
    const v2 = await nom(['deploy'], pipeline(`${TAG}-v2`, { NOMAD_TOKEN: token, NOMAD_VAR_COUNT_CANARIES: '0', NOMAD_VAR_PERSISTENT_VOLUME: '/data' }, 'main', JOB));
    assert.equal(v2.code, 0, v2.out);
    const second = (await nomad.jobs.read(JOB, 'default'))!.Version;
    assert.ok(second > first);
    const read = "process.stdout.write(require('fs').readFileSync('/data/nom-hostile-marker', 'utf8'))";
    assert.equal(await inContainer(JOB, second, read), 'written by version 1');

    // The agent stops (its containers keep running) and nom up starts it again.
    const layout = localLayout(process.env.NOM_HOME!);
    const pid = readPid(layout.pidFile)!;
    process.kill(pid, 'SIGTERM');
    await waitFor(async () => (isRunning(pid) ? undefined : true), { timeoutMs: 30_000, onTimeout: () => new Error('the Nomad agent did not stop') });
    const up = await nom(['up', '--no-nomad-config'], { ...(process.env as Record<string, string>) });
    assert.equal(up.code, 0, up.out);
    // The restarted client takes its allocations back (restarting a task it cannot reattach to).
    const after = await waitFor(async () => inContainer(JOB, second, read).catch(() => undefined), {
      timeoutMs: 90_000,
      onTimeout: () => new Error('no running container of the job after the agent restarted'),
    });
    assert.equal(after, 'written by version 1');
    assert.equal(readFileSync(MARKER, 'utf8'), 'written by version 1', 'the data is in /pv/default on the node');
  });

  it('a limit nom documents: on Nomad 1.6.3 a task-relative volume the container made a link reaches the node, so only nom refuses it', async () => {
    // A directory of the node's that the container's user (nobody) could read, were it mounted.
    const onNode = mkdtempSync(join(tmpdir(), 'nom-hostile-node-'));
    chmodSync(onNode, 0o755);
    writeFileSync(join(onNode, 'marker'), 'only on the node', { mode: 0o644 });
    const script = `const fs = require('fs');
if (fs.existsSync('/reached/marker')) { console.log('REACHED ' + fs.readFileSync('/reached/marker', 'utf8')); setInterval(() => {}, 1e6); }
else { fs.rmSync('/local/evil', { recursive: true, force: true }); fs.symlinkSync(${JSON.stringify(onNode)}, '/local/evil'); process.exit(1); }`;
    const scoped = new NomadClient(nomadConfig({ NOMAD_ADDR: process.env.NOMAD_ADDR, NOMAD_TOKEN: token }));
    try {
      await scoped.jobs.register(apiJob((job) => {
        job.TaskGroups[0]!.RestartPolicy = { ...job.TaskGroups[0]!.RestartPolicy, Attempts: 3, Delay: seconds(1), Mode: 'fail' };
        Object.assign(job.TaskGroups[0]!.Tasks[0]!.Config as object, { entrypoint: ['node', '-e', script], volumes: ['local/evil:/reached'] });
      }));
      // What the task printed, over all its restarts (Nomad keeps its logs; Docker's containers go).
      const logs = async () => {
        const allocs = await scoped.jobs.allocations('nom-hostile-api');
        const texts = await Promise.all(allocs.flatMap((a) => (['stdout', 'stderr'] as const).map((type) => scoped.allocations.logsTail(a.ID, 'http', type, 'default').catch(() => ''))));
        return texts.join('');
      };
      let printed = '';
      const reached = await waitFor(async () => {
        const text = await logs();
        printed = text;
        return /REACHED/.test(text) ? text : undefined;
      }, {
        timeoutMs: 90_000,
        onTimeout: () => new Error(`the link was not followed; the task printed: ${printed}`),
      });
      assert.match(reached, /REACHED only on the node/, 'docs/nomad-version.md says this applies to 1.6.3: if it no longer does, say so there');
    } finally {
      await scoped.jobs.deregister('nom-hostile-api', { purge: true }).catch(() => undefined);
      scoped.close();
      rmSync(onNode, { recursive: true, force: true });
    }
  });

  it('a trusted cluster (nom up --trusted) runs the seed\'s host paths, and --no-trusted takes them back', async () => {
    const env = { ...(process.env as Record<string, string>) };
    const trusted = await nom(['up', '--no-nomad-config', '--trusted'], env);
    assert.equal(trusted.code, 0, trusted.out);
    assert.match((await nom(['grants', 'default'], operator)).out, /^default: trusted/m);
    const run = await nom(['deploy'], hostile({ NOMAD_VAR_VOLUMES: '["/usr/lib:/hostlib:ro"]', NOMAD_VAR_PERSISTENT_VOLUME: '/data' }));
    assert.equal(run.code, 0, run.out);
    const deployed = (await nomad.jobs.read(JOB, 'default'))!;
    const version = deployed.Version;
    // The seed's layout: the project's own /pv/<project>, bound by docker.
    assert.deepEqual((deployed.TaskGroups[0]!.Tasks[0]!.Config as { volumes: string[] }).volumes, ['/usr/lib:/hostlib:ro', `/pv/${JOB}:/data`]);
    assert.match(await inContainer(JOB, version, "process.stdout.write(String(require('fs').readdirSync('/hostlib').length))"), /^[1-9]/);

    // The restart keeps the running containers and Nomad's helpers of their tasks, which the new
    // agent reattaches to: a helper ended here would leave its PID for the agent to SIGKILL.
    const helpers = nomadHelpers(localLayout(process.env.NOM_HOME!));
    assert.ok(helpers.length > 0, 'the deployed job has no logmon or docker_logger helper');
    const back = await nom(['up', '--no-nomad-config', '--no-trusted'], env);
    assert.equal(back.code, 0, back.out);
    assert.match(back.out, /restarting Nomad/);
    assert.deepEqual(helpers.filter((pid) => !isRunning(pid)), [], 'helpers ended with the restart');
    assert.doesNotMatch((await nom(['grants', 'default'], operator)).out, /trusted/);
    const refused = await nom(['deploy'], hostile({ NOMAD_VAR_VOLUMES: '["/usr/lib:/hostlib:ro"]', NOMAD_VAR_MEMORY: '65' }));
    assert.equal(refused.code, 2, refused.out);
    assert.match(refused.out, /NOMAD_VAR_VOLUMES: the host path \/usr\/lib is not granted to namespace default/);
  });
});
