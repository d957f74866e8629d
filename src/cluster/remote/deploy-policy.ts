import { homeVolume, pvVolume } from '../../jobspec/host-volumes.js';
import { NO_GRANTS, type NamespaceGrants } from '../../jobspec/container-rules.js';
import type { ACLPolicy } from '../../nomad/acl.js';
import { RECORDS_NAMESPACE } from '../../router/hostname-records.js';

/**
 * What CI may do: in one namespace, submit and read jobs (plan, register, follow the
 * deployment, read a failing task's logs), write and delete (never read) the jobs' secrets under
 * nomad/jobs/, and keep nom's deploy state under nom/deploys/; read (never write) who owns which
 * hostname and what the namespace was granted; and mount the host volumes the operator granted:
 * the namespace's own persistent directory always, /home and named host volumes as granted,
 * any with `trusted`. Nomad refuses a job that mounts any other. Nothing in any other
 * namespace, and nothing about nodes, ACLs or the agent. Pure.
 */
export function deployPolicy(namespace: string, grants: NamespaceGrants = NO_GRANTS): ACLPolicy {
  // Who owns which hostname, what the namespace may use on the nodes, and the cluster's default
  // service provider: read, never written.
  const ownHostnames = ['    path "nom/hostnames/*" {', '      capabilities = ["read", "list"]', '    }', '    path "nom/grants/*" {', '      capabilities = ["read"]', '    }', '    path "nom/cluster" {', '      capabilities = ["read"]', '    }'];
  // Secrets: written and deleted, never read (only the job's own tasks read them); nom's deploy
  // state (lock, the secrets' salted digests) read and written.
  const jobs = [
    '    path "nomad/jobs/*" {', '      capabilities = ["write", "destroy", "list"]', '    }',
    '    path "nom/deploys/*" {', '      capabilities = ["read", "write", "destroy", "list"]', '    }',
  ];
  const jobRules = ['  capabilities = ["submit-job", "read-job", "list-jobs", "parse-job", "read-logs"]', '  variables {', ...jobs];
  const rules =
    namespace === RECORDS_NAMESPACE
      ? [`namespace "${namespace}" {`, ...jobRules, ...ownHostnames, '  }', '}']
      : [`namespace "${namespace}" {`, ...jobRules, '  }', '}', `namespace "${RECORDS_NAMESPACE}" {`, '  variables {', ...ownHostnames, '  }', '}'];
  const volume = (name: string, policy: 'read' | 'write') => [`host_volume "${name}" {`, `  policy = "${policy}"`, '}'];
  const volumes = grants.trusted
    ? volume('*', 'write')
    : [
        ...volume(pvVolume(namespace), 'write'),
        ...(grants.home !== 'none' ? volume(homeVolume('ro'), 'read') : []),
        ...(grants.home === 'rw' ? volume(homeVolume('rw'), 'write') : []),
        ...grants.hostVolumes.flatMap((v) => volume(v.name, v.readOnly ? 'read' : 'write')),
      ];
  return { Name: deployPolicyName(namespace), Description: `nom: deploy jobs to the namespace ${namespace} from CI`, Rules: [...rules, ...volumes, ''].join('\n') };
}

export const deployPolicyName = (namespace: string) => `deploy-${namespace}`;

/**
 * What the router may do, and nothing more: list and read jobs (their services, allocations,
 * checks and events) in every namespace, scale them (sleep and wake), and keep the hostname records (the one place that says
 * who owns a hostname). No logs, no files, no exec, no secrets. A more specific namespace rule
 * replaces the wildcard one in Nomad, so the records' namespace repeats the capabilities. Pure.
 */
export function routerPolicy(): ACLPolicy {
  // scale-job: to put idle review apps to sleep and wake them (it cannot change a job otherwise).
  const read = '  capabilities = ["list-jobs", "read-job", "scale-job"]';
  return {
    Name: 'nom-router',
    Description: 'nom: the router reads jobs, services and health in every namespace, scales idle review apps to zero and back, and records who owns each hostname',
    Rules: [
      'namespace "*" {', read, '}',
      `namespace "${RECORDS_NAMESPACE}" {`, read, '  variables {', '    path "nom/hostnames/*" {', '      capabilities = ["read", "write", "destroy", "list"]', '    }',
      // Each router's record of the requests it saw, so that an app busy through one ingress does not sleep.
      '    path "nom/traffic/*" {', '      capabilities = ["read", "write", "list"]', '    }', '  }', '}',
      '',
    ].join('\n'),
  };
}
