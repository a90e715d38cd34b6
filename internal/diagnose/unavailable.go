package diagnose

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
)

// Matches for an endpoint that answers but cannot serve: Elasticsearch itself, or the gateway
// in front of it.

// esError is Elasticsearch's error body: {"error":{"type":...,"reason":...},"status":N}.
type esError struct {
	Error struct {
		Type   string  `json:"type"`
		Reason *string `json:"reason"`
	} `json:"error"`
	Status int `json:"status"`
}

// elasticsearchError reads Elasticsearch's own error JSON from an answer, when it is one: its
// status field equals the HTTP status, and it names an error type.
func elasticsearchError(status int, body []byte) (esError, bool) {
	var e esError
	if json.Unmarshal(body, &e) != nil || e.Error.Type == "" || e.Status != status {
		return e, false
	}
	return e, true
}

// elasticsearchUnavailable: Elasticsearch answered that it cannot serve yet (503, 429 with its
// error JSON): no master, a cluster block, a circuit breaker, a full queue; or its root says
// the cluster has not formed (cluster_uuid "_na_" or empty), which the agent reads as "the
// cluster is not ready" and never registers past.
func elasticsearchUnavailable(j *judgement) (string, bool) {
	if root, ok := j.root(); ok && !root.Formed() {
		return sentence("Elasticsearch answered 200, but its root JSON has cluster_uuid %q: the cluster has not formed (no master elected, no cluster state recovered)", root.ClusterUUID)
	}
	r := j.answer()
	if r == nil || !j.cluster() || r.Status != http.StatusServiceUnavailable && r.Status != http.StatusTooManyRequests {
		return "", false
	}
	e, ok := elasticsearchError(r.Status, r.Body)
	if !ok {
		return "", false
	}
	reason := "no reason given"
	if e.Error.Reason != nil && *e.Error.Reason != "" {
		reason = fmt.Sprintf("%q", *e.Error.Reason)
	}
	return sentence("Elasticsearch answered %d %s: %s", r.Status, e.Error.Type, reason)
}

// gatewayStatuses are what a reverse proxy or load balancer answers when the cluster behind
// it does not.
var gatewayStatuses = map[int]bool{http.StatusBadGateway: true, http.StatusServiceUnavailable: true, http.StatusGatewayTimeout: true}

// gatewayUpstreamError: a 502, 503 or 504 at the cluster endpoint that Elasticsearch did not
// make (no X-Elastic-Product, no error JSON of its own): the gateway is reachable, the cluster
// behind it is not.
func gatewayUpstreamError(j *judgement) (string, bool) {
	r := j.answer()
	if r == nil || !j.cluster() || !gatewayStatuses[r.Status] || r.ElasticProduct != "" || r.Kibana {
		return "", false
	}
	if _, ok := elasticsearchError(r.Status, r.Body); ok {
		return "", false
	}
	said := fmt.Sprintf("HTTP %d", r.Status)
	if title := pageTitle(r.Body); title != "" {
		said += fmt.Sprintf(" %q", title)
	}
	return sentence("%s answered %s, not Elasticsearch (no X-Elastic-Product, no Elasticsearch error): a gateway in front of the cluster could not reach it", j.target(), said)
}

var titleTag = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// pageTitle is the title of an HTML page, on one line ("" without one).
func pageTitle(body []byte) string {
	m := titleTag.FindSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.Join(strings.Fields(string(m[1])), " ")
}
