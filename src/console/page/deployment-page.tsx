import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ago } from '../../operate/terminal-text.js';
import { jobKey } from './cluster-state.js';
import type { Live } from './live-cluster.js';
import type { NomadApi } from './nomad-api.js';
import { Columns, HealthBadge, reachable } from './overview-page.js';
import { projectsOf, safeUrl } from './projects.js';

type Versions = Awaited<ReturnType<NomadApi['versions']>>['Versions'];

/** An action waiting for the visitor's yes, then what Nomad answered. */
interface Pending {
  readonly title: string;
  readonly run: () => Promise<string>;
}

function Confirm({ pending, onClose }: { pending: Pending; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [answer, setAnswer] = useState<{ ok: boolean; text: string } | undefined>();
  const [busy, setBusy] = useState(false);
  useEffect(() => dialog.current?.showModal(), []);
  const go = async () => {
    setBusy(true);
    try {
      setAnswer({ ok: true, text: await pending.run() });
    } catch (e) {
      setAnswer({ ok: false, text: (e as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <dialog ref={dialog} onClose={onClose} aria-labelledby="confirm-title">
      <h2 id="confirm-title">{pending.title}</h2>
      {answer ? (
        <p class={answer.ok ? 'ok' : 'problem'} role="status">
          {answer.text}
        </p>
      ) : (
        <p>Nomad will be asked to do this with your token.</p>
      )}
      <div class="actions">
        {!answer && (
          <button type="button" class="danger" onClick={go} disabled={busy}>
            {busy ? 'Asking Nomad…' : 'Yes, do it'}
          </button>
        )}
        <button type="button" onClick={() => dialog.current?.close()} autofocus>
          {answer ? 'Close' : 'Cancel'}
        </button>
      </div>
    </dialog>
  );
}

function LogView({ api, allocId, tasks }: { api: NomadApi; allocId: string; tasks: readonly string[] }) {
  const [task, setTask] = useState(tasks[0] ?? '');
  const [type, setType] = useState<'stdout' | 'stderr'>('stdout');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | undefined>();
  const pre = useRef<HTMLPreElement>(null);
  useEffect(() => {
    if (!task) return;
    const stop = new AbortController();
    setText('');
    setProblem(undefined);
    // Keep the last 200 KiB: a chatty app must not fill the tab's memory.
    api.logs(allocId, task, type, (piece) => setText((t) => (t + piece).slice(-200_000)), stop.signal).catch((e: Error) => stop.signal.aborted || setProblem(e.message));
    return () => stop.abort();
  }, [api, allocId, task, type]);
  useEffect(() => {
    const el = pre.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 80) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <section class="logs">
      <div class="toolbar">
        <h2>Log of {allocId.slice(0, 8)}</h2>
        {tasks.length > 1 && (
          <select aria-label="task" value={task} onChange={(e) => setTask((e.target as HTMLSelectElement).value)}>
            {tasks.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </select>
        )}
        <select aria-label="stream" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value as 'stdout' | 'stderr')}>
          <option>stdout</option>
          <option>stderr</option>
        </select>
        <span class="muted small">following</span>
      </div>
      {problem && <p class="problem">{problem}</p>}
      <pre ref={pre} tabIndex={0} aria-label="log">
        {text || '(nothing yet)'}
      </pre>
    </section>
  );
}

export function DeploymentPage({ api, live, namespace, id }: { api: NomadApi; live: Live; namespace: string; id: string }) {
  const key = jobKey(namespace, id);
  const job = live.state?.jobs.get(key);
  const env = useMemo(() => (live.state ? projectsOf(live.state, live.ingress?.routes ?? [], Date.now(), Infinity).flatMap((p) => p.environments).find((e) => e.key === key) : undefined), [live.state, live.ingress, key]);
  const allocations = useMemo(
    () => [...(live.state?.allocations.values() ?? [])].filter((a) => a.Namespace === namespace && a.JobID === id).sort((a, b) => b.CreateTime - a.CreateTime),
    [live.state, namespace, id],
  );
  const [versions, setVersions] = useState<Versions | undefined>();
  const [logOf, setLogOf] = useState<string | undefined>();
  const [pending, setPending] = useState<Pending | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  useEffect(() => {
    api.versions(namespace, id).then((v) => setVersions(v.Versions), (e: Error) => setProblem(e.message));
  }, [api, namespace, id, job?.SubmitTime]);

  if (!live.state) return <main aria-busy="true" />;
  if (!job || !env) {
    return (
      <main>
        <p>
          No job {namespace}/{id} that this token may see (it may have been stopped and purged). <a href="#/">Back to the overview</a>
        </p>
      </main>
    );
  }
  const current = versions?.[0]?.Version ?? env.version ?? 0;
  const now = Date.now();
  const said = (what: string) => (r: { EvalID?: string }) => `${what}: Nomad accepted it${r.EvalID ? ` (evaluation ${r.EvalID.slice(0, 8)})` : ''}.`;
  const shownAlloc = logOf ?? allocations.find((a) => a.ClientStatus === 'running')?.ID;
  const tasksOf = (allocId: string) => Object.keys(live.state!.allocations.get(allocId)?.TaskStates ?? {});
  return (
    <main>
      <p class="muted small">
        <a href="#/">Projects</a> / {job.Meta?.nom_project ?? namespace}
      </p>
      <div class="toolbar">
        <h1>{env.kind === 'review' ? env.branch ?? id : `${env.kind}${env.branch ? ` (${env.branch})` : ''}`}</h1>
        <HealthBadge env={env} />
        <span class="muted">
          {namespace}/{id} · v{env.version ?? '?'} {env.commit ? `· ${env.commit.slice(0, 8)}` : ''}
        </span>
      </div>
      {env.urls.map((u) => (
        <p key={u.url}>
          <a href={reachable(u.url)} target="_blank" rel="noopener noreferrer">
            {reachable(u.url)}
          </a>{' '}
          <span class="muted small">{u.instances} instance(s) routed</span>
        </p>
      ))}
      {env.problem && <p class="problem">{env.problem}</p>}
      {env.deployment && (
        <p class="muted">
          last deployment: {env.deployment.status} — {env.deployment.description}
        </p>
      )}
      <div class="actions">
        <button type="button" onClick={() => setPending({ title: `Restart ${id}: submit its spec again as a new version?`, run: () => api.restart(namespace, id).then(said('restart')) })}>
          Restart
        </button>
        {env.kind === 'review' && !job.Stop && (
          <button type="button" class="danger" onClick={() => setPending({ title: `Stop the review app ${env.branch ?? id} and purge its job?`, run: () => api.stop(namespace, id).then(said('stop')) })}>
            Stop review app
          </button>
        )}
      </div>
      {problem && <p class="problem">{problem}</p>}

      <h2>Allocations</h2>
      <table class="allocations">
        <Columns names={['allocation', 'node', 'status', 'health', 'version', 'restarts', 'age']} />
        <tbody>
          {allocations.map((a) => (
            <tr key={a.ID} data-alloc={a.ID} class={a.ID === shownAlloc ? 'selected' : ''}>
              <td data-label="allocation">
                <button type="button" class="link mono" onClick={() => setLogOf(a.ID)} title="show its log">
                  {a.ID.slice(0, 8)}
                </button>
                {a.DeploymentStatus?.Canary && <span class="badge canary">canary</span>}
              </td>
              <td data-label="node">{a.NodeName ?? a.NodeID.slice(0, 8)}</td>
              <td data-label="status">{a.ClientStatus}</td>
              <td data-label="health">{a.DeploymentStatus?.Healthy === true ? 'healthy' : a.DeploymentStatus?.Healthy === false ? 'unhealthy' : '—'}</td>
              <td data-label="version">v{a.JobVersion}</td>
              <td data-label="restarts">{Object.values(a.TaskStates ?? {}).reduce((n, t) => n + t.Restarts, 0)}</td>
              <td data-label="age">{ago(now - a.CreateTime / 1e6)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shownAlloc && <LogView key={shownAlloc} api={api} allocId={shownAlloc} tasks={tasksOf(shownAlloc)} />}

      <h2>Versions</h2>
      {!versions && <p class="muted">reading versions…</p>}
      <table class="versions">
        <Columns names={['version', 'commit', 'submitted', '']} />
        <tbody>
          {(versions ?? []).map((v) => (
            <tr key={v.Version} data-version={v.Version}>
              <td data-label="version">
                v{v.Version} {v.Stable && <span class="muted small">stable</span>}
              </td>
              <td data-label="commit" class="mono">
                {safeUrl(v.Meta?.nom_commit_url) ? (
                  <a href={safeUrl(v.Meta?.nom_commit_url)} target="_blank" rel="noopener noreferrer">
                    {v.Meta?.nom_commit?.slice(0, 8)}
                  </a>
                ) : (
                  v.Meta?.nom_commit?.slice(0, 8) ?? '—'
                )}
              </td>
              <td data-label="submitted">
                {ago(now - v.SubmitTime / 1e6)} ago{v.Meta?.nom_user && <span class="muted"> by {v.Meta.nom_user}</span>}
                {safeUrl(v.Meta?.nom_run_url) && (
                  <>
                    {' · '}
                    <a href={safeUrl(v.Meta?.nom_run_url)} target="_blank" rel="noopener noreferrer">
                      CI run
                    </a>
                  </>
                )}
              </td>
              <td>
                {v.Version !== current && (
                  <button type="button" onClick={() => setPending({ title: `Roll ${id} back to version ${v.Version}?`, run: () => api.revert(namespace, id, v.Version, current).then(said(`roll back to v${v.Version}`)) })}>
                    Roll back
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {pending && <Confirm pending={pending} onClose={() => setPending(undefined)} />}
    </main>
  );
}
