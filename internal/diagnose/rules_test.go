package diagnose

import (
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the README's error.type and warning tables from remedies.go")

// contractValues reads the error.type and warning enums of metadata.yaml, which mirrors the
// contract's tables.
func contractValues(t *testing.T) (errorTypes, warns []string) {
	t.Helper()
	raw, err := os.ReadFile("../../metadata.yaml")
	require.NoError(t, err)
	var md struct {
		Attributes map[string]struct {
			Enum []string `yaml:"enum"`
		} `yaml:"attributes"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &md))
	return md.Attributes["error.type"].Enum, md.Attributes["autoops.probe.warning"].Enum
}

// metadata.yaml, the code mdatagen generated from it and the vocabulary hold the same values,
// each way: an enum value added to metadata.yaml without `make generate` would be exported as
// error.type="" (issue 23), one added to the vocabulary alone never reach metadata.yaml.
func TestVocabularyIsTheContract(t *testing.T) {
	errorTypes, warns := contractValues(t)
	assert.ElementsMatch(t, errorTypes, ErrorTypes, "metadata.yaml's error.type enum against diagnose.ErrorTypes")
	assert.ElementsMatch(t, warns, Warnings, "metadata.yaml's autoops.probe.warning enum against diagnose.Warnings")
	const regenerate = "; run make generate"
	assert.ElementsMatch(t, errorTypes, slices.Collect(maps.Keys(metadata.MapAttributeErrorType)), "metadata.yaml's error.type enum against internal/metadata"+regenerate)
	assert.ElementsMatch(t, warns, slices.Collect(maps.Keys(metadata.MapAttributeAutoopsProbeWarning)), "metadata.yaml's autoops.probe.warning enum against internal/metadata"+regenerate)
	for v, av := range metadata.MapAttributeErrorType {
		assert.Equal(t, v, av.String(), "internal/metadata: error.type %s exports as %q%s", v, av.String(), regenerate)
	}
	for v, av := range metadata.MapAttributeAutoopsProbeWarning {
		assert.Equal(t, v, av.String(), "internal/metadata: autoops.probe.warning %s exports as %q%s", v, av.String(), regenerate)
	}
}

// Each contract error.type is produced by exactly one rule: a value no rule gives would be
// a promise the diagnosis never keeps.
func TestEveryErrorTypeComesFromOneRule(t *testing.T) {
	count := map[string]int{}
	for _, r := range slices.Concat(rules, overrides) {
		count[r.errorType]++
		assert.NotEmpty(t, r.basis, "%s: no guide row or field fact", r.errorType)
		assert.Contains(t, ErrorTypes, r.errorType, "a rule for a value outside the contract")
	}
	for _, et := range ErrorTypes {
		assert.Equal(t, 1, count[et], "%s: rules producing it", et)
	}
}

// Each contract warning comes from exactly one row of warningRules, as each error.type from
// one rule: a value no row gives would be a promise never kept, two rows a precedence hidden.
func TestEveryWarningComesFromOneRow(t *testing.T) {
	count := map[string]int{}
	for _, r := range warningRules {
		count[r.value]++
		assert.NotEmpty(t, r.basis, "%s: no guide row or field fact", r.value)
		assert.Contains(t, Warnings, r.value, "a warning row for a value outside the contract")
	}
	for _, w := range Warnings {
		assert.Equal(t, 1, count[w], "%s: rows producing it", w)
	}
}

// The agent model's findings (its file's agent_* and its version's) pass through as
// warnings of the probe, each with its remedy.
func TestAgentModelFindingsPassThrough(t *testing.T) {
	found := []string{WarnAPIKeyDoubleEncoded, WarnAgentIgnoresVariables, WarnAgentVersionUnsupported, WarnAgentBothAuth}
	ev := recorded(probe.Cluster, "https://es.corp:9200").answered(200, esRoot, elastic).with(license("active"))
	v := Diagnose(&ev.Evidence, Context{AgentFindings: found})
	assert.True(t, v.Passed)
	assert.ElementsMatch(t, found, v.Warnings)
	for _, w := range found {
		assert.Contains(t, v.Remedy, WarningRemedy(w, true), w)
	}
	assert.Contains(t, v.Remedy, "9.1.4 or later")
	assert.Contains(t, v.Remedy, "Elastic Agent 9.1.0 or later")
}

var testLeaf = &x509.Certificate{
	Raw: []byte("leaf"), Issuer: pkix.Name{CommonName: "Corp CA"}, Subject: pkix.Name{CommonName: "es.corp"},
	DNSNames: []string{"es.corp"}, NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC),
}

// leafOf is a certificate for es.corp issued by an intermediate, naming where that is published
// when aia is set.
func leafOf(aia bool) *x509.Certificate {
	c := *testLeaf
	c.Issuer = pkix.Name{CommonName: "Corp Issuing CA 2"}
	c.RawIssuer, c.RawSubject = []byte("issuing ca 2"), []byte("es.corp")
	if aia {
		c.IssuingCertificateURL = []string{"http://pki.corp/issuing2.crt"}
	}
	return &c
}

// refusedChain: the cluster presented chain, and the client did not trust it.
func refusedChain(name probe.Name, rawURL string, chain ...*x509.Certificate) *evidence {
	return recorded(name, rawURL).failed(&tls.CertificateVerificationError{UnverifiedCertificates: chain, Err: x509.UnknownAuthorityError{Cert: chain[0]}}, inTLS).
		with(withHandshake(probe.HandshakeCheck{Chain: chain}))
}

func alertAfterRequest(alert string, sent bool) *evidence {
	return recorded(probe.Cluster, "https://es.corp:9200").failed(opErr("remote error", errors.New("tls: "+alert)), sentAll).
		with(withHandshake(probe.HandshakeCheck{ClientCertRequested: true, ClientCertSent: sent, Chain: []*x509.Certificate{testLeaf}}))
}

func opErr(op string, err error) error { return &net.OpError{Op: op, Net: "tcp", Err: err} }

func urlErr(err error) error { return &url.Error{Op: "Get", URL: "https://es.corp:9200", Err: err} }

// evidence is recorded evidence for one row: a probe's URL, then what happened.
type evidence struct{ probe.Evidence }

func recorded(name probe.Name, rawURL string) *evidence {
	u, _ := url.Parse(rawURL)
	port := 443
	if p := u.Port(); p != "" {
		_, _ = fmt.Sscan(p, &port)
	}
	return &evidence{probe.Evidence{Probe: name, URL: rawURL, ServerAddress: u.Hostname(), ServerPort: port}}
}

func (e *evidence) failed(err error, p probe.Progress) *evidence {
	e.Main.Err, e.Main.Progress = urlErr(err), p
	return e
}

func (e *evidence) answered(status int, body string, also ...func(*probe.Response)) *evidence {
	r := &probe.Response{Status: status, Body: []byte(body)}
	for _, f := range also {
		f(r)
	}
	e.Main.Response = r
	return e
}

func (e *evidence) with(f func(*probe.Evidence)) *evidence { f(&e.Evidence); return e }

func viaProxy(proxy string) func(*probe.Evidence) {
	return func(ev *probe.Evidence) { ev.Proxy = proxy }
}

func elastic(r *probe.Response) { r.ElasticProduct = "Elasticsearch" }

const (
	esRoot      = `{"name":"n","cluster_name":"c","cluster_uuid":"u","version":{"number":"9.1.3"}}`
	oldRoot     = `{"name":"n","cluster_name":"c","cluster_uuid":"u","version":{"number":"7.10.2"}}`
	regRefusal  = `{"UnauthorizedMessages":["Invalid credential headers"],"Cause":null}`
	otlpRefusal = `{"code":16,"message":"no auth provided"}`
	// missingCredentialsBody is Elasticsearch's 401 to a request without credentials.
	missingCredentialsBody = `{"error":{"root_cause":[{"type":"security_exception","reason":"missing authentication credentials for REST request [/]"}],"type":"security_exception","reason":"missing authentication credentials for REST request [/]"},"status":401}`
)

var (
	inTLS      = probe.Progress{DNSDone: true, Connected: true, TLSStarted: true}
	sentAll    = probe.Progress{DNSDone: true, Connected: true, TLSStarted: true, TLSDone: true, WroteRequest: true}
	yes, no    = true, false
	refusedErr = opErr("dial", os.NewSyscallError("connect", syscall.ECONNREFUSED))
	timeoutErr = &net.DNSError{Err: "i/o timeout", IsTimeout: true}
)

// privoxyConnectFailed is privoxy's answer to CONNECT to the intake when it could not connect
// to named, as its connect-failed template words it; the intake resolves to resolved here
// ("": it does not resolve).
func privoxyConnectFailed(named, resolved string) *evidence {
	page := `<h2>Connect failed</h2><p>Your request for <a href="https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud:443/"><b>https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud:443/</b></a> could
            not be fulfilled, because the connection to <b>otel-auto-ops.eu-west-1.aws.svc.elastic.cloud</b> (` + named + `) could not be established.</p>`
	ev := recorded(probe.OTLP, "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs").failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:8118")).
		with(withHandshake(probe.HandshakeCheck{ProxyAnswer: &probe.Response{Status: 503, Reason: "Connect failed", Body: []byte(page)}}))
	if resolved != "" {
		ev.DestinationAddresses = []string{resolved}
	}
	return ev
}

// intakeBehind: the intake's 401 to the small POST, and status and body (or err) for the
// POST of 4 MiB beside it.
func intakeBehind(status int, body string, err error) *evidence {
	ev := recorded(probe.OTLP, "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs").answered(401, otlpRefusal)
	ev.Batch = &probe.BatchCheck{Size: 4 << 20, Exchange: probe.Exchange{Method: "POST", Err: err}}
	if err == nil {
		ev.Batch.Exchange.Response = &probe.Response{Status: status, Body: []byte(body), Server: "nginx"}
	}
	return ev
}

// closedAfter: the cluster's connection closed without an answer, silence after the request.
func closedAfter(silence time.Duration) *evidence {
	ev := recorded(probe.Cluster, "https://es.corp:9200").failed(io.EOF, sentAll)
	ev.Main.Silence = silence
	return ev
}

// continued: the far end answered "100 Continue" to the batch-sized POST.
func continued(ev *probe.Evidence) { ev.Batch.Exchange.Progress.Continued = true }

// tunnels443: the proxy answered CONNECT to port 443 of the same host with status.
func tunnels443(status int) func(*probe.Evidence) {
	return func(ev *probe.Evidence) {
		ev.PortCheck = &probe.PortCheck{Port: probe.TunnelPort, Answer: &probe.Response{Status: status, Reason: "Connection established"}}
	}
}

func withHandshake(hc probe.HandshakeCheck) func(*probe.Evidence) {
	return func(ev *probe.Evidence) { ev.Handshake = &hc }
}

func connectAnswer(status int, squid string, schemes ...string) func(*probe.Evidence) {
	return withHandshake(probe.HandshakeCheck{ProxyAnswer: &probe.Response{Status: status, SquidError: squid, ProxyAuthSchemes: schemes, Body: []byte("denied")}})
}

// missingReadILM is _has_privileges' answer when read_ilm is missing.
const missingReadILM = `{"has_all_requested":false,"cluster":{"monitor":true,"read_ilm":false,"read_slm":true},"index":{"*":{"monitor":true,"view_index_metadata":true}}}`

// privilegesMissing: _has_privileges answered that read_ilm is missing.
func privilegesMissing() func(*probe.Evidence) {
	return func(ev *probe.Evidence) {
		ev.Privileges = &probe.Exchange{Response: &probe.Response{Status: 200, Body: []byte(missingReadILM)}}
	}
}

func license(status string) func(*probe.Evidence) {
	return func(ev *probe.Evidence) {
		ev.License = &probe.Exchange{Response: &probe.Response{Status: 200, Body: []byte(`{"license":{"status":"` + status + `","type":"platinum"}}`)}}
	}
}

// socksRefused is a cloud probe through a SOCKS proxy that refused, as Go and the by-hand
// CONNECT saw it.
func socksRefused(sc probe.SOCKSCheck) *evidence {
	return recorded(probe.Registration, "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters").
		failed(opErr("socks connect", errors.New("unknown error "+probe.SOCKSReplyText(sc.Reply))), probe.Progress{DNSDone: true, Connected: true}).
		with(viaProxy("socks5://127.0.0.1:1080")).with(func(ev *probe.Evidence) { ev.SOCKS = &sc })
}

type deadline struct{}

func (deadline) Error() string   { return "context deadline exceeded" }
func (deadline) Timeout() bool   { return true }
func (deadline) Temporary() bool { return true }

// The rules table as users meet it: recorded evidence to error.type, a row per rule and a row
// per tie the order decides ("tie:" rows name both rules).
func TestRulesTable(t *testing.T) {
	const es, esHTTP, reg, intake = "https://es.corp:9200", "http://es.corp:9200", "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters", "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs"
	expired := &tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Cert: testLeaf, Reason: x509.Expired}}
	tests := []struct {
		name string
		ev   *evidence
		ctx  Context
		want string
	}{
		{"https:// proxy that speaks plain HTTP", recorded(probe.OTLP, intake).failed(io.EOF, probe.Progress{}).with(viaProxy("https://p:3128")).with(func(ev *probe.Evidence) { ev.ProxySpeaksPlainHTTP = true }), Context{}, ProxySchemeMismatch},
		{"http:// proxy that speaks TLS", recorded(probe.OTLP, intake).failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(withHandshake(probe.HandshakeCheck{ProxySpeaksTLS: true, ProxyAnswer: &probe.Response{Status: 400}})), Context{}, ProxySchemeMismatch},
		{"proxy refuses the connection", recorded(probe.Registration, reg).failed(opErr("proxyconnect", refusedErr), probe.Progress{}).with(viaProxy("http://p:3128")), Context{}, ProxyUnreachable},
		{"proxy variable that is no URL", recorded(probe.Registration, reg).failed(errors.New(`invalid proxy URL "::"`), probe.Progress{}).with(func(ev *probe.Evidence) { ev.ProxyInvalid = true }), Context{}, ProxyUnreachable},
		{"tie: proxy_unreachable over connection_timeout (the proxy never answered)", recorded(probe.Registration, reg).failed(deadline{}, probe.Progress{}).with(viaProxy("http://p:3128")), Context{}, ProxyUnreachable},
		{"CONNECT 407 offering only NTLM", recorded(probe.Registration, reg).failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(407, "", "NTLM")), Context{}, ProxyAuthUnsupported},
		{"CONNECT 407 with Basic", recorded(probe.Registration, reg).failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(407, "", "Basic")), Context{}, ProxyAuthRequired},
		{"407 to a plain-http request, no proxy configured", recorded(probe.Cluster, esHTTP).answered(407, "auth"), Context{}, ProxyAuthRequired},
		{"squid could not resolve the destination", recorded(probe.Registration, reg).failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(503, "ERR_DNS_FAIL 0")), Context{}, ProxyUpstreamError},
		{"proxy's own 502 page to a cloud POST", recorded(probe.Registration, "http://api.elastic-cloud.com/x").answered(502, "<html>bad gateway</html>").with(viaProxy("http://p:3128")), Context{}, ProxyUpstreamError},
		{"CONNECT 403", recorded(probe.Registration, reg).failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(403, "")), Context{}, ProxyBlocked},
		// v5: what users meet on the path
		{"squid refuses CONNECT to 9243 and tunnels 443 of the same host", recorded(probe.Cluster, "https://es.corp:9243").failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(403, "ERR_ACCESS_DENIED 0")).with(tunnels443(200)), Context{}, ProxyPortRefused},
		{"tie: proxy_blocked when 443 of the same host is refused too", recorded(probe.Cluster, "https://es.corp:9243").failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(403, "ERR_ACCESS_DENIED 0")).with(tunnels443(403)), Context{}, ProxyBlocked},
		{"tie: proxy_blocked when 443 could not be opened (nothing listens there)", recorded(probe.Cluster, "https://es.corp:9200").failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(403, "ERR_ACCESS_DENIED 0")).with(tunnels443(503)), Context{}, ProxyBlocked},
		{"privoxy's Connect failed naming its parent's address", privoxyConnectFailed("10.20.0.5", "198.51.100.1"), Context{}, ProxyParentUnreachable},
		{"squid's ERR_CONNECT_FAIL naming another address", recorded(probe.OTLP, intake).failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).
			with(withHandshake(probe.HandshakeCheck{ProxyAnswer: &probe.Response{Status: 503, SquidError: "ERR_CONNECT_FAIL 111", Body: []byte("<p><b>Connection to 10.1.1.1 failed.</b></p>")}})).
			with(func(ev *probe.Evidence) { ev.DestinationAddresses = []string{"198.51.100.1"} }), Context{}, ProxyParentUnreachable},
		{"tie: proxy_upstream_error when the page names the destination's own address", privoxyConnectFailed("198.51.100.1", "198.51.100.1"), Context{}, ProxyUpstreamError},
		{"tie: proxy_upstream_error for a public address the local lookup did not give (DNS round robin)", privoxyConnectFailed("198.51.100.7", "198.51.100.1"), Context{}, ProxyUpstreamError},
		{"tie: proxy_upstream_error for an internal destination (its parent cannot be told apart)", privoxyConnectFailed("10.20.0.5", "10.9.9.9"), Context{}, ProxyUpstreamError},
		{"tie: proxy_upstream_error when the destination does not resolve here", privoxyConnectFailed("10.20.0.5", ""), Context{}, ProxyUpstreamError},
		{"closed without an answer after the same silence as the previous run", closedAfter(2 * time.Second), Context{PreviousSilence: 2100 * time.Millisecond}, ConnectionClosedIdle},
		{"tie: connection_reset on the first run (no memory yet)", closedAfter(2 * time.Second), Context{}, ConnectionReset},
		{"tie: connection_reset when the silences differ", closedAfter(2 * time.Second), Context{PreviousSilence: 4 * time.Second}, ConnectionReset},
		{"tie: connection_reset for a close sooner than a timer's", closedAfter(200 * time.Millisecond), Context{PreviousSilence: 200 * time.Millisecond}, ConnectionReset},
		{"nginx's 413 to the batch-sized POST, the intake's 401 to the small one", intakeBehind(413, "<html><center><h1>413 Request Entity Too Large</h1></center><hr><center>nginx</center></html>", nil), Context{}, RequestBodyTooLarge},
		{"the batch-sized POST cut while sent, after 100 Continue", intakeBehind(0, "", opErr("write", syscall.EPIPE)).with(continued), Context{}, RequestBodyTooLarge},
		{"tie: a pass when the batch-sized POST was cut without 100 Continue (the intake may cut it)", intakeBehind(0, "", opErr("write", syscall.EPIPE)), Context{}, ""},
		{"tie: a pass when the intake itself answered the batch-sized POST", intakeBehind(401, otlpRefusal, nil), Context{}, ""},
		{"tie: a pass when the intake's own JSON says 413", intakeBehind(413, `{"code":8,"message":"too large"}`, nil), Context{}, ""},
		{"tie: unexpected_response, not request_body_too_large, when the small POST got a page", intakeBehind(413, "<html>413</html>", nil).answered(401, "<html>login</html>"), Context{}, UnexpectedResponse},
		{"tie: proxy_blocked over not_elasticsearch (a proxy's 403 page for the cluster)", recorded(probe.Cluster, esHTTP).answered(403, "<html>denied</html>").with(viaProxy("http://p:3128")), Context{Credentials: CredentialsBasic}, ProxyBlocked},
		{"SOCKS: not allowed by ruleset", socksRefused(probe.SOCKSCheck{Replied: true, Reply: 2}), Context{}, ProxyBlocked},
		{"SOCKS: connection refused upstream", socksRefused(probe.SOCKSCheck{Replied: true, Reply: 5}), Context{}, ProxyUpstreamError},
		{"SOCKS: host unreachable", socksRefused(probe.SOCKSCheck{Replied: true, Reply: 4}), Context{}, ProxyUpstreamError},
		{"SOCKS: asks for a password the URL lacks", socksRefused(probe.SOCKSCheck{Method: probe.SOCKSMethodPassword}), Context{}, ProxyAuthRequired},
		{"SOCKS: refused the password", socksRefused(probe.SOCKSCheck{Method: probe.SOCKSMethodPassword, CredentialsSent: true, AuthFailed: true}), Context{}, ProxyAuthRequired},
		{"SOCKS: no acceptable method", socksRefused(probe.SOCKSCheck{Method: probe.SOCKSMethodNoneAcceptable}), Context{}, ProxyAuthUnsupported},
		{"SOCKS: a reply no rule names stays _OTHER", socksRefused(probe.SOCKSCheck{Replied: true, Reply: 7}), Context{}, Other},
		{"leaf without its intermediate, AIA named", refusedChain(probe.Cluster, "https://es.corp:9200", leafOf(true)), Context{}, TLSIncompleteChain},
		{"leaf without its intermediate, CA file without the issuer", refusedChain(probe.Cluster, "https://es.corp:9200", leafOf(false)).with(func(ev *probe.Evidence) { ev.CAFileSubjects = []string{"CN=Corp Root CA"} }), Context{}, TLSIncompleteChain},
		{"tie: tls_unknown_authority without AIA or CA file (do not guess)", refusedChain(probe.Cluster, "https://es.corp:9200", leafOf(false)), Context{}, TLSUnknownAuthority},
		{"tie: tls_unknown_authority for a self-signed leaf", refusedChain(probe.Cluster, "https://es.corp:9200", testLeaf).with(func(ev *probe.Evidence) { ev.CAFileSubjects = []string{"CN=Other CA"} }), Context{}, TLSUnknownAuthority},
		{"tie: tls_unknown_authority when the whole chain came", refusedChain(probe.Cluster, "https://es.corp:9200", leafOf(true), testLeaf), Context{}, TLSUnknownAuthority},
		{"tie: tls_intercepted over tls_incomplete_chain on a cloud probe", refusedChain(probe.Registration, "https://api.elastic-cloud.com/x", leafOf(true)), Context{}, TLSIntercepted},
		{"a chain without the pinned CA", recorded(probe.Cluster, es).failed(&tls.CertificateVerificationError{Err: &probe.PinMismatchError{Chain: []*x509.Certificate{testLeaf}}}, inTLS), Context{}, TLSPinMismatch},
		{"a server that chose TLS 1.0", recorded(probe.Cluster, es).failed(errors.New("tls: server selected unsupported protocol version 301"), inTLS), Context{}, TLSVersionTooOld},
		{"tie: tls_version_too_old over tls_handshake_failed (the protocol_version alert)", recorded(probe.Registration, reg).failed(opErr("remote error", errors.New("tls: protocol version not supported")), inTLS), Context{}, TLSVersionTooOld},
		{"tie: tls_unknown_authority over tls_hostname_mismatch (the agent checks the chain first)", recorded(probe.Cluster, es).failed(&tls.CertificateVerificationError{Err: &probe.ChainFirstError{Err: x509.UnknownAuthorityError{Cert: testLeaf}, AlsoHost: &x509.HostnameError{Certificate: testLeaf, Host: "es.corp"}}}, inTLS), Context{}, TLSUnknownAuthority},
		{"certificate_required after the server's request", alertAfterRequest("certificate required", false), Context{}, TLSClientCertificateRequired},
		{"bad_certificate for the certificate sent", alertAfterRequest("bad certificate", true), Context{}, TLSClientCertificateRequired},
		{"a TLS 1.2 abort after a request, nothing sent", alertAfterRequest("handshake failure", false), Context{}, TLSClientCertificateRequired},
		{"nginx's 400 for a missing certificate", recorded(probe.Cluster, "https://es.corp:9200").answered(400, "<html><head><title>400 No required SSL certificate was sent</title></head><center>No required SSL certificate was sent</center></html>", func(r *probe.Response) { r.Server = "nginx" }), Context{}, TLSClientCertificateRequired},
		{"tie: tls_handshake_failed for an alert without a certificate request", recorded(probe.Cluster, "https://es.corp:9200").failed(opErr("remote error", errors.New("tls: certificate required")), sentAll).with(withHandshake(probe.HandshakeCheck{Chain: []*x509.Certificate{testLeaf}})), Context{}, TLSHandshakeFailed},
		{"tie: tls_handshake_failed for a handshake failure after a certificate was sent", alertAfterRequest("handshake failure", true), Context{}, TLSHandshakeFailed},
		{"nginx 502 in front of a down cluster", recorded(probe.Cluster, "https://es.corp:9200").answered(502, "<html><head><title>502 Bad Gateway</title></head></html>", func(r *probe.Response) { r.Server = "nginx" }), Context{}, GatewayUpstreamError},
		{"tie: gateway_upstream_error over not_elasticsearch (haproxy's 503, no Server)", recorded(probe.Cluster, "https://es.corp:9200").answered(503, "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>"), Context{Credentials: CredentialsAPIKey}, GatewayUpstreamError},
		{"tie: not_elasticsearch for Kibana not ready (503)", recorded(probe.Cluster, "https://es.corp:9200").answered(503, "Kibana server is not ready yet", func(r *probe.Response) { r.Kibana = true }), Context{}, NotElasticsearch},
		{"tie: not_elasticsearch for a gateway's 500 (not a gateway status)", recorded(probe.Cluster, "https://es.corp:9200").answered(500, "<html>Internal Server Error</html>"), Context{}, NotElasticsearch},
		{"no master", recorded(probe.Cluster, "https://es.corp:9200").answered(503, `{"error":{"root_cause":[{"type":"master_not_discovered_exception","reason":null}],"type":"master_not_discovered_exception","reason":null},"status":503}`, elastic), Context{}, ElasticsearchUnavailable},
		{"circuit breaker", recorded(probe.Cluster, "https://es.corp:9200").answered(429, `{"error":{"type":"circuit_breaking_exception","reason":"[parent] Data too large"},"status":429}`, elastic), Context{}, ElasticsearchUnavailable},
		{"a cluster that has not formed (cluster_uuid _na_)", recorded(probe.Cluster, "https://es.corp:9200").answered(200, `{"name":"n","cluster_name":"c","cluster_uuid":"_na_","version":{"number":"9.1.3"}}`, elastic).with(license("active")), Context{}, ElasticsearchUnavailable},
		{"tie: elasticsearch_unavailable over unsupported_version (an empty cluster_uuid, no header)", recorded(probe.Cluster, "https://es.corp:9200").answered(200, `{"name":"n","cluster_name":"c","cluster_uuid":"","version":{"number":"7.10.2"}}`), Context{}, ElasticsearchUnavailable},
		{"tie: elasticsearch_unavailable over gateway_upstream_error (its JSON, no header)", recorded(probe.Cluster, "https://es.corp:9200").answered(503, `{"error":{"type":"cluster_block_exception","reason":"blocked by: [SERVICE_UNAVAILABLE/1/state not recovered / initialized];"},"status":503}`), Context{}, ElasticsearchUnavailable},
		{"tie: unexpected_status for a 429 that is not Elasticsearch's error", recorded(probe.Cluster, "https://es.corp:9200").answered(429, `{"error":"slow down"}`, elastic), Context{}, UnexpectedStatus},
		{"https:// to a plain-HTTP port", recorded(probe.Cluster, es).failed(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, inTLS), Context{}, SchemeMismatch},
		{"http:// to a TLS port that closes plaintext", recorded(probe.Cluster, esHTTP).failed(io.EOF, sentAll).with(withHandshake(probe.HandshakeCheck{Chain: []*x509.Certificate{testLeaf}})), Context{}, SchemeMismatch},
		{"tie: scheme_mismatch over not_elasticsearch (a TLS port's 400 page)", recorded(probe.Cluster, esHTTP).answered(400, "<html>The plain HTTP request was sent to HTTPS port</html>").with(withHandshake(probe.HandshakeCheck{Chain: []*x509.Certificate{testLeaf}})), Context{}, SchemeMismatch},
		{"tie: scheme_mismatch over connection_reset", recorded(probe.Cluster, esHTTP).failed(opErr("read", syscall.ECONNRESET), sentAll).with(withHandshake(probe.HandshakeCheck{Chain: []*x509.Certificate{testLeaf}})), Context{}, SchemeMismatch},
		{"the transport port", recorded(probe.Cluster, "http://es.corp:9300").failed(errors.New("net/http: HTTP/1.x transport connection broken: malformed HTTP response"), sentAll).with(func(ev *probe.Evidence) { ev.RawReply = []byte("This is not an HTTP port") }), Context{}, NotElasticsearch},
		{"Kibana", recorded(probe.Cluster, es).answered(302, "", func(r *probe.Response) { r.Location = "/spaces/enter" }), Context{}, NotElasticsearch},
		{"tie: not_elasticsearch over auth_failed (a gateway's 401)", recorded(probe.Cluster, es).answered(401, "Unauthorized"), Context{Credentials: CredentialsAPIKey}, NotElasticsearch},
		{"tie: not_elasticsearch over unsupported_version (OpenSearch says 7.10.2)", recorded(probe.Cluster, es).answered(200, `{"version":{"number":"7.10.2","distribution":"opensearch"}}`), Context{}, NotElasticsearch},
		{"SNI filter", recorded(probe.Cluster, es).failed(deadline{}, inTLS).with(func(ev *probe.Evidence) { ev.Stall = &probe.StallCheck{NoNameReply: true, SmallSegmentsReply: &no} }), Context{}, TLSBlocked},
		{"tie: tls_blocked over connection_reset", recorded(probe.Cluster, es).failed(opErr("read", syscall.ECONNRESET), inTLS).with(func(ev *probe.Evidence) { ev.Stall = &probe.StallCheck{NoNameReply: true} }), Context{}, TLSBlocked},
		{"path MTU black hole", recorded(probe.Cluster, es).failed(deadline{}, inTLS).with(func(ev *probe.Evidence) { ev.Stall = &probe.StallCheck{SmallSegmentsReply: &yes} }), Context{}, PathMTUBlackhole},
		{"tie: response_timeout when both follow-ups got a reply (they explain nothing)", recorded(probe.Cluster, es).failed(deadline{}, inTLS).with(func(ev *probe.Evidence) { ev.Stall = &probe.StallCheck{NoNameReply: true, SmallSegmentsReply: &yes} }), Context{}, ResponseTimeout},
		{"no such host", recorded(probe.Cluster, es).failed(&net.DNSError{Err: "no such host", Name: "es.corp", IsNotFound: true}, probe.Progress{}), Context{}, DNSNotFound},
		{"tie: dns_error over connection_timeout (the resolver timed out)", recorded(probe.Cluster, es).failed(timeoutErr, probe.Progress{}), Context{}, DNSError},
		{"SYN dropped", recorded(probe.Cluster, es).failed(deadline{}, probe.Progress{DNSDone: true}), Context{}, ConnectionTimeout},
		{"no answer after the request", recorded(probe.Cluster, es).failed(deadline{}, sentAll), Context{}, ResponseTimeout},
		{"tie: container_network_isolation over connection_refused", recorded(probe.Cluster, "http://localhost:9200").failed(refusedErr, probe.Progress{}).with(func(ev *probe.Evidence) { ev.InContainer = true }), Context{}, ContainerNetworkIsolation},
		{"refused outside a container", recorded(probe.Cluster, "http://localhost:9200").failed(refusedErr, probe.Progress{}), Context{}, ConnectionRefused},
		{"no route", recorded(probe.Cluster, es).failed(opErr("dial", os.NewSyscallError("connect", syscall.EHOSTUNREACH)), probe.Progress{}), Context{}, NetworkUnreachable},
		{"cloud certificate from another CA", recorded(probe.Registration, reg).failed(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{Cert: testLeaf}}, inTLS), Context{}, TLSIntercepted},
		{"cluster certificate from another CA", recorded(probe.Cluster, es).failed(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{Cert: testLeaf}}, inTLS), Context{}, TLSUnknownAuthority},
		{"certificate for another name", recorded(probe.Cluster, "https://es2.corp:9200").failed(&tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: testLeaf, Host: "es2.corp"}}, inTLS), Context{}, TLSHostnameMismatch},
		{"tie: clock_skew over tls_certificate_expired", recorded(probe.Cluster, es).failed(expired, inTLS).with(func(ev *probe.Evidence) {
			ev.ServerClock = &probe.Response{Date: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), ReceivedAt: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}
		}), Context{}, ClockSkew},
		{"expired, and the server's clock agrees", recorded(probe.Cluster, es).failed(expired, inTLS), Context{}, TLSCertificateExpired},
		{"reset after connecting", recorded(probe.Cluster, es).failed(opErr("read", syscall.ECONNRESET), sentAll), Context{}, ConnectionReset},
		{"alert from the server", recorded(probe.Cluster, es).failed(opErr("remote error", errors.New("tls: handshake failure")), inTLS), Context{}, TLSHandshakeFailed},
		{"401 without credentials", recorded(probe.Cluster, es).answered(401, `{"error":{"type":"security_exception"},"status":401}`), Context{}, AuthMissing},
		{"401 with credentials", recorded(probe.Cluster, es).answered(401, `{"error":{"type":"security_exception"},"status":401}`), Context{Credentials: CredentialsBasic}, AuthFailed},
		{"tie: auth_header_stripped over auth_failed (Elasticsearch never got the credentials sent)", recorded(probe.Cluster, es).answered(401, missingCredentialsBody), Context{Credentials: CredentialsAPIKey}, AuthHeaderStripped},
		{"tie: auth_missing, not auth_header_stripped, when none were sent", recorded(probe.Cluster, es).answered(401, missingCredentialsBody), Context{}, AuthMissing},
		{"Elasticsearch's 404", recorded(probe.Cluster, es).answered(404, `{}`, elastic), Context{}, UnexpectedStatus},
		{"a cloud redirect", recorded(probe.OTLP, intake).answered(302, "", func(r *probe.Response) { r.Location = "https://portal.corp/login" }), Context{}, UnexpectedStatus},
		{"200 without the root JSON", recorded(probe.Cluster, es).answered(200, `{}`, elastic), Context{}, UnexpectedResponse},
		{"a cloud 401 that is not Elastic's", recorded(probe.Registration, reg).answered(401, "denied"), Context{}, UnexpectedResponse},
		{"Elasticsearch 7.10", recorded(probe.Cluster, es).answered(200, oldRoot, elastic), Context{}, UnsupportedVersion},
		{"tie: unsupported_version over insufficient_privileges", recorded(probe.Cluster, es).answered(200, oldRoot, elastic).with(privilegesMissing()), Context{Credentials: CredentialsBasic}, UnsupportedVersion},
		{"expired license", recorded(probe.Cluster, es).answered(200, esRoot, elastic).with(license("expired")), Context{}, LicenseInactive},
		{"tie: license_inactive over insufficient_privileges", recorded(probe.Cluster, es).answered(200, esRoot, elastic).with(license("expired")).with(privilegesMissing()), Context{}, LicenseInactive},
		{"403 from Elasticsearch", recorded(probe.Cluster, es).answered(403, `{"error":{"type":"security_exception"},"status":403}`), Context{Credentials: CredentialsBasic}, InsufficientPrivileges},
		{"privileges missing", recorded(probe.Cluster, es).answered(200, esRoot, elastic).with(license("active")).with(privilegesMissing()), Context{Credentials: CredentialsBasic}, InsufficientPrivileges},
		{"token refused", recorded(probe.OTLP, intake).answered(401, `{"code":16,"message":"invalid token"}`).with(func(ev *probe.Evidence) { ev.TokenSent = true }), Context{}, TokenRejected},
		{"an error nothing explains", recorded(probe.Cluster, es).failed(errors.New("Filtered"), sentAll), Context{}, Other},
		{"tie: _OTHER over connection_reset (a proxy's CONNECT answer cut at the probe's bound)", recorded(probe.Cluster, es).failed(io.ErrUnexpectedEOF, probe.Progress{DNSDone: true, Connected: true}).with(viaProxy("http://p:3128")).
			with(withHandshake(probe.HandshakeCheck{ProxyAnswerTooLarge: &probe.AnswerTooLarge{Limit: probe.MaxAnswerHeader, Lines: 512, Start: []byte("HTTP/1.1 200 OK\r\nX-Flood: a\r\n")}})), Context{}, Other},
		{"tie: _OTHER over proxy_scheme_mismatch, scheme_mismatch, tls_handshake_failed (an https:// proxy flooding in plain text)", recorded(probe.OTLP, intake).failed(opErr("proxyconnect", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), inTLS).
			with(viaProxy("https://p:3128")).with(func(ev *probe.Evidence) {
			ev.PlainConnectTooLarge = &probe.AnswerTooLarge{Limit: probe.MaxAnswerHeader, Start: []byte("aaaa")}
		}), Context{}, Other},
		{"search domain", recorded(probe.Cluster, es).failed(refusedErr, probe.Progress{}).with(func(ev *probe.Evidence) {
			ev.SearchDomain = &probe.SearchDomain{Suffix: "corp.example", SuffixAddresses: []string{"10.9.9.9"}}
		}), Context{}, DNSSearchDomain},
		{"sinkhole", recorded(probe.Registration, reg).failed(refusedErr, probe.Progress{}).with(func(ev *probe.Evidence) { ev.Main.PeerAddress = "0.0.0.0" }), Context{}, DNSBlocked},
		{"tie: dns_search_domain over dns_blocked", recorded(probe.Registration, reg).failed(refusedErr, probe.Progress{}).with(func(ev *probe.Evidence) {
			ev.Main.PeerAddress = "127.0.0.1"
			ev.SearchDomain = &probe.SearchDomain{Suffix: "corp.example", SuffixAddresses: []string{"127.0.0.1"}}
		}), Context{}, DNSSearchDomain},
		// v5: trust anchors, DNS and address families.
		{"CA setting holding only the old server certificate", refusedChain(probe.Cluster, es, renewedLeaf).with(holding(testLeaf)), Context{}, TLSPinnedLeafChanged},
		{"tie: tls_pinned_leaf_changed over tls_incomplete_chain (a lone leaf, the CA file without its issuer)", refusedChain(probe.Cluster, es, renewedLeaf).with(holding(testLeaf)).with(func(ev *probe.Evidence) { ev.CAFileSubjects = []string{"CN=es.corp"} }), Context{}, TLSPinnedLeafChanged},
		{"tie: tls_pinned_leaf_changed over tls_intercepted", refusedChain(probe.Registration, reg, renewedLeafFor("api.elastic-cloud.com")).with(holding(leafFor("api.elastic-cloud.com"))), Context{}, TLSPinnedLeafChanged},
		{"a CA setting with a CA beside the leaf stays tls_unknown_authority", refusedChain(probe.Cluster, es, renewedLeaf).with(holding(testLeaf, testCA)), Context{}, TLSUnknownAuthority},
		{"server certificates for other hosts stay tls_unknown_authority", refusedChain(probe.Cluster, "https://es2.corp:9200", renewedLeafFor("es2.corp")).with(holding(testLeaf)), Context{}, TLSUnknownAuthority},
		{"a public Elastic Cloud name at a private address, refused there", recorded(probe.Registration, reg).failed(refusedErr, probe.Progress{DNSDone: true}).with(resolvedTo("10.20.0.1", "10.20.0.1")), Context{}, DNSSplitHorizon},
		{"the same at a 100.64/10 address, whose server's certificate is not Elastic's", recorded(probe.OTLP, intake).failed(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{Cert: testLeaf}}, inTLS).with(resolvedTo("100.64.3.4", "100.64.3.4")), Context{}, DNSSplitHorizon},
		{"the same at an fc00::/7 address that answered 404", recorded(probe.Registration, reg).answered(404, "not found").with(resolvedTo("fd00::1", "fd00::1")), Context{}, DNSSplitHorizon},
		{"a private address that answered as Elastic Cloud passes", recorded(probe.Registration, reg).answered(401, regRefusal).with(resolvedTo("10.20.0.1", "10.20.0.1")), Context{}, ""},
		{"the cluster at a private address is no split horizon", recorded(probe.Cluster, "https://x.es.eu-west-1.aws.elastic.cloud:9243").failed(refusedErr, probe.Progress{DNSDone: true}).with(resolvedTo("10.20.0.1", "10.20.0.1")), Context{}, ConnectionRefused},
		{"tie: dns_search_domain over dns_split_horizon", recorded(probe.Registration, reg).failed(refusedErr, probe.Progress{DNSDone: true}).with(resolvedTo("10.9.9.9", "10.9.9.9")).with(func(ev *probe.Evidence) {
			ev.SearchDomain = &probe.SearchDomain{Suffix: "corp.example", SuffixAddresses: []string{"10.9.9.9"}}
		}), Context{}, DNSSearchDomain},
		{"an AAAA-only name on a host routing only IPv4", noRouteAt("2001:db8::5").with(families(probe.FamilyIPv6, false, true)), Context{}, AddressFamilyUnreachable},
		{"tie: network_unreachable, not address_family_unreachable, on a host routing neither family", noRouteAt("2001:db8::5").with(families(probe.FamilyIPv6, false, false)), Context{}, NetworkUnreachable},
		{"pass: the cluster", recorded(probe.Cluster, es).answered(200, esRoot, elastic).with(license("active")), Context{}, ""},
		{"pass: registration's 401", recorded(probe.Registration, reg).answered(401, regRefusal), Context{}, ""},
		{"pass: the intake's 401", recorded(probe.OTLP, intake).answered(401, otlpRefusal), Context{}, ""},
		{"pass: the intake's 415 to a token", recorded(probe.OTLP, intake).answered(415, "").with(func(ev *probe.Evidence) { ev.TokenSent = true }), Context{}, ""},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Diagnose(&tt.ev.Evidence, tt.ctx)
			assert.Equal(t, tt.want, v.ErrorType, v.Summary())
			assert.Equal(t, tt.want == "", v.Passed)
			assert.NotEmpty(t, v.Evidence)
		})
		covered[tt.want] = true
	}
	for _, et := range ErrorTypes {
		assert.True(t, covered[et], "no row gives %s", et)
	}
}

// The README's tables are rendered from remedies.go; `go test ./internal/diagnose -run
// TestREADMETables -update-readme` rewrites them.
func TestREADMETables(t *testing.T) {
	const path = "../../README.md"
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	readme := string(raw)
	replaced := replaceTable(t, readme, "## error.type: why a probe failed", ErrorTypes, remedies)
	replaced = replaceTable(t, replaced, "## Warnings: passed, but watch out", Warnings, warningRemedies)
	if *updateReadme {
		require.NoError(t, os.WriteFile(path, []byte(replaced), 0o600))
		return
	}
	assert.Equal(t, replaced, readme, "the README's tables differ from remedies.go; rerun with -update-readme")
}

func replaceTable(t *testing.T, readme, heading string, values []string, table map[string]remedy) string {
	t.Helper()
	start := strings.Index(readme, heading)
	require.GreaterOrEqual(t, start, 0, heading)
	head := strings.Index(readme[start:], "| value |")
	require.GreaterOrEqual(t, head, 0)
	head += start
	end := strings.Index(readme[head:], "\n\n")
	require.GreaterOrEqual(t, end, 0)
	end += head
	var b strings.Builder
	b.WriteString("| value | meaning | what to do |\n|---|---|---|")
	for _, v := range values {
		r := table[v]
		require.NotEmpty(t, r.Meaning, "%s: no meaning for the README", v)
		fmt.Fprintf(&b, "\n| `%s` | %s | %s |", v, r.Meaning, r.Brief)
	}
	return readme[:head] + b.String() + readme[end:]
}

// A certificate naming its host only in the Common Name: tls_hostname_mismatch, with words
// that say reissue, not server_name_override.
func TestCommonNameOnly(t *testing.T) {
	cnOnly := &x509.Certificate{Raw: []byte("cn"), Subject: pkix.Name{CommonName: "es.corp"}, Issuer: pkix.Name{CommonName: "Corp CA"}}
	ev := recorded(probe.Cluster, "https://es.corp:9200").failed(&tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: cnOnly, Host: "es.corp"}}, inTLS)
	v := Diagnose(&ev.Evidence, Context{})
	assert.Equal(t, TLSHostnameMismatch, v.ErrorType)
	assert.Contains(t, v.Evidence, "only in its subject's Common Name")
	assert.Contains(t, v.Remedy, "server_name_override cannot help")
	assert.NotContains(t, v.Remedy, "or set cluster.tls.server_name_override")

	other := &x509.Certificate{Raw: []byte("o"), Subject: pkix.Name{CommonName: "es.other"}, DNSNames: []string{"es.other"}}
	ev = recorded(probe.Cluster, "https://es.corp:9200").failed(&tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: other, Host: "es.corp"}}, inTLS)
	v = Diagnose(&ev.Evidence, Context{})
	assert.Contains(t, v.Remedy, "server_name_override", "a certificate for another name: the override can help")
}

