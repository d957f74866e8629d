import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import { cacheDir } from '../../src/cluster/binaries.js';
import { renderJob } from '../../src/render/render-job.js';
import { generatedFiles } from '../../src/settings/workflow-inputs.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('the GitLab pipeline template', () => {
  it('is valid against GitLab\'s published CI schema', () => {
    // Formats are annotations here: GitLab's own docs set environment:url to
    // $DYNAMIC_ENVIRONMENT_URL, which the schema's "uri" format would refuse.
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(JSON.parse(read('ci/schema/gitlab-ci.json')));
    const pipeline = parse(read('ci/gitlab.yml'), { merge: true });
    assert.ok(validate(pipeline), JSON.stringify(validate.errors, null, 2));
  });

  it('has the build, test, deploy and cleanup stages, and stops only review apps', () => {
    const pipeline = parse(read('ci/gitlab.yml'), { merge: true });
    assert.deepEqual(pipeline.stages, ['build', 'test', 'deploy', 'cleanup']);
    assert.equal(pipeline['deploy-review'].environment.on_stop, 'stop-review');
    assert.equal(pipeline.deploy.environment.on_stop, undefined);
    assert.equal(pipeline['stop-review'].environment.action, 'stop');
    assert.deepEqual(pipeline['.nom-deploy'].artifacts.reports, { dotenv: 'deploy.env' });
    assert.equal(pipeline['deploy-review'].extends, '.nom-deploy');
  });
});

describe('the GitHub workflow and action', () => {
  it('pass actionlint (with shellcheck on their scripts)', () => {
    const actionlint = join(cacheDir(process.env, homedir()), 'bin', 'actionlint');
    const run = spawnSync(actionlint, ['-no-color'], { cwd: root, encoding: 'utf8' });
    assert.equal(run.error, undefined, `no actionlint: run scripts/build-test-tools.sh (${run.error?.message})`);
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  it('have an input for every NOMAD_VAR_* setting, as npm run docs writes them', () => {
    for (const [path, make] of Object.entries(generatedFiles)) {
      const text = read(path);
      assert.equal(text, make(text), `${path} differs from its declarations: run npm run docs`);
    }
    const workflow = parse(read('.github/workflows/cicd.yml'));
    assert.equal(workflow.on.workflow_call.inputs.NOMAD_VAR_PORTS.type, 'string');
    assert.deepEqual(Object.keys(workflow.on.workflow_call.secrets), ['NOMAD_TOKEN', 'NOMAD_TOKEN_PROD', 'NOMAD_TOKEN_STAGING', 'NOMAD_SECRETS', 'CI_REGISTRY_READ_TOKEN']);
  });

  it('build the image that nom deploys: the workflow\'s tag rule is nom\'s', () => {
    const workflow = parse(read('.github/workflows/cicd.yml'));
    const step = workflow.jobs.build.steps.find((s: { id?: string }) => s.id === 'image');
    const dir = mkdtempSync(join(tmpdir(), 'nom-wf-'));
    try {
      for (const branch of ['main', 'Feature/New_Thing', 'fix-1.2', 'release_3', '-odd', 'x'.repeat(140)]) {
        const output = join(dir, 'output');
        const env = { PATH: process.env.PATH!, GITHUB_REPOSITORY: 'Example-Org/My.Site', GITHUB_REF_NAME: branch, GITHUB_SHA: 'abc', GITHUB_OUTPUT: output };
        const run = spawnSync('bash', ['-e', '-c', step.run], { env, encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
        const written = readFileSync(output, 'utf8');
        const built = /^image=(.*)$/m.exec(written)![1];
        // The branch's tag follows the newest commit, for people; nom deploys the commit's.
        assert.match(written, /^branch_image=ghcr\.io\/example-org\/my\.site:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/m, `branch ${branch}`);
        rmSync(output);
        const rendered = renderJob({ ...env, GITHUB_ACTIONS: 'true', BASE_DOMAIN: 'dev.example.com' }, { renderId: 't' });
        assert.equal(rendered.noDeploy, false);
        assert.equal(built, (rendered.job.TaskGroups[0]!.Tasks[0]!.Config as { image: string }).image, `branch ${branch}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
