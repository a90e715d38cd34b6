package diagnose

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// Matches of the rules that read an answer: the destination's, or a proxy's in its place.

// socksUpstream: the SOCKS reply codes that say the proxy could not reach the destination.
func socksUpstream(code byte) bool { return code == 1 || (code >= 3 && code <= 6) }

func proxyAuthUnsupported(j *judgement) (string, bool) {
	if sc, ok := j.socksRefusal(); ok && sc.Method == probe.SOCKSMethodNoneAcceptable {
		return sentence("the SOCKS proxy %s accepts neither no authentication nor a username and password: it chose none of the methods offered", j.ev.Proxy)
	}
	rf, ok := j.proxyRefusal()
	schemes := []string(nil)
	if ok {
		schemes = rf.answer.ProxyAuthSchemes
	}
	if !ok || rf.answer.Status != http.StatusProxyAuthRequired || len(schemes) == 0 || slices.ContainsFunc(schemes, isBasic) {
		return "", false
	}
	return sentence("the proxy %s answered %s and offers only %s, which the collector cannot speak", rf.proxy, rf.saidWithPage(), strings.Join(schemes, ", "))
}

func isBasic(scheme string) bool { return strings.EqualFold(scheme, "Basic") }

func proxyAuthRequired(j *judgement) (string, bool) {
	if sc, ok := j.socksRefusal(); ok && sc.Method == probe.SOCKSMethodPassword {
		if sc.AuthFailed {
			return sentence("the SOCKS proxy %s refused the username and password of the proxy URL", j.ev.Proxy)
		}
		if !sc.CredentialsSent {
			return sentence("the SOCKS proxy %s asks for a username and password, and the proxy URL has none", j.ev.Proxy)
		}
	}
	rf, ok := j.proxyRefusal()
	if !ok || rf.answer.Status != http.StatusProxyAuthRequired {
		return "", false
	}
	return sentence("the proxy %s answered %s", rf.proxy, rf.saidWithPage())
}

func proxyUpstreamError(j *judgement) (string, bool) {
	if sc, ok := j.socksRefusal(); ok && sc.Replied && socksUpstream(sc.Reply) {
		return sentence("the SOCKS proxy %s answered CONNECT to %s with reply %d, %q: it could not reach it", j.ev.Proxy, j.target(), sc.Reply, probe.SOCKSReplyText(sc.Reply))
	}
	rf, ok := j.proxyRefusal()
	switch {
	case !ok || rf.answer.Status == http.StatusProxyAuthRequired:
		return "", false
	case strings.HasPrefix(rf.answer.SquidError, "ERR_DNS_FAIL"):
		return sentence("the proxy %s answered %s: it could not resolve %s", rf.proxy, rf.saidWithPage(), j.ev.ServerAddress)
	case rf.answer.Status >= 500 && rf.page:
		return sentence("the proxy %s answered %s: it could not reach the destination", rf.proxy, rf.saidWithPage())
	case rf.answer.Status >= 500:
		// The proxy's words say why; a proxy forwarding through a parent may not have tried
		// the destination at all.
		return sentence("the proxy %s answered %s: it did not open the way to %s", rf.proxy, rf.saidWithPage(), j.ev.ServerAddress)
	}
	return "", false
}

func proxyBlocked(j *judgement) (string, bool) {
	if sc, ok := j.socksRefusal(); ok && sc.Replied && sc.Reply == 2 {
		return sentence("the SOCKS proxy %s refused CONNECT to %s with reply 2, %q", j.ev.Proxy, j.target(), probe.SOCKSReplyText(sc.Reply))
	}
	rf, ok := j.proxyRefusal()
	if !ok || rf.answer.Status == http.StatusProxyAuthRequired {
		return "", false
	}
	if rf.page {
		return sentence("the proxy %s answered %s instead of forwarding", rf.proxy, rf.saidWithPage())
	}
	return sentence("the proxy %s refused %s with %s", rf.proxy, j.ev.ServerAddress, rf.saidWithPage())
}

