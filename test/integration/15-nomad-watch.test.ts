/**
 * How the router learns that something changed in Nomad, against the real cluster: the event
 * stream (resuming after a disconnect) and, where it is unavailable, blocking queries.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { waitFor } from '../../src/cluster/processes.js';
import { NomadClient } from '../../src/nomad/client.js';
import { nomadConfig } from '../../src/nomad/config.js';
import { renderJob } from '../../src/render/render-job.js';
import { NomadWatch } from '../../src/router/nomad-watch.js';

const nomad = new NomadClient(nomadConfig(process.env));
const registered: string[] = [];
after(async () => {
  for (const job of registered) await nomad.jobs.deregister(job, { purge: true }).catch(() => undefined);
  nomad.close();
});

/** Registers a small job (one the scheduler places, though whether it runs does not matter here). */
async function registerJob(project: string): Promise<void> {
  const result = renderJob(
    { CI_PROJECT_PATH_SLUG: project, CI_PROJECT_NAME: project, CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: process.env.NOM_TEST_IMAGE_TAG!, CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_COUNT_CANARIES: '0' },
    { renderId: 'watch-test' },
  );
  assert.equal(result.noDeploy, false);
  registered.push(result.job.ID);
  await nomad.jobs.register(result.job);
}

/** A watch with a client of its own that counts its change signals; `stop` stops it as the router does. */
function watching(mode: 'events' | 'blocking') {
  const seen = { changes: 0 };
  const client = new NomadClient(nomadConfig(process.env));
  const watch = new NomadWatch(client, () => seen.changes++, { info: () => {}, warn: (l) => assert.fail(`unexpected warning: ${l}`) }, mode);
  const running = watch.run();
  return { watch, seen, stop: () => (watch.stop(), client.close(), running) };
}

const until = (what: string, check: () => boolean) =>
  waitFor(async () => (check() ? true : undefined), { timeoutMs: 10_000, intervalMs: 20, onTimeout: () => new Error(`${what} within 10s`) });

describe('following Nomad', () => {
  it('the event stream says when a job registers, and remembers the index it got to', async () => {
    const { watch, seen, stop } = watching('events');
    await until('the first read', () => seen.changes >= 1);
    const before = seen.changes;
    await registerJob('watch-events');
    await until('a change signalled for the new job', () => seen.changes > before && watch.lastIndex > 0);
    assert.equal(watch.mode, 'events');
    await stop();
  });

  it('a new stream resumes after the last index seen, so nothing that happened in between is missed', async () => {
    const first = watching('events');
    await registerJob('watch-resume-a');
    await until('the first job\'s events', () => first.watch.lastIndex > 0);
    const resumeFrom = first.watch.lastIndex;
    await first.stop();
    // While nobody listens, another job registers; a watch resuming from the index sees it.
    await registerJob('watch-resume-b');
    const events: number[] = [];
    const controller = new AbortController();
    const stream = nomad.events.stream({ topics: ['Job'], namespace: '*', index: resumeFrom + 1 }, (b) => {
      events.push(...b.Events.filter((e) => e.Key === 'watch-resume-b').map((e) => e.Index));
      if (events.length) controller.abort();
    }, controller.signal);
    await stream;
    assert.ok(events.length > 0 && events.every((i) => i > resumeFrom), `replayed: ${events.join(', ')}`);
  });

  it('blocking queries, where the stream is unavailable, say when a job registers', async () => {
    const { seen, stop } = watching('blocking');
    // The first answers of the three lists count as changes; wait for them to settle.
    await until('the first reads', () => seen.changes >= 3);
    await new Promise((r) => setTimeout(r, 300));
    const before = seen.changes;
    await registerJob('watch-blocking');
    await until('a change signalled for the new job', () => seen.changes > before);
    const stopping = Date.now();
    await stop();
    assert.ok(Date.now() - stopping < 5000, 'stopping waited for the blocking queries to time out');
  });
});
