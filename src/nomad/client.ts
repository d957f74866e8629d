import { Acl } from './acl.js';
import { Agent } from './agent.js';
import { Allocations } from './allocations.js';
import type { NomadConfig } from './config.js';
import { NomadHttp } from './http.js';
import { Jobs } from './jobs.js';
import { Namespaces } from './namespaces.js';
import { Nodes } from './nodes.js';
import { Deployments } from './deployments.js';
import { Evaluations } from './evaluations.js';
import { Events } from './events.js';
import { Services } from './services.js';
import { Variables } from './variables.js';

/** A typed client for Nomad's HTTP API: one property per API area, as in Nomad's Go `api` package. */
export class NomadClient {
  readonly http: NomadHttp;
  readonly agent: Agent;
  readonly acl: Acl;
  readonly nodes: Nodes;
  readonly jobs: Jobs;
  readonly allocations: Allocations;
  readonly evaluations: Evaluations;
  readonly deployments: Deployments;
  readonly variables: Variables;
  readonly services: Services;
  readonly events: Events;
  readonly namespaces: Namespaces;

  constructor(config: NomadConfig) {
    this.http = new NomadHttp(config);
    this.agent = new Agent(this.http);
    this.acl = new Acl(this.http);
    this.nodes = new Nodes(this.http);
    this.jobs = new Jobs(this.http);
    this.allocations = new Allocations(this.http);
    this.evaluations = new Evaluations(this.http);
    this.deployments = new Deployments(this.http);
    this.variables = new Variables(this.http);
    this.services = new Services(this.http);
    this.events = new Events(this.http);
    this.namespaces = new Namespaces(this.http);
  }

  close(): void {
    this.http.close();
  }
}
