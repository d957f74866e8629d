import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const NOM = fileURLToPath(new URL('../../bin/nom', import.meta.url));
const script = (shell: string) => spawnSync(process.execPath, [NOM, 'completion', shell], { encoding: 'utf8' }).stdout;

/**
 * What bash completes for the words of a command line (the last one being completed), with the
 * script loaded into a real bash; `nom completion --jobs` answers with two job names here.
 */
function complete(words: string[]): string[] {
  const program = `
    nom() { if [ "$*" = "completion --jobs" ]; then printf 'web\\nweb-feature-x\\n'; fi; }
    ${script('bash')}
    COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')})
    COMP_CWORD=${words.length - 1}
    _nom
    printf '%s\\n' "\${COMPREPLY[@]}"`;
  const run = spawnSync('bash', ['-c', program], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return run.stdout.split('\n').filter(Boolean).sort();
}

describe('shell completion', () => {
  it('bash completes commands, their options, and job names from the cluster', () => {
    assert.deepEqual(complete(['nom', 'st']), ['status', 'stop']);
    assert.deepEqual(complete(['nom', 'logs', '--st']), ['--stderr']);
    assert.deepEqual(complete(['nom', 'logs', 'web-']), ['web-feature-x']);
    assert.deepEqual(complete(['nom', 'rollback', '-n', 'team-a', '']), ['web', 'web-feature-x'], 'an option\'s value is not the job');
    assert.deepEqual(complete(['nom', 'completion', '']), ['bash', 'zsh']);
    assert.deepEqual(complete(['nom', 'router', 's']), ['status']);
  });

  it('bash completes a subcommand\'s own options, and every command\'s --help', () => {
    assert.deepEqual(complete(['nom', 'cluster', 'c']), ['create']);
    assert.deepEqual(complete(['nom', 'cluster', 'create', '--nomad-v']), ['--nomad-version']);
    assert.deepEqual(complete(['nom', 'cluster', 'add', '--fi']), ['--first']);
    assert.deepEqual(complete(['nom', 'router', 'status', '--j']), ['--json']);
    assert.deepEqual(complete(['nom', 'router', '--c']), ['--config']);
    assert.deepEqual(complete(['nom', 'deploy', '--he']), ['--help']);
  });

  it('zsh completes commands and options in a real interactive zsh (driven through tmux)', async () => {
    const session = `nom-zsh-${process.pid}`;
    const tmux = (...args: string[]) => spawnSync('tmux', args, { encoding: 'utf8' });
    const bin = fileURLToPath(new URL('../../bin', import.meta.url));
    tmux('new-session', '-d', '-s', session, '-x', '160', '-y', '20', `env -i HOME=/tmp TERM=xterm PATH=${bin}:/usr/bin:/bin NOMAD_ADDR=http://127.0.0.1:1 zsh -f`);
    const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const typed = async (text: string) => {
      tmux('send-keys', '-t', session, 'C-u', text);
      await settle(200);
      tmux('send-keys', '-t', session, 'Tab');
      // The line once completion has settled.
      for (let i = 0; i < 30; i++) {
        await settle(100);
        const line = tmux('capture-pane', '-t', session, '-p').stdout.split('\n').filter((l) => l.trim()).at(-1) ?? '';
        if (!line.endsWith(text)) return line;
      }
      return tmux('capture-pane', '-t', session, '-p').stdout.split('\n').filter((l) => l.trim()).at(-1) ?? '';
    };
    try {
      await settle(300);
      tmux('send-keys', '-t', session, 'PS1="zsh> "; autoload -U compinit && compinit -u && source <(nom completion zsh)', 'Enter');
      await settle(1500);
      assert.equal((await typed('nom resu')).trimEnd(), 'zsh> nom resubmit');
      assert.equal((await typed('nom logs --stde')).trimEnd(), 'zsh> nom logs --stderr');
      assert.equal((await typed('nom history --js')).trimEnd(), 'zsh> nom history --json');
      assert.equal((await typed('nom cluster create --nomad-v')).trimEnd(), 'zsh> nom cluster create --nomad-version');
    } finally {
      tmux('kill-session', '-t', session);
    }
  });

  it('zsh loads its script without a syntax error, and it lists every command with what it does', () => {
    const text = script('zsh');
    const run = spawnSync('zsh', ['-n', '-c', text], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    for (const command of ['status', 'logs', 'ssh', 'cp', 'history', 'rollback', 'resubmit', 'urls', 'open', 'nodes', 'cleanup']) {
      assert.match(text, new RegExp(`'${command}:[^']+'`));
    }
    assert.match(text, /^compdef _nom nom$/m);
  });

  it('an unknown shell is a usage error that names the choices', () => {
    const run = spawnSync(process.execPath, [NOM, 'completion', 'fish'], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /Allowed choices are bash, zsh/);
  });
});
