package diagnose

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// answeredBy names what answered the cluster probe when the answer is not Elasticsearch's,
// or "" when it is. Elasticsearch proves itself by X-Elastic-Product (every answer since
// 7.14 but failed authentication), by its security_exception body on a 401/403, or by its
// root JSON (older versions, which the version check then refuses); autoops-facts.md,
// "Field facts".
func answeredBy(r *probe.Response) string {
	switch {
	case r.Kibana || isKibanaRedirect(r):
		return AnsweredByKibana
	case answers.IsOpenSearchRoot(r.Body):
		return AnsweredByOpenSearch
	case r.ElasticProduct != "":
		return ""
	case (r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden) && answers.IsSecurityError(r.Body):
		return ""
	case r.Status == http.StatusOK && isRoot(r.Body):
		return ""
	case looksHTML(r):
		return AnsweredByWebServer
	}
	return AnsweredByUnknown
}

// isKibanaRedirect: Kibana sends / to its space selector or its login page.
func isKibanaRedirect(r *probe.Response) bool {
	if r.Status < 300 || r.Status >= 400 {
		return false
	}
	return strings.HasSuffix(r.Location, "/spaces/enter") || strings.Contains(r.Location, "/login")
}

func isRoot(body []byte) bool { _, err := answers.ParseRoot(body); return err == nil }

func looksHTML(r *probe.Response) bool {
	return strings.HasPrefix(r.ContentType, "text/html") || bytes.HasPrefix(bytes.TrimSpace(r.Body), []byte("<"))
}

var answeredByWords = map[string]string{
	AnsweredByKibana:     "Kibana (its kbn-* headers or its redirect to a login or space page)",
	AnsweredByOpenSearch: "OpenSearch (version.distribution is \"opensearch\" in its root JSON)",
	AnsweredByWebServer:  "a web server, reverse proxy or WAF (an HTML page, no X-Elastic-Product, no Elasticsearch error)",
	AnsweredByUnknown:    "something that is not Elasticsearch (no X-Elastic-Product, no Elasticsearch root or error JSON)",
}
