package nomcaddy

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func put(t *testing.T, body string) int {
	t.Helper()
	w := httptest.NewRecorder()
	err := serveUpstreams(w, httptest.NewRequest(http.MethodPut, "/nom/upstreams", strings.NewReader(body)))
	if err != nil {
		return 400
	}
	return w.Code
}

func dials(t *testing.T, u Upstreams, host string) []string {
	t.Helper()
	ups, err := u.GetUpstreams(httptest.NewRequest(http.MethodGet, "https://"+host+"/", nil))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(ups))
	for i, up := range ups {
		out[i] = up.Dial
	}
	return strings.Fields(strings.Join(out, " "))
}

func TestAnswersFromTheTable(t *testing.T) {
	if code := put(t, `{"id":"one","routes":{"https/web.example.com":["10.0.0.5:21034","10.0.0.6:21035"],"https/*.apps.example.com":["10.0.0.7:1"],"http/web.example.com":["10.0.0.8:2"]}}`); code != http.StatusNoContent {
		t.Fatalf("PUT answered %d", code)
	}
	u := Upstreams{Scheme: "https", Fallback: "127.0.0.1:4652"}
	for host, want := range map[string]string{
		"web.example.com":      "10.0.0.5:21034 10.0.0.6:21035",
		"WEB.example.com:8443": "10.0.0.5:21034 10.0.0.6:21035", // a port and capitals, as a Host header may carry them
		"a.apps.example.com":   "10.0.0.7:1",                    // a wildcard route
		"other.example.com":    "127.0.0.1:4652",                // not in the table: the 503 listener
		"a.b.apps.example.com": "127.0.0.1:4652",                // a wildcard covers one label only
	} {
		if got := strings.Join(dials(t, u, host), " "); got != want {
			t.Errorf("%s: got %q, want %q", host, got, want)
		}
	}
	if got := strings.Join(dials(t, Upstreams{Scheme: "http", Fallback: "x:1"}, "web.example.com"), " "); got != "10.0.0.8:2" {
		t.Errorf("http: got %q", got)
	}
	// Each request gets upstreams of its own: Caddy provisions and drops them.
	a, _ := u.GetUpstreams(httptest.NewRequest(http.MethodGet, "https://web.example.com/", nil))
	b, _ := u.GetUpstreams(httptest.NewRequest(http.MethodGet, "https://web.example.com/", nil))
	if a[0] == b[0] {
		t.Error("two requests share an upstream object")
	}
}

func TestNotesRequestsAndKeepsThemAcrossTables(t *testing.T) {
	put(t, `{"id":"one","routes":{"https/web.example.com":["10.0.0.5:1"],"https/idle.example.com":["10.0.0.5:2"]}}`)
	dials(t, Upstreams{Scheme: "https", Fallback: "x:1"}, "web.example.com")
	put(t, `{"id":"two","routes":{"https/web.example.com":["10.0.0.5:3"],"https/idle.example.com":["10.0.0.5:2"]}}`)
	w := httptest.NewRecorder()
	if err := serveRequests(w, httptest.NewRequest(http.MethodGet, "/nom/requests", nil)); err != nil {
		t.Fatal(err)
	}
	body := w.Body.String()
	if !strings.Contains(body, `"id":"two"`) || !strings.Contains(body, `"https/web.example.com":`) || strings.Contains(body, "idle") {
		t.Errorf("requests: %s", body)
	}
}

func TestRefusesATableThatIsNotOne(t *testing.T) {
	put(t, `{"id":"good","routes":{"https/web.example.com":["10.0.0.5:1"]}}`)
	for _, body := range []string{`not json`, `{"id":"bad","routes":{"https/web.example.com":["no port"]}}`} {
		if code := put(t, body); code != 400 {
			t.Errorf("%s: answered %d", body, code)
		}
	}
	// The good table stands.
	if got := strings.Join(dials(t, Upstreams{Scheme: "https", Fallback: "x:1"}, "web.example.com"), " "); got != "10.0.0.5:1" {
		t.Errorf("after a refused table: %q", got)
	}
}
