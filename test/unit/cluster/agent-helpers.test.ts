import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { recordedSessions, runsNomad } from '../../../src/cluster/agent-helpers.js';
import { localLayout } from '../../../src/cluster/local-layout.js';
import { sessionMembers, spawnDaemon } from '../../../src/cluster/processes.js';

describe("the local agent's helper processes", () => {
  it("are the processes of Nomad's binary in the sessions nom up recorded, and no other program's", () => {
    const layout = localLayout(mkdtempSync(join(tmpdir(), 'nom-helpers-')));
    assert.deepEqual(recordedSessions(layout), [], 'a cluster that never ran recorded none');
    mkdirSync(layout.nomadDir, { recursive: true });
    // Daemons in sessions of their own stand in for agents; `sleep` stands in for Nomad's binary.
    const sleeper = spawnDaemon('sleep', ['30'], join(layout.nomadDir, 'sleep.log'), process.env);
    const other = spawnDaemon(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)'], join(layout.nomadDir, 'node.log'), process.env);
    try {
      writeFileSync(layout.sessionsFile, `${sleeper}\n${other}\n`);
      assert.deepEqual(recordedSessions(layout), [sleeper, other]);
      const helpers = recordedSessions(layout).flatMap(sessionMembers);
      assert.deepEqual(helpers.filter(runsNomad('/usr/bin/sleep')), [sleeper]);
      assert.deepEqual(helpers.filter(runsNomad(undefined)), [], 'with no binary recorded, nothing is taken for Nomad');
      assert.deepEqual(helpers.filter(runsNomad('/nonexistent/nomad')), []);
    } finally {
      process.kill(sleeper, 'SIGKILL');
      process.kill(other, 'SIGKILL');
    }
  });
});
