import type { ACLPolicy } from '../../nomad/acl.js';

/**
 * What CI may do: in one namespace, submit and read jobs (plan, register, follow the
 * deployment, read a failing task's logs) and keep deploy state in the Variables under
 * nomad/jobs/ (secrets, the deploy lock) — nothing in any other namespace, and nothing about
 * nodes, ACLs or the agent. Pure.
 */
export function deployPolicy(namespace: string): ACLPolicy {
  return {
    Name: `deploy-${namespace}`,
    Description: `nom: deploy jobs to the namespace ${namespace} from CI`,
    Rules: [
      `namespace "${namespace}" {`,
      '  capabilities = ["submit-job", "read-job", "list-jobs", "parse-job", "read-logs"]',
      '  variables {',
      '    path "nomad/jobs/*" {',
      '      capabilities = ["read", "write", "destroy", "list"]',
      '    }',
      '  }',
      '}',
      '',
    ].join('\n'),
  };
}

/** What the router may do: read jobs, services, allocations and their checks, in every namespace. Pure. */
export function routerPolicy(): ACLPolicy {
  return {
    Name: 'nom-router',
    Description: 'nom: the router reads jobs, services and health in every namespace',
    Rules: ['namespace "*" {', '  policy = "read"', '}', ''].join('\n'),
  };
}
