import type { ACLPolicy } from '../../nomad/acl.js';
import { RECORDS_NAMESPACE } from '../../router/hostname-records.js';

/**
 * What CI may do: in one namespace, submit and read jobs (plan, register, follow the
 * deployment, read a failing task's logs), write and delete (never read) the jobs' secrets under
 * nomad/jobs/, and keep nom's deploy state under nom/deploys/; and read (never write) who owns which hostname, so a
 * deploy is refused before it claims another job's. Nothing else in any other namespace, and
 * nothing about nodes, ACLs or the agent. Pure.
 */
export function deployPolicy(namespace: string): ACLPolicy {
  // Who owns which hostname, and what the namespace may use on the nodes: read, never written.
  const ownHostnames = ['    path "nom/hostnames/*" {', '      capabilities = ["read", "list"]', '    }', '    path "nom/grants/*" {', '      capabilities = ["read"]', '    }'];
  // Secrets: written and deleted, never read (only the job's own tasks read them); nom's deploy
  // state (lock, the secrets' salted digests) read and written.
  const jobs = [
    '    path "nomad/jobs/*" {', '      capabilities = ["write", "destroy", "list"]', '    }',
    '    path "nom/deploys/*" {', '      capabilities = ["read", "write", "destroy", "list"]', '    }',
  ];
  const rules =
    namespace === RECORDS_NAMESPACE
      ? [`namespace "${namespace}" {`, '  capabilities = ["submit-job", "read-job", "list-jobs", "parse-job", "read-logs"]', '  variables {', ...jobs, ...ownHostnames, '  }', '}']
      : [
          `namespace "${namespace}" {`, '  capabilities = ["submit-job", "read-job", "list-jobs", "parse-job", "read-logs"]', '  variables {', ...jobs, '  }', '}',
          `namespace "${RECORDS_NAMESPACE}" {`, '  variables {', ...ownHostnames, '  }', '}',
        ];
  return { Name: `deploy-${namespace}`, Description: `nom: deploy jobs to the namespace ${namespace} from CI`, Rules: [...rules, ''].join('\n') };
}

/**
 * What the router may do, and nothing more: list and read jobs (their services, allocations,
 * checks and events) in every namespace, and keep the hostname records (the one place that says
 * who owns a hostname). No logs, no files, no exec, no secrets. A more specific namespace rule
 * replaces the wildcard one in Nomad, so the records' namespace repeats the capabilities. Pure.
 */
export function routerPolicy(): ACLPolicy {
  const read = '  capabilities = ["list-jobs", "read-job"]';
  return {
    Name: 'nom-router',
    Description: 'nom: the router reads jobs, services and health in every namespace, and records who owns each hostname',
    Rules: [
      'namespace "*" {', read, '}',
      `namespace "${RECORDS_NAMESPACE}" {`, read, '  variables {', '    path "nom/hostnames/*" {', '      capabilities = ["read", "write", "destroy", "list"]', '    }', '  }', '}',
      '',
    ].join('\n'),
  };
}
