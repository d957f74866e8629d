import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gitlabDotenv, githubOutput, githubSummary } from '../../../src/deploy/ci-outputs.js';

describe('CI outputs', () => {
  const app = { job: 'web-main', version: 4, urls: ['https://web.example.com'], image: 'registry/web:abc' };

  it('GitLab: a dotenv report for environment:url', () => {
    assert.equal(gitlabDotenv(app), 'DYNAMIC_ENVIRONMENT_URL=https://web.example.com\nNOM_URL=https://web.example.com\nNOM_JOB=web-main\n');
  });

  it('GitHub: step outputs and a summary table', () => {
    assert.equal(githubOutput(app), 'url=https://web.example.com\njob=web-main\n');
    assert.match(githubSummary(app), /\| url \| https:\/\/web\.example\.com \|/);
  });
});
