import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandError } from '../../../src/errors.js';
import { runningAllocations, taskOf } from '../../../src/operate/pick-allocation.js';
import { webJob, alloc } from '../../helpers/nomad-fixtures.js';

describe('choosing an allocation and a task', () => {
  const allocs = [alloc({ ID: 'aaaa1111-0', Name: 'web.web[0]', CreateTime: 1 }), alloc({ ID: 'bbbb2222-0', Name: 'web.web[1]', CreateTime: 2 }), alloc({ ID: 'cccc3333-0', Name: 'web.web[2]', ClientStatus: 'failed' })];

  it('takes every running one, newest first, or the one --alloc names by index or ID prefix', () => {
    assert.deepEqual(runningAllocations(allocs, 'web').map((a) => a.ID), ['bbbb2222-0', 'aaaa1111-0']);
    assert.deepEqual(runningAllocations(allocs, 'web', '0').map((a) => a.ID), ['aaaa1111-0']);
    assert.deepEqual(runningAllocations(allocs, 'web', 'BBBB').map((a) => a.ID), ['bbbb2222-0']);
  });

  it('says what runs when --alloc matches nothing, and when nothing runs at all', () => {
    assert.throws(() => runningAllocations(allocs, 'web', 'cccc'), (e: Error) => e instanceof CommandError && /no running allocation of web is --alloc cccc; running: bbbb2222 \(web\[1\]\), aaaa1111 \(web\[0\]\)/.test(e.message));
    assert.throws(() => runningAllocations([allocs[2]!], 'web'), /job web has no running allocation \(`nom status web` says why\)/);
  });

  it('takes the main task unless --task names another that exists', () => {
    const job = webJob(1, 'x');
    assert.equal(taskOf(job, allocs[0]!), 'http');
    assert.throws(() => taskOf(job, allocs[0]!, 'db'), /job web has no task "db" in group web; its tasks: http/);
  });
});
