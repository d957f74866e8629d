import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ago } from '../../operate/terminal-text.js';
import type { Live } from './live-cluster.js';
import { type Environment, projectsOf } from './projects.js';

/** Review apps not deployed for this long are marked stale (nom cleanup's default). */
const STALE_AFTER_MS = 14 * 24 * 3600 * 1000;

/** An app's https URL as this browser reaches it: through the console's own port, when the ingress is not on 443 (the local cluster). */
export function reachable(url: string): string {
  return location.port && url.startsWith('https://') ? `${url}:${location.port}` : url;
}

/** A table's column headings. */
export function Columns({ names }: { names: readonly string[] }) {
  return (
    <thead>
      <tr>
        {names.map((n) => (
          <th key={n}>{n}</th>
        ))}
      </tr>
    </thead>
  );
}

export function HealthBadge({ env }: { env: Environment }) {
  const counts = env.health === 'stopped' || env.health === 'dead' || env.health === 'asleep' ? '' : ` ${env.healthy}/${env.desired}`;
  return (
    <span class={`badge ${env.health}`} data-health={env.health}>
      {env.health}
      {counts}
      {env.canaries ? ` · ${env.canaries} canary` : ''}
    </span>
  );
}

function EnvironmentRow({ env, now }: { env: Environment; now: number }) {
  return (
    <tr data-job={env.key}>
      <td data-label="environment">
        <a href={`#/deployment/${encodeURIComponent(env.namespace)}/${encodeURIComponent(env.id)}`}>{env.kind === 'review' ? env.branch ?? env.id : env.kind}</a>
        {env.kind !== 'review' && env.branch && env.branch !== env.kind && <span class="muted"> {env.branch}</span>}
        {env.stale && <span class="badge stale">stale</span>}
        <div class="muted small">
          {env.namespace}/{env.id}
        </div>
      </td>
      <td data-label="URL">
        {env.urls.length === 0 ? <span class="muted">—</span> : env.urls.map((u) => (
          // The house job's canary hostname (canary-<host>) is the canaries' own: shown quieter.
          <div key={u.url} class={/^https?:\/\/canary-/.test(u.url) ? 'small' : ''}>
            <a href={reachable(u.url)} target="_blank" rel="noopener noreferrer">
              {u.url.replace(/^https:\/\//, '')}
            </a>
          </div>
        ))}
      </td>
      <td data-label="health">
        <HealthBadge env={env} />
        {env.health === 'asleep' && <div class="muted small">a request wakes it</div>}
        {env.lastRequest !== undefined && <div class="muted small last-request">last request {ago(now - env.lastRequest)} ago</div>}
        {env.problem && <div class="problem small">{env.problem}</div>}
      </td>
      <td data-label="version" class="version">
        {env.version !== undefined ? `v${env.version}` : '—'}{' '}
        {env.commit && (env.commitUrl ? <a href={env.commitUrl} target="_blank" rel="noopener noreferrer">{env.commit.slice(0, 8)}</a> : <span class="muted">{env.commit.slice(0, 8)}</span>)}
      </td>
      <td data-label="deployed" title={new Date(env.submitted).toISOString()}>
        {ago(now - env.submitted)} ago{env.user && <span class="muted"> by {env.user}</span>}
        <div class="muted small">
          {env.deployment?.status}
          {env.runUrl && (
            <>
              {env.deployment ? ' · ' : ''}
              <a href={env.runUrl} target="_blank" rel="noopener noreferrer">
                CI run
              </a>
            </>
          )}
        </div>
      </td>
    </tr>
  );
}

export function OverviewPage({ live }: { live: Live }) {
  const [filter, setFilter] = useState('');
  const input = useRef<HTMLInputElement>(null);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const tick = setInterval(() => setNow(Date.now()), 30_000);
    // "/" finds, as in most consoles.
    const onKey = (e: KeyboardEvent) => {
      if (e.key === '/' && document.activeElement?.tagName !== 'INPUT') {
        e.preventDefault();
        input.current?.focus();
      }
    };
    addEventListener('keydown', onKey);
    return () => {
      clearInterval(tick);
      removeEventListener('keydown', onKey);
    };
  }, []);
  const projects = useMemo(() => (live.state ? projectsOf(live.state, live.ingress?.routes ?? [], now, STALE_AFTER_MS, live.ingress?.sleep) : []), [live.state, live.ingress, now]);
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = projects
    .map((p) => ({ ...p, environments: p.environments.filter((e) => words.every((w) => `${p.name} ${e.id} ${e.branch ?? ''} ${e.kind} ${e.health} ${e.urls.map((u) => u.url).join(' ')}`.toLowerCase().includes(w))) }))
    .filter((p) => p.environments.length);
  if (!live.state) return <main aria-busy="true">{live.problem ? null : <p class="muted">Reading the cluster…</p>}</main>;
  const all = projects.flatMap((p) => p.environments);
  return (
    <main>
      <div class="toolbar">
        <h1>Projects</h1>
        <span class="muted">
          {projects.length} projects · {all.length} deployments · {all.filter((e) => e.health === 'failing').length} failing · {all.filter((e) => e.stale).length} stale
        </span>
        <input ref={input} type="search" placeholder="Filter (press /)" aria-label="Filter deployments" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
      </div>
      {shown.length === 0 && <p class="muted">{projects.length ? 'Nothing matches the filter.' : 'No deployments this token may see.'}</p>}
      {shown.map((p) => (
        <section key={p.name} class="project" data-project={p.name}>
          <h2>{p.name}</h2>
          <table>
            <Columns names={['environment', 'URL', 'health', 'version', 'deployed']} />
            <tbody>
              {p.environments.map((e) => (
                <EnvironmentRow key={e.key} env={e} now={now} />
              ))}
            </tbody>
          </table>
        </section>
      ))}
    </main>
  );
}
