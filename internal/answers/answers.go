// Package answers parses the JSON answers the probes expect: Elasticsearch's root, license,
// authenticate and has_privileges APIs, and the two credential-less 401s of Elastic Cloud.
// Parsers are pure and bounded by the probe's body limit.
package answers

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Root is the part of Elasticsearch's `GET /` answer AutoOps relies on.
type Root struct {
	Name        string `json:"name"`
	ClusterName string `json:"cluster_name"`
	ClusterUUID string `json:"cluster_uuid"`
	Version     struct {
		Number string `json:"number"`
	} `json:"version"`
}

// ParseRoot accepts only an Elasticsearch root answer: cluster name and version present, and
// the cluster_uuid field, which is "_na_" (or empty) until the cluster has formed.
func ParseRoot(body []byte) (Root, error) {
	p := rootOf(body)
	return p.root, p.err
}

func parseRoot(body []byte) (Root, error) {
	var r Root
	var uuid struct {
		ClusterUUID *string `json:"cluster_uuid"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return r, fmt.Errorf("not JSON: %w", err)
	}
	_ = json.Unmarshal(body, &uuid)
	if r.ClusterName == "" || uuid.ClusterUUID == nil || r.Version.Number == "" {
		return r, errors.New("JSON without cluster_name, cluster_uuid and version.number")
	}
	return r, nil
}

// rootParse is what the root tests read from one body.
type rootParse struct {
	root       Root
	err        error
	openSearch bool
}

func rootOf(body []byte) rootParse { return remembered(memoRoot, body, parseRootBody) }

func parseRootBody(body []byte) rootParse {
	root, err := parseRoot(body)
	return rootParse{root: root, err: err, openSearch: isOpenSearchRoot(body)}
}

// UnformedUUID is the cluster_uuid Elasticsearch answers before its cluster has formed.
const UnformedUUID = "_na_"

// Formed reports whether the cluster has formed: its root names a cluster UUID. The agent
// reads "_na_" or an empty one as "the cluster is not ready" (Elastic's CLUSTER_NOT_READY).
func (r Root) Formed() bool { return r.ClusterUUID != "" && r.ClusterUUID != UnformedUUID }

// Version is a major.minor.patch Elasticsearch version.
type Version [3]int

// MinimumVersion is the oldest Elasticsearch AutoOps supports.
var MinimumVersion = Version{7, 17, 0}

// ParseVersion reads "8.15.1" or "9.2.0-SNAPSHOT".
func ParseVersion(s string) (Version, error) {
	var v Version
	core, _, _ := strings.Cut(s, "-")
	parts := strings.Split(core, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return v, fmt.Errorf("version %q is not major.minor.patch", s)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return v, fmt.Errorf("version %q is not major.minor.patch", s)
		}
		v[i] = n
	}
	return v, nil
}

// Less orders versions.
func (v Version) Less(o Version) bool { return slices.Compare(v[:], o[:]) < 0 }

// License is `GET /_license`'s license.
type License struct {
	Status string `json:"status"`
	Type   string `json:"type"`
}

// ParseLicense reads `GET /_license`.
func ParseLicense(body []byte) (License, error) {
	p := remembered(memoLicense, body, func(b []byte) licenseParse {
		l, err := parseLicense(b)
		return licenseParse{l, err}
	})
	return p.license, p.err
}

type licenseParse struct {
	license License
	err     error
}

func parseLicense(body []byte) (License, error) {
	var w struct {
		License *License `json:"license"`
	}
	if err := json.Unmarshal(body, &w); err != nil {
		return License{}, fmt.Errorf("not JSON: %w", err)
	}
	if w.License == nil || w.License.Status == "" {
		return License{}, errors.New("JSON without license.status")
	}
	return *w.License, nil
}

// Authenticate is `GET /_security/_authenticate`.
type Authenticate struct {
	Username string   `json:"username"`
	Roles    []string `json:"roles"`
}

// ParseAuthenticate reads `GET /_security/_authenticate`.
func ParseAuthenticate(body []byte) (Authenticate, error) {
	p := remembered(memoAuthenticate, body, func(b []byte) authenticateParse {
		a, err := parseAuthenticate(b)
		return authenticateParse{a, err}
	})
	a := p.authenticate
	a.Roles = slices.Clone(a.Roles) // the caller's own
	return a, p.err
}

type authenticateParse struct {
	authenticate Authenticate
	err          error
}

func parseAuthenticate(body []byte) (Authenticate, error) {
	var a Authenticate
	if err := json.Unmarshal(body, &a); err != nil {
		return a, fmt.Errorf("not JSON: %w", err)
	}
	if a.Username == "" {
		return a, errors.New("JSON without username")
	}
	return a, nil
}

// IsSuperuser reports whether the user holds the built-in superuser role.
func (a Authenticate) IsSuperuser() bool { return slices.Contains(a.Roles, "superuser") }

// The privileges AutoOps needs (autoops-facts.md, "What the cluster user needs").
var (
	ClusterPrivileges = []string{"monitor", "read_ilm", "read_slm"}
	IndexPrivileges   = []string{"monitor", "view_index_metadata"}
)

// HasPrivilegesRequest is the body for `POST /_security/user/_has_privileges`.
func HasPrivilegesRequest() []byte { return hasPrivilegesRequest }

// hasPrivilegesRequest is built once: every run sends the same body.
var hasPrivilegesRequest = func() []byte {
	b, _ := json.Marshal(map[string]any{
		"cluster": ClusterPrivileges,
		"index": []map[string]any{{
			"names": []string{"*"}, "privileges": IndexPrivileges, "allow_restricted_indices": true,
		}},
	})
	return b
}()

// MissingPrivileges reads a has_privileges answer and names each privilege not held,
// as "cluster:monitor" or "indices[*]:view_index_metadata".
func MissingPrivileges(body []byte) ([]string, error) {
	p := remembered(memoMissing, body, func(b []byte) missingParse {
		m, err := missingPrivileges(b)
		return missingParse{m, err}
	})
	return slices.Clone(p.missing), p.err // the caller's own
}

type missingParse struct {
	missing []string
	err     error
}

func missingPrivileges(body []byte) ([]string, error) {
	var a struct {
		HasAll  *bool                      `json:"has_all_requested"`
		Cluster map[string]bool            `json:"cluster"`
		Index   map[string]map[string]bool `json:"index"`
	}
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("not JSON: %w", err)
	}
	if a.HasAll == nil {
		return nil, errors.New("JSON without has_all_requested")
	}
	var missing []string
	for _, p := range ClusterPrivileges {
		if !a.Cluster[p] {
			missing = append(missing, "cluster:"+p)
		}
	}
	for _, p := range IndexPrivileges {
		if !a.Index["*"][p] {
			missing = append(missing, "indices[*]:"+p)
		}
	}
	if !*a.HasAll && len(missing) == 0 {
		missing = append(missing, "allow_restricted_indices on indices[*]")
	}
	return missing, nil
}

// IsRegistrationUnauthorized matches the registration API's answer to a request without
// credentials: {"UnauthorizedMessages":[...],"Cause":null}.
func IsRegistrationUnauthorized(body []byte) bool {
	return remembered(memoRegistration401, body, isRegistrationUnauthorized)
}

func isRegistrationUnauthorized(body []byte) bool {
	var a struct {
		Messages []string `json:"UnauthorizedMessages"`
	}
	return json.Unmarshal(body, &a) == nil && a.Messages != nil
}

// IsOTLPUnauthenticated matches the intake's gRPC-style answer {"code":16,...}
// (16 is UNAUTHENTICATED).
func IsOTLPUnauthenticated(body []byte) bool {
	return remembered(memoOTLP401, body, isOTLPUnauthenticated)
}

func isOTLPUnauthenticated(body []byte) bool {
	var a struct {
		Code *int `json:"code"`
	}
	return json.Unmarshal(body, &a) == nil && a.Code != nil && *a.Code == 16
}

// Answer is what tells who made an HTTP answer: its status, the headers only Elasticsearch,
// Kibana or a proxy send, and the body.
type Answer struct {
	Status         int
	ElasticProduct string // X-Elastic-Product: only Elasticsearch sends it
	Kibana         bool   // kbn-name or kbn-license-sig: only Kibana sends them
	Location       string
	SquidError     string // X-Squid-Error: squid answered itself
	Body           []byte
}

// IsElasticsearch is the one test of whether Elasticsearch itself made an answer, which the
// probe (before asking the cluster more) and the diagnosis (before any auth, privilege or
// version verdict) both read. Elasticsearch proves itself by X-Elastic-Product (every answer
// since 7.14 but failed authentication), by its security_exception body on a 401/403, or by
// its root JSON (older versions); Kibana and OpenSearch never count, whatever else they send
// (autoops-facts.md, "Field facts").
func IsElasticsearch(a Answer) bool {
	switch {
	case IsKibana(a) || IsOpenSearchRoot(a.Body):
		return false
	case a.ElasticProduct != "":
		return true
	case a.SquidError != "":
		return false // squid's own page
	case (a.Status == http.StatusUnauthorized || a.Status == http.StatusForbidden) && IsSecurityError(a.Body):
		return true
	case a.Status == http.StatusOK:
		_, err := ParseRoot(a.Body)
		return err == nil
	}
	return false
}

// IsKibana matches Kibana's answers: its kbn-* headers, or its redirect of / to the space
// selector or the login page.
func IsKibana(a Answer) bool {
	if a.Kibana {
		return true
	}
	if a.Status < 300 || a.Status >= 400 {
		return false
	}
	return strings.HasSuffix(a.Location, "/spaces/enter") || strings.Contains(a.Location, "/login")
}

// ErrNotElasticsearch: the answer is not one Elasticsearch itself made with 200.
var ErrNotElasticsearch = errors.New("not Elasticsearch's own 200")

// ElasticsearchRoot is the root JSON of an answer Elasticsearch itself made with 200. The
// error is ErrNotElasticsearch for any other answer, or says why Elasticsearch's 200 is not
// its root JSON.
func ElasticsearchRoot(a Answer) (Root, error) {
	if a.Status != http.StatusOK || !IsElasticsearch(a) {
		return Root{}, ErrNotElasticsearch
	}
	return ParseRoot(a.Body)
}

// IsOpenSearchRoot matches OpenSearch's root answer: version.distribution "opensearch".
func IsOpenSearchRoot(body []byte) bool { return rootOf(body).openSearch }

func isOpenSearchRoot(body []byte) bool {
	var a struct {
		Version struct {
			Distribution string `json:"distribution"`
		} `json:"version"`
	}
	return json.Unmarshal(body, &a) == nil && strings.EqualFold(a.Version.Distribution, "opensearch")
}

// IsSecurityError matches Elasticsearch's own 401/403 body: {"error":{"type":
// "security_exception",...},"status":...}. Elasticsearch sends no X-Elastic-Product on a
// request that failed authentication, so this body is how its refusal proves itself.
func IsSecurityError(body []byte) bool {
	return remembered(memoSecurityError, body, isSecurityError)
}

func isSecurityError(body []byte) bool {
	var a struct {
		Error struct {
			Type string `json:"type"`
		} `json:"error"`
	}
	return json.Unmarshal(body, &a) == nil && a.Error.Type == "security_exception"
}

// TransportPortReply is what Elasticsearch's transport port (9300) answers to HTTP.
const TransportPortReply = "This is not an HTTP port"

// RoleName is the role RoleRequest creates: a role of its own, added to the user's roles, so
// that pasting it never overwrites a role the user already has.
const RoleName = "autoops_missing_privileges"

// RoleRequest is the request that creates a role granting exactly the privileges named in
// missing (as MissingPrivileges names them), or every privilege AutoOps needs when missing is
// empty (the cluster refused to say), ready to paste into Kibana's Dev Tools.
func RoleRequest(missing []string) string {
	cluster, indices := ClusterPrivileges, IndexPrivileges
	if len(missing) > 0 {
		cluster, indices = nil, nil
		for _, m := range missing {
			if p, ok := strings.CutPrefix(m, "cluster:"); ok {
				cluster = append(cluster, p)
			} else if p, ok := strings.CutPrefix(m, "indices[*]:"); ok {
				indices = append(indices, p)
			}
		}
	}
	role := map[string]any{}
	if len(cluster) > 0 {
		role["cluster"] = cluster
	}
	// allow_restricted_indices alone missing: the index block is what grants it.
	if len(indices) > 0 || len(missing) > 0 && len(cluster) == 0 {
		if len(indices) == 0 {
			indices = IndexPrivileges
		}
		role["indices"] = []map[string]any{{"names": []string{"*"}, "privileges": indices, "allow_restricted_indices": true}}
	}
	body, _ := json.Marshal(role)
	return "POST /_security/role/" + RoleName + " " + string(body)
}

// The parsers' memo: a run's probe and diagnosis read the same body several times (the root
// about ten: IsElasticsearch, ElasticsearchRoot, the license path, answered_by; ParseRoot
// decodes twice), and every run of every instance gets the same bodies. Parsing is pure, so a
// parse remembered by the body's content is the parse; slices are cloned for each caller.
// Per parser, at most maxMemoBodies bodies of at most maxMemoBody bytes; others are parsed
// every time.
const (
	memoRoot = iota
	memoLicense
	memoAuthenticate
	memoMissing
	memoRegistration401
	memoOTLP401
	memoSecurityError
	memoKinds
)

const (
	maxMemoBody   = 4 << 10
	maxMemoBodies = 16
)

var memo struct {
	sync.Mutex
	parses [memoKinds]map[string]any
}

func remembered[T any](kind int, body []byte, parse func([]byte) T) T {
	if len(body) > maxMemoBody {
		return parse(body)
	}
	memo.Lock()
	v, ok := memo.parses[kind][string(body)]
	memo.Unlock()
	if ok {
		return v.(T)
	}
	p := parse(body)
	memo.Lock()
	if m := memo.parses[kind]; m == nil || len(m) >= maxMemoBodies {
		memo.parses[kind] = make(map[string]any, maxMemoBodies)
	}
	memo.parses[kind][string(body)] = p
	memo.Unlock()
	return p
}
