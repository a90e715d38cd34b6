package diagnose

// rule is one named cause: the error.type it gives, the guide row or field fact it rests on,
// and a match over the evidence that returns the evidence sentence when it applies.
type rule struct {
	errorType string
	basis     string
	match     func(*judgement) (string, bool)
}

// rules is the precedence: the first rule that matches gives the verdict; none matching is a
// pass. Each error.type comes from exactly one rule, which may read several kinds of
// evidence. Rules for an exchange without a complete answer and rules for an answer never
// match the same evidence, so their relative order matters only within each kind.
//
// Ties the order decides:
//   - proxy failures before anything about the destination: a proxy that refused or could not
//     be reached says nothing about the endpoint behind it;
//   - scheme_mismatch before not_elasticsearch: a TLS port's own 400 to plaintext is no
//     foreign server;
//   - not_elasticsearch before any auth, privilege or version verdict (contract v2);
//   - tls_blocked and path_mtu_blackhole before the timeout or reset they explain;
//   - dns_* before the timeouts (a resolver timeout is dns_error);
//   - connection_timeout / response_timeout by how far the exchange got;
//   - container_network_isolation before connection_refused (a localhost refusal in a container);
//   - clock_skew before tls_certificate_expired (the server's clock says the certificate is valid);
//   - scheme_mismatch before connection_reset (an http:// port that closes plaintext and speaks TLS);
//   - auth before status: a 401 is auth_*, a 403 insufficient_privileges;
//   - unsupported_version before license_inactive before the privileges check.
var rules = []rule{
	{ProxySchemeMismatch, "tests 2-3 note on HTTP(S)_PROXY; field facts: https:// proxy URLs", proxySchemeMismatch},
	{ProxyUnreachable, "tests 2-3 note: configure HTTP_PROXY, HTTPS_PROXY", proxyUnreachable},
	{ProxyAuthUnsupported, "field facts: NTLM/Negotiate-only proxies", proxyAuthUnsupported},
	{ProxyAuthRequired, "tests 2-3: configure your HTTP proxy", proxyAuthRequired},
	{ProxyUpstreamError, "tests 2-3: allow the proxy to reach the URL", proxyUpstreamError},
	{ProxyBlocked, "test 1: a proxy is blocking communication", proxyBlocked},
	{SchemeMismatch, "test 1: the correct protocol, http or https", schemeMismatch},
	{NotElasticsearch, "test 1: the correct port; field facts: what answers instead", notElasticsearch},
	{TLSBlocked, "test 1: allow-list the URL; field facts: SNI filtering", tlsBlocked},
	{PathMTUBlackhole, "field facts: path MTU black holes", pathMTUBlackhole},
	{DNSNotFound, "test 1: endpoint URL incorrect", dnsNotFound},
	{DNSError, "test 1: endpoint not reachable", dnsError},
	{ConnectionTimeout, "test 1: endpoint not reachable", connectionTimeout},
	{ResponseTimeout, "test 1: endpoint not reachable", responseTimeout},
	{ContainerNetworkIsolation, "test 1: Docker without --network host", containerNetworkIsolation},
	{ConnectionRefused, "test 1: endpoint not reachable", connectionRefused},
	{NetworkUnreachable, "test 1: endpoint not reachable", networkUnreachable},
	{TLSIntercepted, "tests 2-3: TLS inspection in the path", tlsIntercepted},
	{TLSUnknownAuthority, "test 1: custom SSL/TLS configuration", tlsUnknownAuthority},
	{TLSHostnameMismatch, "test 1: custom SSL/TLS configuration", tlsHostnameMismatch},
	{ClockSkew, "field facts: the server's Date header", clockSkew},
	{TLSCertificateExpired, "test 1: custom SSL/TLS configuration", tlsCertificateExpired},
	{ConnectionReset, "test 1: endpoint not reachable", connectionReset},
	{TLSHandshakeFailed, "test 1: custom SSL/TLS configuration", tlsHandshakeFailed},
	{AuthMissing, "test 1: API key / basic tabs", authMissing},
	{AuthFailed, "test 1: API key or password incorrect", authFailed},
	{UnexpectedStatus, "tests 2-3: the command should return 401", unexpectedStatus},
	{UnexpectedResponse, "tests 2-3: the expected body", unexpectedResponse},
	{UnsupportedVersion, "facts: Elasticsearch 7.17.0 or newer", unsupportedVersion},
	{LicenseInactive, "facts: license status active", licenseInactive},
	{InsufficientPrivileges, "test 1: the user has the necessary privileges", insufficientPrivileges},
	{TokenRejected, "test 3 with AUTOOPS_TOKEN", tokenRejected},
	{Other, "none: the evidence is quoted as it came", other},
}

// overrides name a cause behind whatever failed: each that matches a failure wraps what was
// said so far ("(then: ...)"). They apply from the last to the first, so the first wins
// and its sentence comes first: a search domain that sent a public name to a sinkhole is the
// search domain's fault.
var overrides = []rule{
	{DNSSearchDomain, "test 1 / tests 2-3: the name resolved elsewhere", searchDomain},
	{DNSBlocked, "tests 2-3: the firewall/DNS filter of the setup", sinkhole},
}
