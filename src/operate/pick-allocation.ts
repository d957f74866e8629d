import { CommandError } from '../errors.js';
import { MAIN_TASK } from '../jobspec/services.js';
import type { AllocationListStub, RegisteredJob } from '../nomad/jobs.js';

/** `web[2]`'s index, 2; undefined for a name without one. */
const indexOf = (name: string) => /\[(\d+)\]$/.exec(name)?.[1];

const describe = (a: AllocationListStub) => `${a.ID.slice(0, 8)} (${a.Name.split('.').pop()})`;

/**
 * The running allocations a command acts on: the one `--alloc` names — by its index, as in
 * `web[2]`, or by a prefix of its ID — or, without it, all of them, newest first. Pure.
 */
export function runningAllocations(allocations: readonly AllocationListStub[], jobId: string, selector?: string): AllocationListStub[] {
  const running = allocations.filter((a) => a.ClientStatus === 'running').sort((a, b) => b.CreateTime - a.CreateTime);
  if (!running.length) throw new CommandError(`job ${jobId} has no running allocation (\`nom status ${jobId}\` says why)`);
  if (selector === undefined) return running;
  const byIndex = /^\d{1,4}$/.test(selector);
  const match = running.filter((a) => (byIndex ? indexOf(a.Name) === selector : a.ID.startsWith(selector.toLowerCase())));
  if (!match.length) throw new CommandError(`no running allocation of ${jobId} is --alloc ${selector}; running: ${running.map(describe).join(', ')}`);
  if (match.length > 1) throw new CommandError(`--alloc ${selector} matches ${match.length} allocations of ${jobId} (${match.map(describe).join(', ')}): give more of the ID`);
  return match;
}

/** The task a command acts on: `--task`, else the house job's main task, else the group's first. Pure. */
export function taskOf(job: Pick<RegisteredJob, 'ID' | 'TaskGroups'>, alloc: Pick<AllocationListStub, 'TaskGroup'>, task?: string): string {
  const tasks = job.TaskGroups.find((g) => g.Name === alloc.TaskGroup)?.Tasks.map((t) => t.Name) ?? [];
  if (task !== undefined) {
    if (!tasks.includes(task)) throw new CommandError(`job ${job.ID} has no task "${task}" in group ${alloc.TaskGroup}; its tasks: ${tasks.join(', ') || 'none'}`);
    return task;
  }
  if (tasks.includes(MAIN_TASK)) return MAIN_TASK;
  if (!tasks.length) throw new CommandError(`job ${job.ID}'s group ${alloc.TaskGroup} has no tasks`);
  return tasks[0]!;
}
