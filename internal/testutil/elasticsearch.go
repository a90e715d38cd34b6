package testutil

import (
	"encoding/json"
	"net/http"
	"strings"
)

// FakeES answers like Elasticsearch's root, license, authenticate and has_privileges APIs,
// for unit tests of one piece. End-to-end tests use it too, behind real TLS and networks.
type FakeES struct {
	Version       string
	LicenseStatus string
	// LicenseType is what GET /_license says (default enterprise, as Cloud Connect requires).
	LicenseType string
	// Unavailable, when set, is the status (503, 429) and error type Elasticsearch answers
	// every request with, as a cluster that cannot serve does (autoops-facts.md).
	Unavailable *Unavailable
	// Authorization, when set, is the only Authorization header accepted.
	Authorization string
	Roles         []string
	// Missing lists privileges has_privileges reports as not held, e.g. "cluster:read_ilm".
	Missing []string
	// Root, when set, is the root's answer as written (JSON escapes and all).
	Root string
}

func (f *FakeES) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if f.Authorization != "" && r.Header.Get("Authorization") != f.Authorization {
		// As Elasticsearch: no X-Elastic-Product on a request that failed authentication.
		w.Header().Set("WWW-Authenticate", `Basic realm="security", ApiKey`)
		w.WriteHeader(http.StatusUnauthorized)
		reason := "unable to authenticate user"
		if r.Header.Get("Authorization") == "" {
			reason = "missing authentication credentials for REST request [" + r.URL.Path + "]"
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"type": "security_exception", "reason": reason}, "status": http.StatusUnauthorized})
		return
	}
	w.Header().Set("X-Elastic-Product", "Elasticsearch")
	if u := f.Unavailable; u != nil {
		w.WriteHeader(u.Status)
		_ = json.NewEncoder(w).Encode(u.body())
		return
	}
	var body any
	switch {
	case (r.URL.Path == "/" || r.URL.Path == "") && f.Root != "":
		_, _ = w.Write([]byte(f.Root))
		return
	case r.URL.Path == "/" || r.URL.Path == "":
		v := f.Version
		if v == "" {
			v = "9.1.3"
		}
		body = map[string]any{
			"name": "node-1", "cluster_name": "my-ccm-cluster", "cluster_uuid": "2O_EjO6kTR6AEVYwL5fPEw",
			"version": map[string]any{"number": v}, "tagline": "You Know, for Search",
		}
	case strings.HasSuffix(r.URL.Path, "/_license"):
		s := f.LicenseStatus
		if s == "" {
			s = "active"
		}
		typ := f.LicenseType
		if typ == "" {
			typ = "enterprise"
		}
		if typ == "enterprise" && strings.HasPrefix(f.Version, "7.") && r.URL.Query().Get("accept_enterprise") != "true" {
			typ = "platinum" // as 7.x answers a client that does not accept enterprise
		}
		body = map[string]any{"license": map[string]any{"status": s, "type": typ}}
	case strings.HasSuffix(r.URL.Path, "/_security/_authenticate"):
		roles := f.Roles
		if roles == nil {
			roles = []string{"autoops"}
		}
		body = map[string]any{"username": "autoops-user", "roles": roles}
	case strings.HasSuffix(r.URL.Path, "/_security/user/_has_privileges"):
		body = f.privileges()
	default:
		w.WriteHeader(http.StatusNotFound)
		body = map[string]any{"error": "not found"}
	}
	_ = json.NewEncoder(w).Encode(body)
}

func (f *FakeES) privileges() map[string]any {
	held := func(scope, p string) bool {
		for _, m := range f.Missing {
			if m == scope+":"+p {
				return false
			}
		}
		return true
	}
	cluster := map[string]bool{}
	for _, p := range []string{"monitor", "read_ilm", "read_slm"} {
		cluster[p] = held("cluster", p)
	}
	index := map[string]bool{}
	for _, p := range []string{"monitor", "view_index_metadata"} {
		index[p] = held("indices[*]", p)
	}
	return map[string]any{
		"username": "autoops-user", "has_all_requested": len(f.Missing) == 0,
		"cluster": cluster, "index": map[string]any{"*": index},
	}
}

// Registration401 answers like the registration API without credentials.
func Registration401(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"UnauthorizedMessages":["Invalid credential headers"],"Cause":null}`))
}

// OTLP401 answers like the AutoOps intake without credentials.
func OTLP401(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = w.Write([]byte(`{"code":16,"message":"no auth provided"}`))
}

// Unavailable is Elasticsearch up but unable to serve.
type Unavailable struct {
	Status int
	Type   string // master_not_discovered_exception, cluster_block_exception...
	Reason string // "" for null, as master_not_discovered_exception has
}

// The bodies Elasticsearch sends, as autoops-facts.md records them.
var (
	NoMaster       = &Unavailable{Status: http.StatusServiceUnavailable, Type: "master_not_discovered_exception"}
	StateRecovery  = &Unavailable{Status: http.StatusServiceUnavailable, Type: "cluster_block_exception", Reason: "blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];"}
	CircuitBreaker = &Unavailable{Status: http.StatusTooManyRequests, Type: "circuit_breaking_exception", Reason: "[parent] Data too large, data for [<http_request>] would be [1024/1kb], which is larger than the limit"}
	QueueFull      = &Unavailable{Status: http.StatusTooManyRequests, Type: "es_rejected_execution_exception", Reason: "rejected execution of coordinating operation"}
)

func (u *Unavailable) body() map[string]any {
	var reason any
	if u.Reason != "" {
		reason = u.Reason
	}
	cause := map[string]any{"type": u.Type, "reason": reason}
	return map[string]any{"error": map[string]any{"root_cause": []any{cause}, "type": u.Type, "reason": reason}, "status": u.Status}
}
