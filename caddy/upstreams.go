// Package nomcaddy is the part of the router that lives in Caddy: each hostname's instances,
// kept in memory and replaced whole by the router through Caddy's admin API, and when each
// hostname last had a request, which the router reads to put idle apps to sleep.
//
// Caddy's own dynamic upstreams (SRV, A) cache at most 100 names and look a stale one up while
// holding a lock every request waits on; this table has no limit and no lookups, and changing it
// loads no configuration (a load closes every idle keep-alive connection).
package nomcaddy

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"
)

func init() {
	caddy.RegisterModule(Upstreams{})
	caddy.RegisterModule(AdminAPI{})
}

// route is one hostname of one scheme: where its requests go, and when it last had one.
type route struct {
	dials []string
	// Unix milliseconds of the last request; 0 when none since the table was first given it.
	last atomic.Int64
}

// table is process-wide, like Caddy's own upstream caches: it outlives configuration loads.
var table = struct {
	sync.RWMutex
	id     string
	routes map[string]*route // "https/example.com"
}{routes: map[string]*route{}}

// Upstreams is the upstream source `nom`: the instances of the request's hostname, as the
// router last put them in the table, or `fallback` (a listener that answers 503) for a hostname
// the table does not have.
type Upstreams struct {
	// The scheme of the routes this handler serves: "https" or "http".
	Scheme string `json:"scheme"`
	// Where a hostname the table does not have goes.
	Fallback string `json:"fallback"`
}

func (Upstreams) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "http.reverse_proxy.upstreams.nom", New: func() caddy.Module { return new(Upstreams) }}
}

func (u *Upstreams) Provision(caddy.Context) error {
	if u.Scheme != "https" && u.Scheme != "http" {
		return fmt.Errorf("scheme must be https or http, not %q", u.Scheme)
	}
	if u.Fallback == "" {
		return fmt.Errorf("fallback is required")
	}
	return nil
}

// GetUpstreams answers from the table. Caddy provisions and then drops the upstreams it is given
// for each request, so each request gets new ones.
func (u Upstreams) GetUpstreams(r *http.Request) ([]*reverseproxy.Upstream, error) {
	key := u.Scheme + "/" + hostOf(r.Host)
	table.RLock()
	rt := table.routes[key]
	if rt == nil {
		// A wildcard route: *.example.com for a.example.com.
		if _, rest, ok := strings.Cut(key[len(u.Scheme)+1:], "."); ok {
			rt = table.routes[u.Scheme+"/*."+rest]
		}
	}
	table.RUnlock()
	if rt == nil {
		return []*reverseproxy.Upstream{{Dial: u.Fallback}}, nil
	}
	now := time.Now().UnixMilli()
	// A second is fine enough for sleeping, and most requests then write nothing shared.
	if now-rt.last.Load() >= 1000 {
		rt.last.Store(now)
	}
	out := make([]*reverseproxy.Upstream, len(rt.dials))
	for i, d := range rt.dials {
		out[i] = &reverseproxy.Upstream{Dial: d}
	}
	return out, nil
}

// hostOf is the request's hostname, without a port, in lower case (as routes are written).
func hostOf(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		hostport = h
	}
	return strings.ToLower(strings.TrimSuffix(hostport, "."))
}

// AdminAPI serves the table on Caddy's admin API (a socket only Caddy's user may open):
//
//	PUT /nom/upstreams   {"id": "…", "routes": {"https/example.com": ["10.0.0.5:21034"]}}: replace the table
//	GET /nom/upstreams   {"id": "…", "routes": {…}}: the table as last put (id "" after Caddy starts)
//	GET /nom/requests    {"id": "…", "last": {"https/example.com": 1733150000000}}: the table's id, and the last request of each route that had one
type AdminAPI struct{}

func (AdminAPI) CaddyModule() caddy.ModuleInfo {
	return caddy.ModuleInfo{ID: "admin.api.nom", New: func() caddy.Module { return new(AdminAPI) }}
}

func (AdminAPI) Routes() []caddy.AdminRoute {
	return []caddy.AdminRoute{
		{Pattern: "/nom/upstreams", Handler: caddy.AdminHandlerFunc(serveUpstreams)},
		{Pattern: "/nom/requests", Handler: caddy.AdminHandlerFunc(serveRequests)},
	}
}

type document struct {
	ID     string              `json:"id"`
	Routes map[string][]string `json:"routes"`
}

func serveUpstreams(w http.ResponseWriter, r *http.Request) error {
	switch r.Method {
	case http.MethodGet:
		table.RLock()
		doc := document{ID: table.id, Routes: make(map[string][]string, len(table.routes))}
		for k, rt := range table.routes {
			doc.Routes[k] = rt.dials
		}
		table.RUnlock()
		return writeJSON(w, doc)
	case http.MethodPut:
		var doc document
		if err := json.NewDecoder(r.Body).Decode(&doc); err != nil {
			return caddy.APIError{HTTPStatus: http.StatusBadRequest, Err: fmt.Errorf("decoding the table: %v", err)}
		}
		for k, dials := range doc.Routes {
			for _, d := range dials {
				if _, _, err := net.SplitHostPort(d); err != nil {
					return caddy.APIError{HTTPStatus: http.StatusBadRequest, Err: fmt.Errorf("route %s: %q is not host:port", k, d)}
				}
			}
		}
		table.Lock()
		routes := make(map[string]*route, len(doc.Routes))
		for k, dials := range doc.Routes {
			rt := &route{dials: dials}
			// A route keeps its last request across tables.
			if was := table.routes[k]; was != nil {
				rt.last.Store(was.last.Load())
			}
			routes[k] = rt
		}
		table.routes, table.id = routes, doc.ID
		table.Unlock()
		w.WriteHeader(http.StatusNoContent)
		return nil
	default:
		return caddy.APIError{HTTPStatus: http.StatusMethodNotAllowed, Err: fmt.Errorf("method %s not allowed", r.Method)}
	}
}

func serveRequests(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet {
		return caddy.APIError{HTTPStatus: http.StatusMethodNotAllowed, Err: fmt.Errorf("method %s not allowed", r.Method)}
	}
	out := struct {
		ID   string           `json:"id"`
		Last map[string]int64 `json:"last"`
	}{Last: map[string]int64{}}
	table.RLock()
	out.ID = table.id
	for k, rt := range table.routes {
		if last := rt.last.Load(); last > 0 {
			out.Last[k] = last
		}
	}
	table.RUnlock()
	return writeJSON(w, out)
}

func writeJSON(w http.ResponseWriter, v any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}

var (
	_ reverseproxy.UpstreamSource = (*Upstreams)(nil)
	_ caddy.Provisioner           = (*Upstreams)(nil)
	_ caddy.AdminRouter           = (*AdminAPI)(nil)
)
