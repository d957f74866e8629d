import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkoutJobName, localProjectPathSlug, parseRemote } from '../../../src/local/local-git.js';

describe('the job of a checkout', () => {
  it('is the project path from the remote plus the branch, as nom deploy names it', () => {
    assert.equal(checkoutJobName({ remoteUrl: 'git@gitlab.com:Group/Sub/My_App.git', dirName: 'x', subdir: '', branch: 'feature/New_Thing' }, false), 'group-sub-my-app-feature-new-thing');
    assert.equal(checkoutJobName({ remoteUrl: 'https://github.com/Example-Org/My.Site', dirName: 'x', subdir: '', branch: 'fix-1' }, false), 'example-org-my-site-fix-1');
  });

  it('main-like branches, or any with CI_MAIN_STYLE, are the project alone', () => {
    for (const branch of ['main', 'master', 'production', 'staging']) {
      assert.equal(checkoutJobName({ remoteUrl: 'https://gitlab.com/group/app', dirName: 'x', subdir: '', branch }, false), 'group-app');
    }
    assert.equal(checkoutJobName({ remoteUrl: 'https://gitlab.com/group/app', dirName: 'x', subdir: '', branch: 'dev' }, true), 'group-app');
  });

  it('a monorepo app in a subdirectory adds its path; the name is cut to 63', () => {
    assert.equal(checkoutJobName({ remoteUrl: 'https://gitlab.com/group/mono', dirName: 'x', subdir: 'apps/api', branch: 'main' }, false), 'group-mono-apps-api');
    const long = checkoutJobName({ remoteUrl: `https://gitlab.com/group/${'a'.repeat(50)}`, dirName: 'x', subdir: '', branch: 'feature-with-a-long-name' }, false);
    assert.equal(long.length, 63);
  });
});

describe('a local checkout', () => {
  it('reads GitLab and GitHub remotes in ssh and https form', () => {
    assert.deepEqual(parseRemote('git@gitlab.com:group/sub/proj.git'), { host: 'gitlab.com', path: 'group/sub/proj' });
    assert.deepEqual(parseRemote('https://github.com/Example-Org/My.Site'), { host: 'github.com', path: 'Example-Org/My.Site' });
    assert.deepEqual(parseRemote('ssh://git@git.example.com:2222/team/app.git'), { host: 'git.example.com', path: 'team/app' });
  });

  it('is named as CI would name it: GitHub\'s rule for github.com, GitLab\'s otherwise', () => {
    assert.equal(localProjectPathSlug({ remoteUrl: 'git@github.com:Example-Org/My.Site.git', dirName: 'x', subdir: '' }).slug, 'example-org-my-site');
    assert.equal(localProjectPathSlug({ remoteUrl: 'git@gitlab.com:group/my_proj.git', dirName: 'x', subdir: '' }).slug, 'group-my-proj');
    assert.equal(localProjectPathSlug({ remoteUrl: undefined, dirName: 'nom', subdir: 'examples/hello-world' }).slug, 'nom-examples-hello-world');
  });
});
