/**
 * A hostile pipeline asks for the node: the host's filesystem, the Docker socket, /etc, the
 * node's network, privileges, all capabilities, the host's PIDs — through settings, through a
 * project.nomad overlay, and straight through Nomad's API where Nomad is the one to refuse. Each
 * is refused, what runs does not change, and no container on the node has any of it. What an
 * operator grants (`nom grants`) is then allowed.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { waitFor } from '../../src/cluster/processes.js';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { renderJob } from '../../src/render/render-job.js';
import { nom, pipeline } from '../helpers/pipeline.js';

const TAG = process.env.NOM_TEST_IMAGE_TAG!;
const JOB = 'nom-hostile';
const nomad = new NomadClient(nomadConfig(process.env));
const work = mkdtempSync(join(tmpdir(), 'nom-hostile-'));
const operator = { PATH: process.env.PATH!, NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!, NOM_NOMAD_CONFIG_FILE: '/nonexistent' };
after(async () => {
  await nom(['grants', 'default', '--none'], operator);
  for (const job of [JOB, 'nom-hostile-api']) await nomad.jobs.deregister(job, { purge: true }).catch(() => undefined);
  nomad.close();
  rmSync(work, { recursive: true, force: true });
});

const hostile = (extra: Record<string, string> = {}) => pipeline(TAG, { NOMAD_VAR_COUNT_CANARIES: '0', ...extra }, 'main', JOB);
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

describe('a hostile deploy', () => {
  let version: number;

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

  it('straight through the API, Nomad itself refuses privileged containers and extra capabilities', async () => {
    const rendered = renderJob({ CI_PROJECT_PATH_SLUG: 'nom-hostile-api', CI_PROJECT_NAME: 'api', CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: TAG, CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_CHECK_PATH: '/healthcheck', NOMAD_VAR_COUNT_CANARIES: '0' }, { renderId: 'api' });
    assert.equal(rendered.noDeploy, false);
    if (rendered.noDeploy) return;
    for (const config of [{ privileged: true }, { cap_add: ['ALL'] }]) {
      const job = structuredClone(rendered.job);
      Object.assign(job.TaskGroups[0]!.Tasks[0]!.Config as object, config);
      await nomad.jobs.register(job);
      const failed = await waitFor(
        async () => {
          const allocs = await nomad.jobs.allocations('nom-hostile-api');
          const events = allocs.flatMap((a) => Object.values(a.TaskStates ?? {}).flatMap((s) => (s as { Events?: { DisplayMessage?: string }[] }).Events ?? []));
          return events.find((e) => /privileged|capabilit/i.test(e.DisplayMessage ?? ''));
        },
        { timeoutMs: 60_000, onTimeout: () => new Error(`Nomad ran ${JSON.stringify(config)} without a word`) },
      );
      assert.match(failed.DisplayMessage!, /privileged|capabilit/i);
      await nomad.jobs.deregister('nom-hostile-api', { purge: true });
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

  it('what an operator grants is allowed: a host directory, read-only', async () => {
    const grant = await nom(['grants', 'default', '--host-path', '/usr/share/doc'], operator);
    assert.equal(grant.code, 0, grant.out);
    assert.match(grant.out, /^default: host paths \/usr\/share\/doc$/m);
    const run = await nom(['deploy'], hostile({ NOMAD_VAR_VOLUMES: '["/usr/share/doc:/doc:ro"]' }));
    assert.equal(run.code, 0, run.out);
    const still = await nom(['deploy'], hostile({ NOMAD_VAR_VOLUMES: '["/usr/share:/share:ro"]' }));
    assert.equal(still.code, 2, 'a grant covers its directory, not the one above');
  });
});