// schemeMismatch: the port speaks the other scheme, seen from either side.
func schemeMismatch(j *judgement) (string, bool) {
	ev := j.ev
	hc := ev.Handshake
	if r := j.answer(); r != nil {
		// Some TLS servers answer plaintext with a 400 of their own; a handshake to the same
		// port tells it from a real 400.
		if r.Status == http.StatusBadRequest && j.isHTTP() && hc != nil && len(hc.Chain) > 0 {
			return sentence("http:// was used, but %s:%d answered 400 to plaintext and completes a TLS handshake: the port speaks https", ev.ServerAddress, ev.ServerPort)
		}
		return "", false
	}
	if _, plain := errorAs[tls.RecordHeaderError](j); (plain || strings.Contains(j.err.Error(), "server gave HTTP response to HTTPS client")) && !answerCut(j) {
		return sentence("https:// was used, but %s:%d answers in plain HTTP", ev.ServerAddress, ev.ServerPort)
	}
	if probe.IsReset(j.err) && j.isHTTP() && hc != nil && hc.HandshakeErr == nil && len(hc.Chain) > 0 {
		return sentence("http:// was used, but %s closed the plaintext connection and completes a TLS handshake: the port speaks https", j.target())
	}
	return "", false
}

func notElasticsearch(j *judgement) (string, bool) {
	if isTransportPort(j.ev) && j.err != nil {
		return sentence("%s answered %q: Elasticsearch's transport port, not its HTTP port", j.target(), answers.TransportPortReply)
	}
	r := j.answer()
	if r == nil || !j.cluster() {
		return "", false
	}
	who := j.answeredBy()
	if who == "" {
		return "", false
	}
	return sentence("HTTP %d came from %s: %s", r.Status, answeredByWords[who], snippet(r.Body))
}

var answeredByWords = map[string]string{
	AnsweredByKibana:     "Kibana (its kbn-* headers or its redirect to a login or space page)",
	AnsweredByOpenSearch: "OpenSearch (version.distribution is \"opensearch\" in its root JSON)",
	AnsweredByWebServer:  "a web server, reverse proxy or WAF (an HTML page, no X-Elastic-Product, no Elasticsearch error)",
	AnsweredByUnknown:    "something that is not Elasticsearch (no X-Elastic-Product, no Elasticsearch root or error JSON)",
}

// clusterStatus is the status of the cluster's answer, 0 for none or another probe.
func clusterStatus(j *judgement) int {
	if r := j.answer(); r != nil && j.cluster() {
		return r.Status
	}
	return 0
}

func authMissing(j *judgement) (string, bool) {
	if clusterStatus(j) != http.StatusUnauthorized || j.c.Credentials != "" {
		return "", false
	}
	return sentence("Elasticsearch answered 401 and no credentials are configured")
}

// missingCredentials is Elasticsearch's reason when no realm found credentials in the request.
const missingCredentials = "missing authentication credentials"

// authHeaderStripped: the probe sent Authorization, and Elasticsearch answered that the
// request carried no credentials: something in between removed the header.
func authHeaderStripped(j *judgement) (string, bool) {
	if clusterStatus(j) != http.StatusUnauthorized || j.c.Credentials == "" {
		return "", false
	}
	r := j.answer()
	e, ok := elasticsearchError(r.Status, r.Body)
	if !ok || e.Error.Reason == nil || !strings.HasPrefix(*e.Error.Reason, missingCredentials) {
		return "", false
	}
	return sentence("Elasticsearch answered 401 %q although the probe sent the %s in Authorization: something between them removed the header", *e.Error.Reason, credentialWords(j.c))
}

func authFailed(j *judgement) (string, bool) {
	if clusterStatus(j) != http.StatusUnauthorized || j.c.Credentials == "" {
		return "", false
	}
	if j.c.CredentialTrailingNewline != "" {
		return sentence("Elasticsearch answered 401 to the %s given; the value of %s ends with a newline, which the agent sends as part of the credential", credentialWords(j.c), j.c.CredentialTrailingNewline)
	}
	return sentence("Elasticsearch answered 401 to the %s given", credentialWords(j.c))
}

// expectedStatuses are the statuses a probe's rules read; any other is unexpected_status.
func expectedStatuses(j *judgement) []int {
	switch {
	case j.cluster():
		return []int{http.StatusOK, http.StatusUnauthorized, http.StatusForbidden}
	case j.ev.TokenSent:
		return []int{http.StatusUnsupportedMediaType, http.StatusUnauthorized, http.StatusForbidden}
	}
	return []int{http.StatusUnauthorized}
}