// Every failure judged from an answer quotes its Server header.
func TestServerHeaderIsQuoted(t *testing.T) {
	ev := recorded(probe.Cluster, "https://es.corp:9200").answered(502, "<html><title>502 Bad Gateway</title></html>", func(r *probe.Response) { r.Server = "nginx/1.22.1" })
	v := Diagnose(&ev.Evidence, Context{})
	assert.Contains(t, v.Evidence, `Server: "nginx/1.22.1"`)
	assert.Contains(t, v.Evidence, `"502 Bad Gateway"`)
	ev = recorded(probe.OTLP, "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs").answered(404, "not here", func(r *probe.Response) { r.Server = "awselb/2.0" })
	assert.Contains(t, Diagnose(&ev.Evidence, Context{}).Evidence, `Server: "awselb/2.0"`)
	ev = recorded(probe.Cluster, "https://es.corp:9200").failed(refusedErr, probe.Progress{})
	assert.NotContains(t, Diagnose(&ev.Evidence, Context{}).Evidence, "Server:")
}

// license_type_unsupported only for an agent whose registration refuses the type (before
// 9.2.4); otherwise the type is named in the passing evidence, which the log and report show.
func TestLicenseTypeWarning(t *testing.T) {
	for typ, unsupported := range map[string]bool{"basic": true, "platinum": true, "enterprise": false, "trial": false} {
		ev := recorded(probe.Cluster, "https://es.corp:9200").answered(200, esRoot, elastic).with(func(ev *probe.Evidence) {
			ev.License = &probe.Exchange{Response: &probe.Response{Status: 200, Body: []byte(`{"license":{"status":"active","type":"` + typ + `"}}`)}}
		})
		for _, refuses := range []bool{true, false} {
			v := Diagnose(&ev.Evidence, Context{AgentRefusesLicenseType: refuses})
			assert.True(t, v.Passed)
			assert.Equal(t, unsupported && refuses, slices.Contains(v.Warnings, WarnLicenseTypeUnsupported), "%s, agent refuses: %v", typ, refuses)
			assert.Contains(t, v.Evidence, "as Elasticsearch, license "+typ+", active")
		}
	}
}

