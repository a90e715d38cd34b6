package diagnose

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// The code the wizard would show, a row per error.type (and one per way a value can come
// with another code): what a user holding the wizard's code compares with.
func TestAgentErrorCode(t *testing.T) {
	const es, esHTTP, reg, intake = "https://es.corp:9200", "http://es.corp:9200", "https://api.elastic-cloud.com/api/v1/cloud-connected/clusters", "https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud/v1/logs"
	expired := &tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Cert: testLeaf, Reason: x509.Expired}}
	tests := []struct {
		name      string
		ev        *evidence
		ctx       Context
		errorType string
		code      string
	}{
		{"dns", recorded(probe.Cluster, es).failed(&net.DNSError{Err: "no such host", Name: "es.corp", IsNotFound: true}, probe.Progress{}), Context{}, DNSNotFound, CodeHTTP0},
		{"resolver timeout", recorded(probe.Cluster, es).failed(timeoutErr, probe.Progress{}), Context{}, DNSError, CodeHTTP0},
		{"refused", recorded(probe.Cluster, "http://localhost:9200").failed(refusedErr, probe.Progress{}), Context{}, ConnectionRefused, CodeHTTP0},
		{"SYN dropped", recorded(probe.Cluster, es).failed(deadline{}, probe.Progress{DNSDone: true}), Context{}, ConnectionTimeout, CodeHTTP0},
		{"no route", recorded(probe.Cluster, es).failed(opErr("dial", os.NewSyscallError("connect", syscall.EHOSTUNREACH)), probe.Progress{}), Context{}, NetworkUnreachable, CodeHTTP0},
		{"reset", recorded(probe.Cluster, es).failed(opErr("read", syscall.ECONNRESET), sentAll), Context{}, ConnectionReset, CodeHTTP0},
		{"no answer", recorded(probe.Cluster, es).failed(deadline{}, sentAll), Context{}, ResponseTimeout, CodeHTTP0},
		{"https:// to plain HTTP", recorded(probe.Cluster, es).failed(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, inTLS), Context{}, SchemeMismatch, CodeHTTP0},
		{"a TLS port's 400 to plaintext: that port answered", recorded(probe.Cluster, esHTTP).answered(400, "<html>The plain HTTP request was sent to HTTPS port</html>").with(withHandshake(probe.HandshakeCheck{Chain: []*x509.Certificate{testLeaf}})), Context{}, SchemeMismatch, "HTTP_400"},
		{"unknown CA", recorded(probe.Cluster, es).failed(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{Cert: testLeaf}}, inTLS), Context{}, TLSUnknownAuthority, CodeHTTP0},
		{"wrong name", recorded(probe.Cluster, "https://es2.corp:9200").failed(&tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: testLeaf, Host: "es2.corp"}}, inTLS), Context{}, TLSHostnameMismatch, CodeHTTP0},
		{"expired", recorded(probe.Cluster, es).failed(expired, inTLS), Context{}, TLSCertificateExpired, CodeHTTP0},
		{"inspected", recorded(probe.Registration, reg).failed(&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{Cert: testLeaf}}, inTLS), Context{}, TLSIntercepted, CodeHTTP0},
		{"pin", recorded(probe.Cluster, es).failed(&tls.CertificateVerificationError{Err: &probe.PinMismatchError{Chain: []*x509.Certificate{testLeaf}}}, inTLS), Context{}, TLSPinMismatch, CodeHTTP0},
		{"old TLS", recorded(probe.Cluster, es).failed(errors.New("tls: server selected unsupported protocol version 301"), inTLS), Context{}, TLSVersionTooOld, CodeHTTP0},
		{"alert", recorded(probe.Cluster, es).failed(opErr("remote error", errors.New("tls: handshake failure")), inTLS), Context{}, TLSHandshakeFailed, CodeHTTP0},
		{"proxy down", recorded(probe.Registration, reg).failed(opErr("proxyconnect", refusedErr), probe.Progress{}).with(viaProxy("http://p:3128")), Context{}, ProxyUnreachable, CodeHTTP0},
		// Go returns a refused CONNECT as an error: the agent sees no HTTP answer.
		{"CONNECT 407", recorded(probe.Registration, reg).failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(407, "", "Basic")), Context{}, ProxyAuthRequired, CodeHTTP0},
		{"CONNECT 403", recorded(probe.Registration, reg).failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(403, "")), Context{}, ProxyBlocked, CodeHTTP0},
		{"CONNECT 403 to 9243, 443 tunnelled", recorded(probe.Cluster, "https://es.corp:9243").failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(403, "ERR_ACCESS_DENIED 0")).with(tunnels443(200)), Context{}, ProxyPortRefused, CodeHTTP0},
		{"privoxy's parent down", privoxyConnectFailed("10.20.0.5", "198.51.100.1"), Context{}, ProxyParentUnreachable, CodeHTTP0},
		{"an idle timeout in the path", closedAfter(2 * time.Second), Context{PreviousSilence: 2 * time.Second}, ConnectionClosedIdle, CodeHTTP0},
		{"nginx's 413 to a batch", intakeBehind(413, "<html>413 Request Entity Too Large</html>", nil), Context{}, RequestBodyTooLarge, "HTTP_413"},
		{"a batch cut while sent", intakeBehind(0, "", opErr("write", syscall.ECONNRESET)).with(continued), Context{}, RequestBodyTooLarge, CodeHTTP0},
		{"CONNECT 503", recorded(probe.Registration, reg).failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(503, "ERR_DNS_FAIL 0")), Context{}, ProxyUpstreamError, CodeHTTP0},
		// Through a proxy to an http:// URL, the proxy's answer is the agent's answer.
		{"a forwarding proxy's 502", recorded(probe.Registration, "http://api.elastic-cloud.com/x").answered(502, "<html>bad gateway</html>").with(viaProxy("http://p:3128")), Context{}, ProxyUpstreamError, CodeHTTP502},
		{"a forwarding proxy's 403", recorded(probe.Cluster, esHTTP).answered(403, "<html>denied</html>").with(viaProxy("http://p:3128")), Context{Credentials: CredentialsBasic}, ProxyBlocked, CodeHTTP403},
		{"a 407 to plain http", recorded(probe.Cluster, esHTTP).answered(407, "auth"), Context{}, ProxyAuthRequired, "HTTP_407"},
		{"NTLM only", recorded(probe.Registration, reg).failed(io.EOF, probe.Progress{}).with(viaProxy("http://p:3128")).with(connectAnswer(407, "", "NTLM")), Context{}, ProxyAuthUnsupported, CodeHTTP0},
		{"https:// proxy speaking plain HTTP", recorded(probe.OTLP, intake).failed(io.EOF, probe.Progress{}).with(viaProxy("https://p:3128")).with(func(ev *probe.Evidence) { ev.ProxySpeaksPlainHTTP = true }), Context{}, ProxySchemeMismatch, CodeHTTP0},
		{"401 with credentials", recorded(probe.Cluster, es).answered(401, `{"error":{"type":"security_exception"},"status":401}`), Context{Credentials: CredentialsBasic}, AuthFailed, CodeHTTP401},
		{"Authorization removed on the way", recorded(probe.Cluster, es).answered(401, missingCredentialsBody), Context{Credentials: CredentialsAPIKey}, AuthHeaderStripped, CodeHTTP401},
		{"401 without credentials", recorded(probe.Cluster, es).answered(401, `{"error":{"type":"security_exception"},"status":401}`), Context{}, AuthMissing, CodeHTTP401},
		{"403 from the root", recorded(probe.Cluster, es).answered(403, `{"error":{"type":"security_exception"},"status":403}`), Context{Credentials: CredentialsBasic}, InsufficientPrivileges, CodeHTTP403},
		// The root answers; the agent's later calls without the privilege get 403.
		{"privileges missing", recorded(probe.Cluster, es).answered(200, esRoot, elastic).with(license("active")).with(privilegesMissing()), Context{Credentials: CredentialsBasic}, InsufficientPrivileges, CodeHTTP403},
		{"Elasticsearch 7.10: the agent's own version check", recorded(probe.Cluster, es).answered(200, oldRoot, elastic), Context{}, UnsupportedVersion, CodeUnknownError},
		{"expired license: Elastic Cloud refuses the registration", recorded(probe.Cluster, es).answered(200, esRoot, elastic).with(license("expired")), Context{}, LicenseInactive, CodeLicenseExpired},
		{"localhost in a container", recorded(probe.Cluster, "http://localhost:9200").failed(refusedErr, probe.Progress{}).with(func(ev *probe.Evidence) { ev.InContainer = true }), Context{}, ContainerNetworkIsolation, CodeHTTP0},
		{"Elasticsearch's 404", recorded(probe.Cluster, es).answered(404, `{}`, elastic), Context{}, UnexpectedStatus, "HTTP_404"},
		{"a 200 that is not the root JSON", recorded(probe.Cluster, es).answered(200, `{}`, elastic), Context{}, UnexpectedResponse, "HTTP_200"},
		{"Kibana", recorded(probe.Cluster, es).answered(302, "", func(r *probe.Response) { r.Location = "/spaces/enter" }), Context{}, NotElasticsearch, "HTTP_302"},
		{"the transport port: no HTTP answer", recorded(probe.Cluster, "http://es.corp:9300").failed(errors.New("net/http: HTTP/1.x transport connection broken: malformed HTTP response"), sentAll).with(func(ev *probe.Evidence) { ev.RawReply = []byte("This is not an HTTP port") }), Context{}, NotElasticsearch, CodeHTTP0},
		{"SNI filter", recorded(probe.Cluster, es).failed(deadline{}, inTLS).with(func(ev *probe.Evidence) { ev.Stall = &probe.StallCheck{NoNameReply: true, SmallSegmentsReply: &no} }), Context{}, TLSBlocked, CodeHTTP0},
		{"MTU", recorded(probe.Cluster, es).failed(deadline{}, inTLS).with(func(ev *probe.Evidence) { ev.Stall = &probe.StallCheck{SmallSegmentsReply: &yes} }), Context{}, PathMTUBlackhole, CodeHTTP0},
		{"sinkhole", recorded(probe.Registration, reg).failed(refusedErr, probe.Progress{}).with(func(ev *probe.Evidence) { ev.Main.PeerAddress = "0.0.0.0" }), Context{}, DNSBlocked, CodeHTTP0},
		{"search domain", recorded(probe.Cluster, es).failed(refusedErr, probe.Progress{}).with(func(ev *probe.Evidence) {
			ev.SearchDomain = &probe.SearchDomain{Suffix: "corp.example", SuffixAddresses: []string{"10.9.9.9"}}
		}), Context{}, DNSSearchDomain, CodeHTTP0},
		{"clock", recorded(probe.Cluster, es).failed(expired, inTLS).with(func(ev *probe.Evidence) {
			ev.ServerClock = &probe.Response{Date: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), ReceivedAt: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)}
		}), Context{}, ClockSkew, CodeHTTP0},
		{"NTLM over SOCKS", socksRefused(probe.SOCKSCheck{Method: probe.SOCKSMethodNoneAcceptable}), Context{}, ProxyAuthUnsupported, CodeHTTP0},
		// The intake's codes never reach the wizard (the agent's events travel through it); the
		// code names what the exporter met.
		{"token refused", recorded(probe.OTLP, intake).answered(401, `{"code":16,"message":"invalid token"}`).with(func(ev *probe.Evidence) { ev.TokenSent = true }), Context{}, TokenRejected, CodeHTTP401},
		{"incomplete chain", refusedChain(probe.Cluster, es, leafOf(true)), Context{}, TLSIncompleteChain, CodeHTTP0},
		{"client certificate required", alertAfterRequest("certificate required", false), Context{}, TLSClientCertificateRequired, CodeHTTP0},
		{"nginx 502 in front of the cluster", recorded(probe.Cluster, es).answered(502, "<html><head><title>502 Bad Gateway</title></head></html>", func(r *probe.Response) { r.Server = "nginx" }), Context{}, GatewayUpstreamError, CodeHTTP502},
		{"haproxy's 503", recorded(probe.Cluster, es).answered(503, "<html><body><h1>503 Service Unavailable</h1></body></html>"), Context{}, GatewayUpstreamError, CodeHTTP503},
		{"a gateway's 504", recorded(probe.Cluster, es).answered(504, "<html>Gateway Time-out</html>"), Context{}, GatewayUpstreamError, CodeHTTP504},
		{"no master: Elasticsearch's own 503", recorded(probe.Cluster, es).answered(503, `{"error":{"type":"master_not_discovered_exception","reason":null},"status":503}`, elastic), Context{}, ElasticsearchUnavailable, CodeHTTP503},
		{"circuit breaker", recorded(probe.Cluster, es).answered(429, `{"error":{"type":"circuit_breaking_exception","reason":"[parent] Data too large"},"status":429}`, elastic), Context{}, ElasticsearchUnavailable, "HTTP_429"},
		{"a root without a cluster uuid", recorded(probe.Cluster, es).answered(200, `{"name":"n","cluster_name":"c","cluster_uuid":"_na_","version":{"number":"9.1.3"}}`, elastic).with(license("active")), Context{}, ElasticsearchUnavailable, CodeClusterNotReady},
		{"an error nothing explains", recorded(probe.Cluster, es).failed(errors.New("Filtered"), sentAll), Context{}, Other, CodeHTTP0},
		{"pinned server certificate renewed", refusedChain(probe.Cluster, es, renewedLeaf).with(holding(testLeaf)), Context{}, TLSPinnedLeafChanged, CodeHTTP0},
		{"split horizon, refused", recorded(probe.Registration, reg).failed(refusedErr, probe.Progress{DNSDone: true}).with(resolvedTo("10.20.0.1", "10.20.0.1")), Context{}, DNSSplitHorizon, CodeHTTP0},
		{"split horizon, a 404 from the private address", recorded(probe.Registration, reg).answered(404, "not found").with(resolvedTo("10.20.0.1", "10.20.0.1")), Context{}, DNSSplitHorizon, "HTTP_404"},
		{"no route for the name's only family", noRouteAt("2001:db8::5").with(families(probe.FamilyIPv6, false, true)), Context{}, AddressFamilyUnreachable, CodeHTTP0},
		{"pass", recorded(probe.Cluster, es).answered(200, esRoot, elastic).with(license("active")), Context{}, "", ""},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := Diagnose(&tt.ev.Evidence, tt.ctx)
			assert.Equal(t, tt.errorType, v.ErrorType, v.Summary())
			assert.Equal(t, tt.code, v.AgentErrorCode)
			if tt.code != "" {
				assert.True(t, codeNames(tt.code, tt.errorType), "the README's wizard table does not name %s under %s", tt.errorType, tt.code)
			}
		})
		covered[tt.errorType] = true
	}
	for _, et := range ErrorTypes {
		assert.True(t, covered[et], "no row gives %s", et)
	}
}

