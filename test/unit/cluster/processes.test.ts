import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executableOf, howEnded, runsWith, signalSession, spawnDaemon, waitFor } from '../../../src/cluster/processes.js';

describe('the processes nom recorded', () => {
  it('are known by the configuration they were started with, not by a PID that may be someone else\'s by now', async () => {
    const daemon = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)', '/tmp/nom-test-home/router/router.json'], { stdio: 'ignore' });
    try {
      assert.equal(runsWith(daemon.pid!, '/tmp/nom-test-home/router/router.json'), true);
      // This very process is running too, but it is not that daemon.
      assert.equal(runsWith(process.pid, '/tmp/nom-test-home/router/router.json'), false);
      assert.equal(executableOf(daemon.pid!), process.execPath);
    } finally {
      daemon.kill('SIGKILL');
      await new Promise((r) => daemon.once('exit', r));
    }
    assert.equal(runsWith(daemon.pid!, '/tmp/nom-test-home/router/router.json'), false);
  });

  it('signal only the members of a session that a filter picks', () => {
    // This process's session holds at least this process; a filter that picks none signals none.
    const sid = Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ')[3]);
    assert.equal(signalSession(sid, 'SIGCONT', () => false), 0);
  });
});

describe('a daemon that ends while nom waits for it', () => {
  it('says how it ended: its exit status, or the signal that killed it', async () => {
    const log = join(mkdtempSync(join(tmpdir(), 'nom-daemon-')), 'daemon.log');
    const exits = spawnDaemon('sh', ['-c', 'exit 3'], log, process.env);
    const killed = spawnDaemon('sh', ['-c', 'kill -KILL $$'], log, process.env);
    await waitFor(async () => (howEnded(exits) && howEnded(killed) ? true : undefined), { timeoutMs: 5000, onTimeout: () => new Error('the daemons did not end') });
    assert.equal(howEnded(exits), 'exit status 3');
    assert.equal(howEnded(killed), 'killed by SIGKILL');
  });
});