// A 401, 403 or 404 from GET / makes agents 9.2.5 and later exit (a restart loop): the remedy
// of every verdict such an answer produces says so, in the words that fit the credential kind;
// the same verdicts from other evidence do not.
func TestRootHTTPErrorsSayTheAgentRestarts(t *testing.T) {
	const es, esHTTP = "https://es.corp:9200", "http://es.corp:9200"
	security := func(status int) string {
		return fmt.Sprintf(`{"error":{"type":"security_exception","reason":"denied"},"status":%d}`, status)
	}
	tests := []struct {
		name      string
		ev        *evidence
		ctx       Context
		errorType string
		restarts  bool
	}{
		{"401, no credentials", recorded(probe.Cluster, es).answered(401, security(401)), Context{}, AuthMissing, true},
		{"401 to an API key", recorded(probe.Cluster, es).answered(401, security(401)), Context{Credentials: CredentialsAPIKey}, AuthFailed, true},
		{"401 to a password", recorded(probe.Cluster, es).answered(401, security(401)), Context{Credentials: CredentialsBasic}, AuthFailed, true},
		{"403 on the root", recorded(probe.Cluster, es).answered(403, security(403)), Context{Credentials: CredentialsBasic}, InsufficientPrivileges, true},
		{"Elasticsearch's 404", recorded(probe.Cluster, es).answered(404, `{}`, elastic), Context{}, UnexpectedStatus, true},
		{"a gateway's 401", recorded(probe.Cluster, es).answered(401, "Unauthorized"), Context{Credentials: CredentialsAPIKey}, NotElasticsearch, true},
		{"a web server's 404", recorded(probe.Cluster, es).answered(404, "<html>Not Found</html>"), Context{}, NotElasticsearch, true},
		{"a proxy's 403 page for the cluster", recorded(probe.Cluster, esHTTP).answered(403, "<html>denied</html>").with(viaProxy("http://p:3128")), Context{Credentials: CredentialsBasic}, ProxyBlocked, true},
		{"privileges missing after a 200", recorded(probe.Cluster, es).answered(200, esRoot, elastic).with(license("active")).with(privilegesMissing()), Context{Credentials: CredentialsBasic}, InsufficientPrivileges, false},
		{"Elasticsearch's 500", recorded(probe.Cluster, es).answered(500, `{}`, elastic), Context{}, UnexpectedStatus, false},
		{"Kibana's redirect", recorded(probe.Cluster, es).answered(302, "", func(r *probe.Response) { r.Location = "/spaces/enter" }), Context{}, NotElasticsearch, false},
		{"a proxy refusing CONNECT to the cluster", recorded(probe.Cluster, es).failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(403, "")), Context{}, ProxyBlocked, false},
		{"a cloud 404", recorded(probe.Registration, "https://api.elastic-cloud.com/x").answered(404, "not here"), Context{}, UnexpectedStatus, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Diagnose(&tt.ev.Evidence, tt.ctx)
			require.Equal(t, tt.errorType, v.ErrorType, v.Summary())
			assert.Equal(t, tt.restarts, strings.Contains(v.Remedy, "agents 9.2.5 and later"), v.Remedy)
			if tt.restarts {
				assert.Contains(t, v.Remedy, "restart loop")
				assert.Contains(t, v.Remedy, "earlier agents log it and retry")
			}
			if tt.ctx.Credentials == CredentialsBasic {
				assert.NotContains(t, v.Remedy, "API key", "the remedy fits the credential kind")
			}
		})
	}
}