func unexpectedStatus(j *judgement) (string, bool) {
	r := j.answer()
	if r == nil || slices.Contains(expectedStatuses(j), r.Status) {
		return "", false
	}
	if r.Location != "" {
		return sentence("HTTP %d redirecting to %s", r.Status, probe.RedactURL(r.Location))
	}
	return sentence("HTTP %d: %s", r.Status, snippet(r.Body))
}

func unexpectedResponse(j *judgement) (string, bool) {
	r := j.answer()
	switch {
	case r == nil:
		return "", false
	case j.cluster():
		if _, ok := j.root(); !ok && j.rootErr != nil {
			return sentence("HTTP 200 came without Elasticsearch's root JSON (%v): %s", j.rootErr, snippet(r.Body))
		}
	case j.ev.TokenSent:
		if (r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden) && !json.Valid(r.Body) {
			return sentence("HTTP %d came with a body that is not the intake's JSON: %s", r.Status, snippet(r.Body))
		}
	case r.Status == http.StatusUnauthorized:
		matches, want := answers.IsOTLPUnauthenticated, `{"code":16,...}`
		if j.ev.Probe == probe.Registration {
			matches, want = answers.IsRegistrationUnauthorized, `{"UnauthorizedMessages":[...]}`
		}
		if !matches(r.Body) {
			return sentence("HTTP 401 came with a body that is not Elastic Cloud's %s: %s", want, snippet(r.Body))
		}
	}
	return "", false
}

func unsupportedVersion(j *judgement) (string, bool) {
	root, ok := j.root()
	if !ok {
		return "", false
	}
	if ver, err := answers.ParseVersion(root.Version.Number); err == nil && ver.Less(answers.MinimumVersion) {
		return sentence("cluster %q runs Elasticsearch %s", root.ClusterName, root.Version.Number)
	}
	return "", false
}

// licenseInactive: without read access to the license the version check stands; privileges
// say more.
func licenseInactive(j *judgement) (string, bool) {
	lic := j.license()
	if _, ok := j.root(); !ok || lic == nil || lic.Status == "active" {
		return "", false
	}
	return sentence("GET /_license says the %s license is %q", lic.Type, lic.Status)
}

// insufficientPrivileges: a 403 on the root, or _has_privileges naming what is missing.
// Security disabled (no _security API) leaves nothing to check.
func insufficientPrivileges(j *judgement) (string, bool) {
	if clusterStatus(j) == http.StatusForbidden {
		return sentence("Elasticsearch answered 403: the %s lacks the privilege to read the cluster's root", credentialWords(j.c))
	}
	if _, ok := j.root(); !ok || j.ev.Privileges == nil || j.ev.Privileges.Response == nil {
		return "", false
	}
	switch j.ev.Privileges.Response.Status {
	case http.StatusOK:
		if missing := j.missingPrivileges(); len(missing) > 0 {
			return sentence("the %s lacks %s", credentialWords(j.c), strings.Join(missing, ", "))
		}
	case http.StatusForbidden:
		return sentence("Elasticsearch answered 403 to _has_privileges for the %s", credentialWords(j.c))
	}
	return "", false
}

// tokenRejected: the intake's JSON 401 or 403 to the agent's token.
func tokenRejected(j *judgement) (string, bool) {
	r := j.answer()
	if r == nil || !j.ev.TokenSent || r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden || !json.Valid(r.Body) {
		return "", false
	}
	return sentence("the intake answered %d to otlp.token: %s", r.Status, snippet(r.Body))
}

func credentialWords(c Context) string {
	switch c.Credentials {
	case CredentialsAPIKey:
		if c.APIKeyEncoded {
			return "API key (given base64-encoded)"
		}
		return "API key (given as id:api_key)"
	case CredentialsBasic:
		return "username and password"
	}
	return "anonymous request"
}

// snippet quotes the start of a body, on one line, for a log sentence; it cuts at a
// character boundary.
func snippet(body []byte) string { return snippetOf(body, 120) }

func snippetOf(body []byte, limit int) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if s == "" {
		return "(empty body)"
	}
	if len(s) > limit {
		cut := limit
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return fmt.Sprintf("%q", s)
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
