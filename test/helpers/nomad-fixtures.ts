/** Nomad's answers about one house job "web", so an operator view's test shows only what it is about. */
import type { AllocationListStub, RegisteredJob } from '../../src/nomad/jobs.js';

/** The tests' "now": 2026-11-25 12:00 UTC. */
export const NOW = Date.parse('2026-11-25T12:00:00Z');
/** An ISO time in Nomad's nanoseconds. */
export const ns = (iso: string) => Date.parse(iso) * 1e6;

/** The house job "web" at `version`, running `image`. */
export function webJob(version: number, image: string, over: Partial<RegisteredJob> = {}): RegisteredJob {
  return {
    ID: 'web', Name: 'web', Namespace: 'default', Type: 'service', Datacenters: ['*'],
    Meta: { nom_project: 'group-web', nom_branch: 'main', nom_commit: `commit${version}0000000`, nom_environment: 'main' },
    TaskGroups: [{
      Name: 'web', Count: 2, RestartPolicy: {} as never, ReschedulePolicy: {} as never, Networks: [],
      Services: [{ Name: 'web', Provider: 'nomad', PortLabel: 'http', Tags: ['https://web.example.com'], CanaryTags: ['https://canary-web.example.com'], Checks: [] }],
      Tasks: [{ Name: 'http', Driver: 'docker', Config: { image }, Resources: { CPU: 100, MemoryMB: 300, MemoryMaxMB: 3000 }, Templates: [] }],
    }],
    Version: version, Status: 'running', Stop: false, Stable: true, JobModifyIndex: 100 + version, SubmitTime: ns('2026-11-25T11:00:00Z') + version * 60e9,
    ...over,
  };
}

/** A running, healthy allocation of web version 3 on node-1. */
export function alloc(over: Partial<AllocationListStub>): AllocationListStub {
  return {
    ID: '1a2b3c4d-0000-0000-0000-000000000000', Name: 'web.web[0]', JobID: 'web', JobVersion: 3, Namespace: 'default', NodeID: 'node0000-1111', NodeName: 'node-1',
    TaskGroup: 'web', ClientStatus: 'running', DesiredStatus: 'run', DeploymentStatus: { Healthy: true }, TaskStates: { http: { State: 'running', Failed: false, Restarts: 1 } },
    CreateTime: ns('2026-11-25T11:48:00Z'), ModifyTime: ns('2026-11-25T11:48:30Z'), ...over,
  };
}