// codeNames: the wizard table's row for code names errorType; any HTTP status may also come
// from the verdicts that quote what answered (the HTTP_<status> row).
func codeNames(code, errorType string) bool {
	row, ok := ExplainCode(code)
	if ok && slices.Contains(row.ErrorTypes, errorType) {
		return true
	}
	other, _ := ExplainCode(CodeHTTPOther)
	return strings.HasPrefix(code, "HTTP_") && code != CodeHTTP0 && slices.Contains(other.ErrorTypes, errorType)
}

// Every verdict is behind some wizard code, and every row names a verdict or a warning or
// says it comes from Elastic Cloud alone.
func TestWizardTableCoversTheVocabulary(t *testing.T) {
	named := map[string]bool{}
	for _, c := range AgentCodes {
		for _, et := range c.ErrorTypes {
			assert.Contains(t, ErrorTypes, et, c.Code)
			named[et] = true
		}
		for _, w := range c.Warnings {
			assert.Contains(t, Warnings, w, c.Code)
		}
		assert.NotEmpty(t, c.Meaning, c.Code)
		assert.NotEmpty(t, c.Do, c.Code)
		if len(c.ErrorTypes)+len(c.Warnings) == 0 {
			assert.Contains(t, c.Meaning, "Elastic Cloud's answer", "%s: a code no verdict gives must say where it comes from", c.Code)
		}
	}
	for _, et := range ErrorTypes {
		assert.True(t, named[et], "%s is behind no wizard code", et)
	}
}

