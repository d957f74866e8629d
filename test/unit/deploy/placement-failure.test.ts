import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { placementFailures } from '../../../src/deploy/placement-failure.js';

const metric = { NodesEvaluated: 1, NodesFiltered: 0, NodesExhausted: 0, CoalescedFailures: 0 };

describe('placement failures in words', () => {
  it('not enough memory', () => {
    assert.deepEqual(placementFailures({ web: { ...metric, NodesExhausted: 1, DimensionExhausted: { memory: 1 } } }), ['cannot place group web: not enough memory on 1 of 1 node']);
  });

  it('no node with the driver', () => {
    const [line] = placementFailures({ web: { ...metric, NodesFiltered: 3, NodesEvaluated: 3, ConstraintFiltered: { 'missing drivers': 3 } } });
    assert.equal(line, 'cannot place group web: 3 nodes filtered out by missing drivers');
  });

  it('no node with the namespace\'s persistent directory says how to give it one', () => {
    const [line] = placementFailures({ web: { ...metric, NodesFiltered: 1, ConstraintFiltered: { 'missing compatible host volumes': 1 } } });
    assert.match(line!, /1 node filtered out by missing compatible host volumes; NOMAD_VAR_PERSISTENT_VOLUME needs the host volume pv-<namespace> on the nodes: `nom up --namespace <namespace>`/);
  });

  it('no node running Consul, for services that register there, says what to do', () => {
    const [line] = placementFailures({ web: { ...metric, NodesFiltered: 1, ConstraintFiltered: { '${attr.consul.version} semver >= 1.7.0': 1 } } });
    assert.match(line!, /1 node filtered out by \$\{attr\.consul\.version\} semver >= 1\.7\.0; the services register in Consul, which no such node runs: deploy with NOMAD_VAR_SERVICE_PROVIDER=nomad, or run Consul beside Nomad/);
  });

  it('no nodes at all', () => {
    assert.deepEqual(placementFailures({ web: { ...metric, NodesEvaluated: 0 } }), ['cannot place group web: no nodes are available in the job\'s datacenters and node pool']);
  });

  it('nothing failed, nothing said', () => {
    assert.deepEqual(placementFailures(null), []);
  });
});
