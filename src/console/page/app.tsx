import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ClusterPage } from './cluster-page.js';
import { DeploymentPage } from './deployment-page.js';
import { useLiveCluster } from './live-cluster.js';
import { NomadApi } from './nomad-api.js';
import { OverviewPage } from './overview-page.js';

/** The token lives in this tab's session storage only: never in a URL, a cookie or a log. */
const TOKEN_KEY = 'nom-console-token';

type Route = { page: 'overview' } | { page: 'deployment'; namespace: string; id: string } | { page: 'cluster' };

function routeOf(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  if (parts[0] === 'deployment' && parts[1] && parts[2]) return { page: 'deployment', namespace: parts[1], id: parts[2] };
  if (parts[0] === 'cluster') return { page: 'cluster' };
  return { page: 'overview' };
}

function useRoute(): Route {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const onChange = () => setHash(location.hash);
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return routeOf(hash);
}

function SignIn({ onSignedIn, notice }: { onSignedIn: (token: string, who: Who) => void; notice?: string | undefined }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | undefined>(notice);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(undefined);
    try {
      const self = await new NomadApi(token.trim()).self();
      onSignedIn(token.trim(), { name: self.Name || self.AccessorID.slice(0, 8), management: self.Type === 'management' });
    } catch (err) {
      setProblem((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main class="sign-in">
      <h1>nom console</h1>
      <p>Every project, branch and review app of this cluster. Sign in with a Nomad ACL token: the page shows what that token may read, and does what it may do.</p>
      <form onSubmit={submit}>
        <label for="token">Nomad token</label>
        <input id="token" name="token" type="password" autocomplete="off" required value={token} onInput={(e) => setToken((e.target as HTMLInputElement).value)} autofocus />
        <button type="submit" disabled={busy || !token.trim()}>{busy ? 'Checking…' : 'Sign in'}</button>
      </form>
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
    </main>
  );
}

interface Who {
  readonly name: string;
  readonly management: boolean;
}

function Console({ token, who, onSignOut }: { token: string; who: Who; onSignOut: (notice?: string) => void }) {
  const api = useMemo(() => new NomadApi(token), [token]);
  const live = useLiveCluster(api, who.management);
  const route = useRoute();
  // A token revoked while the page is open: back to sign-in, saying why.
  useEffect(() => {
    if (live.problem && /refuses this token/.test(live.problem)) onSignOut(live.problem);
  }, [live.problem]);
  return (
    <>
      <header>
        <a class="brand" href="#/">
          nom
        </a>
        <nav>
          <a href="#/" aria-current={route.page === 'overview' ? 'page' : undefined}>
            Overview
          </a>
          <a href="#/cluster" aria-current={route.page === 'cluster' ? 'page' : undefined}>
            Cluster
          </a>
        </nav>
        <span class={`live ${live.following ? 'on' : 'off'}`} title={live.following ? 'following Nomad\'s events' : 'not following Nomad\'s events'}>
          {live.following ? 'live' : 'offline'}
        </span>
        <span class="who">{who.name}</span>
        <button type="button" class="link" onClick={() => onSignOut()}>
          Sign out
        </button>
      </header>
      {live.problem && (
        <p class="problem" role="alert">
          {live.problem}
        </p>
      )}
      {route.page === 'overview' && <OverviewPage live={live} />}
      {route.page === 'deployment' && <DeploymentPage api={api} live={live} namespace={route.namespace} id={route.id} />}
      {route.page === 'cluster' && <ClusterPage api={api} live={live} />}
    </>
  );
}

function App() {
  const [session, setSession] = useState<{ token: string; who: Who } | undefined>(() => {
    const saved = sessionStorage.getItem(TOKEN_KEY);
    return saved ? (JSON.parse(saved) as { token: string; who: Who }) : undefined;
  });
  const [notice, setNotice] = useState<string | undefined>();
  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignedIn={(token, who) => {
          sessionStorage.setItem(TOKEN_KEY, JSON.stringify({ token, who }));
          setSession({ token, who });
        }}
      />
    );
  }
  return (
    <Console
      token={session.token}
      who={session.who}
      onSignOut={(why) => {
        sessionStorage.removeItem(TOKEN_KEY);
        setNotice(why);
        setSession(undefined);
      }}
    />
  );
}

render(<App />, document.getElementById('app')!);