// Registration built as the agent registers (Go's default client): every TLS and proxy
// failure's remedy is its as-the-agent row, which says the module's CA and proxy_url do not
// apply there; without it, or on another probe, the usual row.
func TestRemediesAsTheAgentRegisters(t *testing.T) {
	const reg = "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters"
	cnOnly := &x509.Certificate{Raw: []byte("cn"), Subject: pkix.Name{CommonName: "api.elastic-cloud.com"}, Issuer: pkix.Name{CommonName: "Inspecting CA"}}
	verify := func(err error) *evidence {
		return recorded(probe.Registration, reg).failed(&tls.CertificateVerificationError{Err: err}, inTLS)
	}
	connect := func(status int, squid string, schemes ...string) *evidence {
		return recorded(probe.Registration, reg).failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(status, squid, schemes...))
	}
	tests := []struct {
		name, row string // row: the usual remedy row, whose as-the-agent form is row + "/as_agent"
		ev        *evidence
	}{
		{"https:// proxy speaking plain HTTP", ProxySchemeMismatch, recorded(probe.Registration, reg).failed(io.EOF, probe.Progress{}).with(viaProxy("https://p:3128")).with(func(ev *probe.Evidence) { ev.ProxySpeaksPlainHTTP = true })},
		{"proxy refused", ProxyUnreachable, recorded(probe.Registration, reg).failed(opErr("proxyconnect", refusedErr), probe.Progress{}).with(viaProxy("http://p:3128"))},
		{"407 NTLM only", ProxyAuthUnsupported, connect(407, "", "NTLM")},
		{"407 Basic", ProxyAuthRequired, connect(407, "", "Basic")},
		{"SOCKS wants a password", ProxyAuthRequired + remedySOCKS, socksRefused(probe.SOCKSCheck{Method: probe.SOCKSMethodPassword})},
		{"SOCKS no acceptable method", ProxyAuthUnsupported + remedySOCKS, socksRefused(probe.SOCKSCheck{Method: probe.SOCKSMethodNoneAcceptable})},
		{"squid cannot resolve", ProxyUpstreamError, connect(503, "ERR_DNS_FAIL 0")},
		{"CONNECT 403", ProxyBlocked, connect(403, "")},
		{"TLS inspection", TLSIntercepted, verify(x509.UnknownAuthorityError{Cert: testLeaf})},
		{"no CA bundle", remedyNoCABundle, verify(x509.UnknownAuthorityError{Cert: testLeaf}).with(withHandshake(probe.HandshakeCheck{NoSystemRoots: true}))},
		{"another host's certificate", TLSHostnameMismatch, verify(x509.HostnameError{Certificate: testLeaf, Host: "api.elastic-cloud.com"})},
		{"Common Name only", remedyCNOnly, verify(x509.HostnameError{Certificate: cnOnly, Host: "api.elastic-cloud.com"})},
		{"expired", TLSCertificateExpired, verify(x509.CertificateInvalidError{Cert: testLeaf, Reason: x509.Expired})},
		{"alert", TLSHandshakeFailed, recorded(probe.Registration, reg).failed(opErr("remote error", errors.New("tls: handshake failure")), inTLS)},
		{"client certificate asked", TLSClientCertificateRequired, recorded(probe.Registration, reg).failed(opErr("remote error", errors.New("tls: certificate required")), sentAll).with(withHandshake(probe.HandshakeCheck{ClientCertRequested: true, Chain: []*x509.Certificate{testLeaf}}))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			usual := Diagnose(&tt.ev.Evidence, Context{})
			require.Equal(t, Remedy(tt.row, false), usual.Remedy, usual.Summary())
			assert.NotContains(t, usual.Remedy, "do not apply to registration")

			v := Diagnose(&tt.ev.Evidence, Context{AsAgentRegisters: true})
			assert.Equal(t, usual.ErrorType, v.ErrorType)
			require.NotEmpty(t, Remedy(tt.row+remedyAsAgent, false), "no row %s", tt.row+remedyAsAgent)
			assert.Equal(t, Remedy(tt.row+remedyAsAgent, false), v.Remedy)
			assert.Contains(t, v.Remedy, "ssl.certificate_authorities and proxy_url do not apply to registration")
			assert.Contains(t, v.Remedy, "system trust store")
			assert.Contains(t, v.Remedy, "HTTPS_PROXY")
			assert.NotContains(t, v.Remedy, "tls.ca_file", "the probe's own settings are not the agent's way")
			assert.True(t, strings.HasPrefix(v.Guide, "Tests 2-3"), v.Guide)
		})
	}
	// Only registration registers: the cluster and the intake keep their rows.
	for _, name := range []probe.Name{probe.Cluster, probe.OTLP} {
		ev := recorded(name, "https://es.corp:9200").failed(opErr("proxyconnect", refusedErr), probe.Progress{}).with(viaProxy("http://p:3128"))
		v := Diagnose(&ev.Evidence, Context{AsAgentRegisters: true})
		assert.Equal(t, ProxyUnreachable, v.ErrorType)
		assert.NotContains(t, v.Remedy, "do not apply to registration", name)
	}
}