// explain's lookup: as the wizard shows the code, in any case, an unlisted HTTP status, the
// license message in full; an unknown code is not guessed.
func TestExplainCode(t *testing.T) {
	for in, want := range map[string]string{
		"HTTP_401": CodeHTTP401, "http_0": CodeHTTP0, " cluster_not_ready ": CodeClusterNotReady,
		"HTTP_404": CodeHTTPOther, "http_403": CodeHTTPOther,
		"Failed to register Cloud Connected Mode: cluster license type is not supported": CodeLicenseTypeNotSupported,
	} {
		row, ok := ExplainCode(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, row.Code, in)
	}
	for _, in := range []string{"", "HTTP_", "HTTP_4040", "NOT_A_CODE", "auth_failed"} {
		_, ok := ExplainCode(in)
		assert.False(t, ok, in)
	}
}

// The README's wizard table is rendered from AgentCodes; -update-readme rewrites it.
func TestREADMEWizardTable(t *testing.T) {
	const path, heading = "../../README.md", "## The wizard's error codes"
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	readme := string(raw)
	start := strings.Index(readme, heading)
	require.GreaterOrEqual(t, start, 0, heading)
	head := strings.Index(readme[start:], "| code |")
	require.GreaterOrEqual(t, head, 0)
	head += start
	end := strings.Index(readme[head:], "\n\n")
	require.GreaterOrEqual(t, end, 0)
	end += head
	replaced := readme[:head] + WizardTable() + readme[end:]
	if *updateReadme {
		require.NoError(t, os.WriteFile(path, []byte(replaced), 0o600))
		return
	}
	assert.Equal(t, replaced, readme, "the README's wizard table differs from AgentCodes; rerun with -update-readme")
}
