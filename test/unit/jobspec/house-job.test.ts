import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NomadJob, Service } from '../../../src/jobspec/nomad-job.js';
import { withServiceProvider } from '../../../src/jobspec/services.js';
import { renderJob } from '../../../src/render/render-job.js';
import { github, gitlab } from '../../helpers/env-fixtures.js';

function render(env: Record<string, string | undefined>): NomadJob {
  const result = renderJob(env, { renderId: 'render-1' });
  assert.equal(result.noDeploy, false);
  return result.job;
}
const group = (job: NomadJob) => job.TaskGroups[0]!;
const task = (job: NomadJob) => group(job).Tasks[0]!;
const service = (job: NomadJob, name: string): Service => {
  const found = group(job).Services?.find((s) => s.Name === name);
  assert.ok(found, `no service ${name} in ${group(job).Services?.map((s) => s.Name).join(', ')}`);
  return found;
};

describe('the house job', () => {
  it('is a service job named by the slug, with one group and one task', () => {
    const job = render(gitlab());
    assert.equal(job.ID, 'example-org-my-site-feature-x');
    assert.equal(job.Type, 'service');
    assert.equal(job.Namespace, 'default');
    assert.equal(group(job).Name, 'example-org-my-site-feature-x');
    assert.equal(task(job).Name, 'http');
    assert.equal(task(job).Driver, 'docker');
    assert.equal(task(job).Config.image, 'registry.example.com/example-org/my-site/feature-x:0123456789abcdef0123456789abcdef01234567');
  });

  it('tags the main service with every hostname, canary tags too, and checks it over HTTP', () => {
    const job = render(gitlab({ CI_COMMIT_REF_SLUG: 'main', NOMAD_VAR_HOSTNAMES: '["www.example.com", "store.example.com"]' }));
    const main = service(job, 'example-org-my-site');
    assert.equal(main.PortLabel, 'http');
    assert.equal(main.Provider, 'nomad');
    assert.deepEqual(main.Tags, ['https://www.example.com', 'https://store.example.com']);
    assert.deepEqual(main.CanaryTags, ['https://canary-www.example.com', 'https://canary-store.example.com']);
    assert.deepEqual(main.Checks, [
      { Name: 'alive', Type: 'http', Path: '/', PortLabel: 'http', Interval: 10e9, Timeout: 2e9, CheckRestart: { Limit: 3, Grace: 20e9 } },
    ]);
  });

  it('registers its services in Consul with SERVICE_PROVIDER=consul, with the same names, tags, canary tags and checks', () => {
    const env = gitlab({ NOMAD_VAR_PORTS: '{"5000": "http", "5001": "https"}' });
    const inNomad = render(env);
    const inConsul = render({ ...env, NOMAD_VAR_SERVICE_PROVIDER: 'consul' });
    assert.deepEqual(group(inConsul).Services!.map((s) => s.Provider), ['consul', 'consul']);
    assert.deepEqual(group(inConsul).Services!.map((s) => ({ ...s, Provider: 'nomad' })), group(inNomad).Services);
    // The cluster's default applied to a job rendered without the setting gives the same job.
    assert.deepEqual(withServiceProvider(inNomad, 'consul'), inConsul);
    assert.throws(() => render({ ...env, NOMAD_VAR_SERVICE_PROVIDER: 'eureka' }), /NOMAD_VAR_SERVICE_PROVIDER is "eureka"/);
  });

  it('moves only the Nomad-registered services to the cluster\'s provider, an overlay\'s own choice stays', () => {
    const job = render(gitlab());
    const overlaid = { ...job, TaskGroups: [{ ...group(job), Services: [...group(job).Services!, { ...group(job).Services![0]!, Name: 'own', Provider: 'consul' as const }] }] };
    const moved = withServiceProvider(overlaid, 'nomad');
    assert.deepEqual(moved, overlaid);
    assert.deepEqual(withServiceProvider(overlaid, 'consul').TaskGroups[0]!.Services!.map((s) => s.Provider), ['consul', 'consul']);
  });

  it('follows CHECK_PROTOCOL, CHECK_PATH, CHECK_TIMEOUT and HEALTH_TIMEOUT', () => {
    const tcp = render(gitlab({ NOMAD_VAR_CHECK_PROTOCOL: 'tcp', NOMAD_VAR_CHECK_TIMEOUT: '1m', NOMAD_VAR_HEALTH_TIMEOUT: '3m' }));
    const check = service(tcp, 'example-org-my-site-feature-x').Checks[0]!;
    assert.equal(check.Type, 'tcp');
    assert.equal(check.Path, undefined);
    assert.equal(check.Timeout, 60e9);
    assert.equal(check.CheckRestart?.Grace, 180e9);
    const http = render(gitlab({ NOMAD_VAR_CHECK_PATH: '/healthcheck' }));
    assert.equal(service(http, 'example-org-my-site-feature-x').Checks[0]!.Path, '/healthcheck');
  });

  it('gives an extra port its own hostname, a raw TCP port none, and neither canary tags', () => {
    const job = render(gitlab({ NOMAD_VAR_PORTS: '{ 5000 = "http", 8080 = "admin", -7777 = "irc" }' }));
    const admin = service(job, 'example-org-my-site-feature-x--admin');
    assert.deepEqual(admin.Tags, ['https://example-org-my-site-feature-x-admin.dev.example.com']);
    assert.deepEqual(admin.CanaryTags, []);
    assert.deepEqual(admin.Checks.map((c) => [c.Type, c.PortLabel]), [['tcp', 'admin']]);
    const irc = service(job, 'example-org-my-site-feature-x--irc');
    assert.deepEqual(irc.Tags, []);
    assert.deepEqual(irc.CanaryTags, []);
    assert.deepEqual(group(job).Networks[0]!.DynamicPorts, [
      { Label: 'http', Value: 0, To: 5000 },
      { Label: 'admin', Value: 0, To: 8080 },
      { Label: 'irc', Value: 0, To: 7777 },
    ]);
    assert.deepEqual(task(job).Config.ports, ['http', 'admin', 'irc']);
  });

  it('maps a dynamic port (-1) to the same port in the container', () => {
    const job = render(gitlab({ NOMAD_VAR_PORTS: '{ -1 = "http" }' }));
    assert.deepEqual(group(job).Networks[0]!.DynamicPorts, [{ Label: 'http', Value: 0, To: -1 }]);
  });

  it('reserves MEMORY and CPU with a tenfold hard memory limit', () => {
    assert.deepEqual(task(render(gitlab({ NOMAD_VAR_MEMORY: '1000', NOMAD_VAR_CPU: '500' }))).Resources, { CPU: 500, MemoryMB: 1000, MemoryMaxMB: 10000 });
    assert.deepEqual(task(render(gitlab())).Resources, { CPU: 100, MemoryMB: 300, MemoryMaxMB: 3000 });
  });

  it('updates with a canary that is auto-promoted, and reverts on failure', () => {
    const update = group(render(gitlab())).Update!;
    assert.equal(update.Canary, 1);
    assert.equal(update.AutoPromote, true);
    assert.equal(update.AutoRevert, true);
    assert.equal(update.MaxParallel, 1);
    assert.equal(update.HealthyDeadline, 80e9, 'HEALTH_TIMEOUT (20s) + 1m');
    assert.equal(update.ProgressDeadline, 0, 'the first unhealthy allocation fails the deployment');
  });

  it('COUNT_CANARIES=0 turns canaries and auto-promotion off', () => {
    const update = group(render(gitlab({ NOMAD_VAR_COUNT_CANARIES: '0' }))).Update!;
    assert.equal(update.Canary, 0);
    assert.equal(update.AutoPromote, false);
  });

  it('a long HEALTH_TIMEOUT stretches the healthy deadline past it', () => {
    const update = group(render(gitlab({ NOMAD_VAR_HEALTH_TIMEOUT: '10m' }))).Update!;
    assert.ok(update.HealthyDeadline > 600e9);
  });

  it('leaves the routes before its container stops (a shutdown delay)', () => {
    assert.equal(group(render(gitlab())).ShutdownDelay, 3e9);
  });

  it('has restart, reschedule, spread and migrate policies', () => {
    const job = render(gitlab());
    assert.deepEqual(group(job).RestartPolicy, { Attempts: 3, Delay: 15e9, Interval: 1800e9, Mode: 'fail' });
    assert.equal(group(job).ReschedulePolicy.DelayFunction, 'exponential');
    assert.deepEqual(job.Spreads, [{ Attribute: '${node.unique.id}', Weight: 50 }]);
    assert.equal(group(job).Migrate?.HealthCheck, 'checks');
  });

  it('runs COUNT containers, 3 in production', () => {
    assert.equal(group(render(gitlab({ NOMAD_VAR_COUNT: '2' }))).Count, 2);
    assert.equal(group(render(gitlab({ CI_COMMIT_REF_SLUG: 'production' }))).Count, 3);
  });

  it('IS_BATCH makes a batch job with no update, migrate or routed services', () => {
    const job = render(gitlab({ NOMAD_VAR_IS_BATCH: 'true' }));
    assert.equal(job.Type, 'batch');
    assert.equal(group(job).Update, undefined);
    assert.equal(group(job).Migrate, undefined);
    assert.equal(group(job).Services, undefined);
  });

  it('MULTI_CONTAINER gives the main task only the http port and keeps extra ports private', () => {
    const job = render(gitlab({ NOMAD_VAR_MULTI_CONTAINER: 'true', NOMAD_VAR_PORTS: '{ 5000 = "http", 5432 = "db" }' }));
    assert.deepEqual(task(job).Config.ports, ['http']);
    const db = service(job, 'example-org-my-site-feature-x--db');
    assert.deepEqual(db.Tags, []);
    assert.equal(db.TaskName, undefined);
  });

  it('NETWORK_MODE and FORCE_PULL reach the docker config', () => {
    const config = task(render(gitlab({ NOMAD_VAR_NETWORK_MODE: 'host', NOMAD_VAR_FORCE_PULL: 'true' }))).Config;
    assert.equal(config.network_mode, 'host');
    assert.equal(config.force_pull, true);
    assert.equal(task(render(gitlab())).Config.force_pull, false);
  });

  it('backs PERSISTENT_VOLUME with the namespace\'s host volume pv-<namespace>, VOLUMES staying docker volumes', () => {
    const job = render(gitlab({ NOMAD_VAR_PERSISTENT_VOLUME: '/data', NOMAD_VAR_NAMESPACE: 'team-a', NOMAD_VAR_VOLUMES: '["/usr/games:/usr/games:ro"]' }));
    assert.deepEqual(group(job).Volumes, { pv: { Name: 'pv', Type: 'host', Source: 'pv-team-a', ReadOnly: false } });
    assert.deepEqual(task(job).VolumeMounts, [{ Volume: 'pv', Destination: '/data', ReadOnly: false }]);
    assert.deepEqual(task(job).Config.volumes, ['/usr/games:/usr/games:ro']);
  });

  it('BIND_MOUNTS become docker mounts', () => {
    const config = task(render(gitlab({ NOMAD_VAR_BIND_MOUNTS: '[{type = "bind", readonly = true, source = "/etc/ssl", target = "/etc/ssl"}]' }))).Config;
    assert.deepEqual(config.mount, [{ type: 'bind', source: '/etc/ssl', target: '/etc/ssl', readonly: true }]);
  });

  for (const mode of ['ro', 'rw'] as const) {
    it(`HOME=${mode} mounts the host volume home-${mode} at /home`, () => {
      const job = render(gitlab({ NOMAD_VAR_HOME: mode }));
      assert.deepEqual(group(job).Volumes, { [`home-${mode}`]: { Name: `home-${mode}`, Type: 'host', Source: `home-${mode}`, ReadOnly: mode === 'ro' } });
      assert.deepEqual(task(job).VolumeMounts, [{ Volume: `home-${mode}`, Destination: '/home', ReadOnly: mode === 'ro' }]);
    });
  }

  it('NAMESPACE sets the job namespace', () => {
    assert.equal(render(gitlab({ NOMAD_VAR_NAMESPACE: 'team-a' })).Namespace, 'team-a');
  });

  it('DEPLOY_WITH_PODMAN uses the podman driver, bind mounts as volumes', () => {
    const t = task(render(gitlab({ NOMAD_VAR_DEPLOY_WITH_PODMAN: 'true', NOMAD_VAR_BIND_MOUNTS: '[{source = "/a", target = "/b", readonly = true}]' })));
    assert.equal(t.Driver, 'podman');
    assert.deepEqual(t.Config.volumes, ['/a:/b:ro']);
    assert.equal(t.Config.mount, undefined);
  });

  it('logs in to the registry with a password that stays out of the job', () => {
    const job = render(gitlab({ CI_REGISTRY_READ_TOKEN: 'glpat-secret-read-token' }));
    assert.deepEqual(task(job).Config.auth, [{ username: 'deploy-token', password: '${NOM_REGISTRY_PASSWORD}' }]);
    assert.doesNotMatch(JSON.stringify(job), /glpat-secret-read-token/);
    assert.equal(task(job).Templates.length, 2, 'the secrets template brings the password');
  });

  it('passes the CI facts into the container through a template', () => {
    const facts = task(render(gitlab())).Templates[0]!;
    assert.equal(facts.Envvars, true);
    assert.equal(
      facts.EmbeddedTmpl,
      [
        'CI_HOSTNAME="example-org-my-site-feature-x.dev.example.com"',
        'CI_COMMIT_REF_SLUG="feature-x"',
        'CI_PROJECT_PATH_SLUG="example-org-my-site"',
        'CI_COMMIT_SHA="0123456789abcdef0123456789abcdef01234567"',
        '',
      ].join('\n'),
    );
  });

  it('reads secrets from the Nomad Variable nomad/jobs/<slug>, never rendering their values', () => {
    const job = render(gitlab({ NOMAD_SECRET_DATABASE_URL: 'postgres://user:hunter2@db/app' }));
    const secrets = task(job).Templates[1]!;
    assert.match(secrets.EmbeddedTmpl, /nomadVar "nomad\/jobs\/example-org-my-site-feature-x"/);
    assert.equal(secrets.Envvars, true);
    assert.equal(secrets.DestPath, 'secrets/secrets.env');
    assert.doesNotMatch(JSON.stringify(job), /hunter2/);
  });

  it('has no secrets template when there are no secrets', () => {
    assert.equal(task(render(gitlab())).Templates.length, 1);
  });

  it('changes on each render when the image tag may be reused (FORCE_PULL), and only then', () => {
    assert.equal(render(github()).Meta.nom_render_id, undefined, 'GitHub images are tagged by commit');
    assert.equal(render(gitlab()).Meta.nom_render_id, undefined);
    assert.equal(render(gitlab({ NOMAD_VAR_FORCE_PULL: 'true' })).Meta.nom_render_id, 'render-1');
  });

  it('records project, branch, commit and environment in the job meta', () => {
    assert.deepEqual(render(gitlab({ CI_COMMIT_REF_SLUG: 'production' })).Meta, {
      nom_project: 'example-org-my-site',
      nom_branch: 'production',
      nom_commit: '0123456789abcdef0123456789abcdef01234567',
      nom_environment: 'production',
    });
  });

  it('NO_DEPLOY renders nothing and says so', () => {
    const result = renderJob(gitlab({ NOMAD_VAR_NO_DEPLOY: 'true', BASE_DOMAIN: undefined }), { renderId: 'x' });
    assert.equal(result.noDeploy, true);
    assert.deepEqual(result.lines, ['NOMAD_VAR_NO_DEPLOY is set: nothing to deploy']);
  });

  it('prints the cluster and the URL, after the token choice', () => {
    const result = renderJob(gitlab({ CI_COMMIT_REF_SLUG: 'production', NOMAD_TOKEN_PROD: 't' }), { renderId: 'x' });
    assert.deepEqual(result.lines, ['using nomad production token', 'nomad cluster https://prod.example.com', 'deploying to https://my-site.prod.example.com']);
  });
});