// A remedy and its guide row fit the probe and the credential kind they are shown for.
func TestRemediesFitTheProbeAndCredentials(t *testing.T) {
	for _, et := range ErrorTypes {
		if remedies[et].Cloud != "" {
			assert.NotContains(t, GuideRow(et, false), "Test 1", "%s on test 2 or 3 cites test 1's row", et)
		}
	}
	ev := recorded(probe.Cluster, "https://es.corp:9200").answered(401, `{"error":{"type":"security_exception"},"status":401}`)
	basic := Diagnose(&ev.Evidence, Context{Credentials: CredentialsBasic})
	assert.NotContains(t, basic.Remedy, "API key")
	key := Diagnose(&ev.Evidence, Context{Credentials: CredentialsAPIKey})
	assert.Contains(t, key.Remedy, "id:api_key")

	socks := socksRefused(probe.SOCKSCheck{Method: probe.SOCKSMethodPassword})
	v := Diagnose(&socks.Evidence, Context{})
	assert.Contains(t, v.Remedy, "socks5://user:password@", "a SOCKS proxy's credentials go in a socks5:// URL")

	dns := recorded(probe.Registration, "https://api.elastic-cloud.com/x").failed(timeoutErr, probe.Progress{})
	v = Diagnose(&dns.Evidence, Context{})
	assert.Equal(t, DNSError, v.ErrorType)
	assert.True(t, strings.HasPrefix(v.Guide, "Tests 2-3"), v.Guide)
}
