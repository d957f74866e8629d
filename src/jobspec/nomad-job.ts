import type { Nanoseconds } from '../settings/duration.js';

/**
 * The part of Nomad's job JSON (`api.Job`, as `nomad job run -output` prints it) that we write.
 * Field names mirror the API exactly; durations are nanoseconds; driver config keys are HCL's.
 */
export interface NomadJob {
  ID: string;
  Name: string;
  Namespace: string;
  Type: 'service' | 'batch';
  Datacenters: string[];
  Meta: Record<string, string>;
  Spreads?: Spread[];
  TaskGroups: TaskGroup[];
  Periodic?: Record<string, unknown>;
}

export interface Spread {
  Attribute: string;
  Weight: number;
}

export interface TaskGroup {
  Name: string;
  Count: number;
  /** Between deregistering the group's services and stopping its tasks. */
  ShutdownDelay?: Nanoseconds;
  Update?: UpdateStrategy;
  Migrate?: MigrateStrategy;
  RestartPolicy: RestartPolicy;
  ReschedulePolicy: ReschedulePolicy;
  Networks: NetworkResource[];
  Services?: Service[];
  Volumes?: Record<string, VolumeRequest>;
  Tasks: Task[];
}

export interface UpdateStrategy {
  MaxParallel: number;
  Canary: number;
  AutoPromote: boolean;
  AutoRevert: boolean;
  HealthCheck: 'checks' | 'task_states' | 'manual';
  MinHealthyTime: Nanoseconds;
  HealthyDeadline: Nanoseconds;
  ProgressDeadline: Nanoseconds;
}

export interface MigrateStrategy {
  MaxParallel: number;
  HealthCheck: 'checks' | 'task_states';
  MinHealthyTime: Nanoseconds;
  HealthyDeadline: Nanoseconds;
}

export interface RestartPolicy {
  Attempts: number;
  Delay: Nanoseconds;
  Interval: Nanoseconds;
  Mode: 'fail' | 'delay';
}

export interface ReschedulePolicy {
  Attempts: number;
  Delay: Nanoseconds;
  MaxDelay: Nanoseconds;
  DelayFunction: 'constant' | 'exponential' | 'fibonacci';
  Interval: Nanoseconds;
  Unlimited: boolean;
}

export interface NetworkResource {
  DynamicPorts: Port[];
  /** bridge, host, cni/<name>…; the house job leaves it unset (host ports, bridged by Docker). */
  Mode?: string;
}

export interface Port {
  Label: string;
  Value: number;
  /** The container port; -1 means "the same as the dynamic host port". */
  To: number;
}

export interface Service {
  Name: string;
  Provider: 'nomad' | 'consul';
  PortLabel: string;
  TaskName?: string;
  Tags: string[];
  CanaryTags: string[];
  Checks: ServiceCheck[];
}

export interface ServiceCheck {
  Name: string;
  Type: 'http' | 'tcp';
  Path?: string;
  PortLabel: string;
  Interval: Nanoseconds;
  Timeout: Nanoseconds;
  CheckRestart?: CheckRestart;
}

export interface CheckRestart {
  Limit: number;
  Grace: Nanoseconds;
}

export interface VolumeRequest {
  Name: string;
  Type: 'host';
  Source: string;
  ReadOnly: boolean;
}

export interface Task {
  Name: string;
  Driver: 'docker' | 'podman';
  Config: Record<string, unknown>;
  Resources: { CPU: number; MemoryMB: number; MemoryMaxMB: number };
  VolumeMounts?: VolumeMount[];
  Templates: Template[];
}

export interface VolumeMount {
  Volume: string;
  Destination: string;
  ReadOnly: boolean;
}

export interface Template {
  EmbeddedTmpl: string;
  DestPath: string;
  ChangeMode: 'noop' | 'restart';
  Envvars: boolean;
}
