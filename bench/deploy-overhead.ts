/**
 * What `nom deploy` costs over doing it by hand: in one run, side by side, it deploys the demo
 * app with `nom deploy` and the same rendered job by registering it through the API and polling
 * the deployment until it succeeds. Rounds alternate two images, so every round after the
 * first is a canary rollout. Prints each round and the ratio of medians (nom / by hand).
 *
 *   npm run bench:deploy            (brings up its own local cluster; ROUNDS=5 by default)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { NomadClient } from '../src/nomad/client.js';
import { nomadConfig } from '../src/nomad/config.js';
import { renderJob } from '../src/render/render-job.js';

const NOM = fileURLToPath(new URL('../bin/nom', import.meta.url));
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const tags = [process.env.NOM_TEST_IMAGE_TAG!, `${process.env.NOM_TEST_IMAGE_TAG!}-v2`];
const nomad = new NomadClient(nomadConfig(process.env));

function pipeline(project: string, tag: string): Record<string, string> {
  return {
    PATH: process.env.PATH!, NOMAD_ADDR: process.env.NOMAD_ADDR!, NOMAD_TOKEN: process.env.NOMAD_TOKEN!,
    CI_PROJECT_PATH_SLUG: project, CI_PROJECT_NAME: project, CI_COMMIT_REF_SLUG: 'main', CI_COMMIT_SHA: tag,
    CI_REGISTRY_IMAGE: 'nom.local/examples/hello-world', BASE_DOMAIN: 'nom.localhost', NOMAD_VAR_CHECK_PATH: '/healthcheck',
  };
}

function withNom(tag: string): number {
  const began = performance.now();
  const run = spawnSync(process.execPath, [NOM, 'deploy'], { env: pipeline('bench-nom', tag), encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`nom deploy failed:\n${run.stderr}`);
  return performance.now() - began;
}

async function byHand(tag: string): Promise<number> {
  const began = performance.now();
  const result = renderJob(pipeline('bench-raw', tag), { renderId: 'bench' });
  if (result.noDeploy) throw new Error('unexpected NO_DEPLOY');
  const { EvalID } = await nomad.jobs.register(result.job);
  let evaluation = await nomad.evaluations.read(EvalID, 'default');
  while (evaluation.value.Status === 'pending') evaluation = await nomad.evaluations.read(EvalID, 'default', evaluation.index, 5);
  const deploymentId = evaluation.value.DeploymentID;
  let index = 0;
  for (;;) {
    const { value: d, index: next } = await nomad.deployments.read(deploymentId, 'default', index, 5);
    if (d.Status === 'successful') break;
    if (['failed', 'cancelled'].includes(d.Status)) throw new Error(`by-hand deployment ${d.Status}`);
    index = next;
  }
  return performance.now() - began;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const rows: { nom: number; hand: number }[] = [];
console.log('round  kind     nom deploy   by hand   ratio');
for (let round = 0; round < ROUNDS; round++) {
  const tag = tags[round % 2]!;
  // Alternate who goes first, so that neither always meets a warmer cluster.
  let nom: number;
  let hand: number;
  if (round % 2) {
    hand = await byHand(tag);
    nom = withNom(tag);
  } else {
    nom = withNom(tag);
    hand = await byHand(tag);
  }
  rows.push({ nom, hand });
  console.log(`${String(round + 1).padEnd(6)} ${(round ? 'canary' : 'create').padEnd(8)} ${(nom / 1000).toFixed(2).padStart(9)}s ${(hand / 1000).toFixed(2).padStart(8)}s   ${(nom / hand).toFixed(3)}`);
}
const updates = rows.slice(1);
const ratio = median(updates.map((r) => r.nom)) / median(updates.map((r) => r.hand));
console.log(`median canary rollout: nom deploy ${(median(updates.map((r) => r.nom)) / 1000).toFixed(2)}s, by hand ${(median(updates.map((r) => r.hand)) / 1000).toFixed(2)}s`);
console.log(`overhead ratio (nom deploy / register + wait by hand): ${ratio.toFixed(3)}`);
for (const job of ['bench-nom', 'bench-raw']) await nomad.jobs.deregister(job, { purge: true }).catch(() => undefined);
await nomad.variables.delete('nomad/jobs/bench-nom/nom-deploy-lock', 'default').catch(() => undefined);
nomad.close();
