package diagnose

import "github.com/autoopsprobe/autoops-probe/internal/probe"

// rule is one named cause: the error.type it gives, the guide row or field fact it rests on,
// and a match over the evidence that returns the evidence sentence when it applies.
type rule struct {
	errorType string
	basis     string
	match     func(*judgement) (string, bool)
	// variant, when set, names the remedy row that fits the setup ("" for the value's own):
	// the remedy must fit the credential kind and the machine it is shown for.
	variant func(*judgement) string
}

// rules is the precedence: the first rule that matches gives the verdict; none matching is a
// pass. Each error.type comes from exactly one rule, which may read several kinds of
// evidence. Rules for an exchange without a complete answer and rules for an answer never
// match the same evidence, so their relative order matters only within each kind.
//
// Ties the order decides:
//   - proxy failures before anything about the destination: a proxy that refused or could not
//     be reached says nothing about the endpoint behind it;
//   - connection_closed_idle before connection_reset: the same silence before the close, run
//     after run, is a timer's, not a refusal's;
//   - request_body_too_large only after the small POST passed: it is the one verdict on an
//     intake answer that passes, from the batch-sized POST beside it;
//   - proxy_parent_unreachable before proxy_upstream_error: a page naming an address the
//     destination does not have says which hop failed;
//   - proxy_port_refused before proxy_blocked: a proxy that tunnels 443 of the same host
//     refuses the port, not the destination;
//   - scheme_mismatch before not_elasticsearch: a TLS port's own 400 to plaintext is no
//     foreign server;
//   - tls_client_certificate_required before the answer rules (nginx's 400 page) and before
//     tls_handshake_failed (the alert after a certificate request);
//   - elasticsearch_unavailable (a root with cluster_uuid "_na_") before unsupported_version
//     and every pass: the agent goes no further than "the cluster is not ready";
//   - elasticsearch_unavailable, then gateway_upstream_error, before not_elasticsearch: a 503
//     with Elasticsearch's error JSON is the cluster's own state; a 502/503/504 page from
//     something else is the gateway in front of it, not a wrong endpoint;
//   - tls_incomplete_chain before tls_unknown_authority, only on its contract's signals;
//   - tls_pinned_leaf_changed before tls_intercepted, tls_incomplete_chain and
//     tls_unknown_authority: a CA setting of server certificates only explains the unknown
//     authority (and a lone leaf is no missing intermediate then);
//   - not_elasticsearch before any auth, privilege or version verdict (contract v2);
//   - tls_blocked and path_mtu_blackhole before the timeout or reset they explain;
//   - dns_* before the timeouts (a resolver timeout is dns_error);
//   - connection_timeout / response_timeout by how far the exchange got;
//   - container_network_isolation before connection_refused (a localhost refusal in a container);
//   - address_family_unreachable before network_unreachable: no route for the name's only
//     family on a host that routes the other;
//   - clock_skew before tls_certificate_expired (the server's clock says the certificate is valid);
//   - scheme_mismatch before connection_reset (an http:// port that closes plaintext and speaks TLS);
//   - auth before status: a 401 is auth_*, a 403 insufficient_privileges;
//   - auth_header_stripped before auth_failed: credentials Elasticsearch says it never got
//     were not refused;
//   - unsupported_version before license_inactive before the privileges check;
//   - a proxy's answer the probe cut at its bound (a proxy that floods) is _OTHER, quoted:
//     proxy_scheme_mismatch and scheme_mismatch (their plain-text branches), proxy_unreachable,
//     connection_reset and tls_handshake_failed step aside for it (answerCut): the proxy
//     answered, in neither TLS nor HTTP, and the cut was the probe's (or Go's, at 10 MB).
var rules = []rule{
	{ProxySchemeMismatch, "tests 2-3 note on HTTP(S)_PROXY; field facts: https:// proxy URLs", proxySchemeMismatch, asAgent(ProxySchemeMismatch, nil)},
	{ProxyUnreachable, "tests 2-3 note: configure HTTP_PROXY, HTTPS_PROXY", proxyUnreachable, asAgent(ProxyUnreachable, nil)},
	{ProxyAuthUnsupported, "field facts: NTLM/Negotiate-only proxies", proxyAuthUnsupported, asAgent(ProxyAuthUnsupported, socksRow(ProxyAuthUnsupported))},
	{ProxyAuthRequired, "tests 2-3: configure your HTTP proxy", proxyAuthRequired, asAgent(ProxyAuthRequired, socksRow(ProxyAuthRequired))},
	{ProxyParentUnreachable, "contract v5, Diagnosis v5: a proxy's page naming the parent it could not reach", proxyParentUnreachable, nil},
	{ProxyUpstreamError, "tests 2-3: allow the proxy to reach the URL", proxyUpstreamError, asAgent(ProxyUpstreamError, nil)},
	{ProxyPortRefused, "contract v5, Diagnosis v5: squid's SSL_ports (CONNECT to 443 only)", proxyPortRefused, nil},
	{ProxyBlocked, "test 1: a proxy is blocking communication", proxyBlocked, firstRow(rootExitRow(ProxyBlocked), asAgent(ProxyBlocked, nil))},
	{SchemeMismatch, "test 1: the correct protocol, http or https", schemeMismatch, nil},
	{TLSClientCertificateRequired, "field facts: servers that require a client certificate", tlsClientCertificateRequired, asAgent(TLSClientCertificateRequired, nil)},
	{ElasticsearchUnavailable, "wizard: CLUSTER_NOT_READY; field facts: Elasticsearch's 503/429 bodies; contract v4: cluster_uuid _na_ or empty", elasticsearchUnavailable, notFormedRow},
	{GatewayUpstreamError, "wizard: HTTP_502, HTTP_503, HTTP_504; field facts: gateways' own pages", gatewayUpstreamError, nil},
	{NotElasticsearch, "test 1: the correct port; field facts: what answers instead", notElasticsearch, rootExitRow(NotElasticsearch)},
	{TLSBlocked, "test 1: allow-list the URL; field facts: SNI filtering", tlsBlocked, nil},
	{PathMTUBlackhole, "field facts: path MTU black holes", pathMTUBlackhole, nil},
	{DNSNotFound, "test 1: endpoint URL incorrect", dnsNotFound, nil},
	{DNSError, "test 1: endpoint not reachable", dnsError, nil},
	{ConnectionTimeout, "test 1: endpoint not reachable", connectionTimeout, nil},
	{ResponseTimeout, "test 1: endpoint not reachable", responseTimeout, nil},
	{ContainerNetworkIsolation, "test 1: Docker without --network host", containerNetworkIsolation, nil},
	{ConnectionRefused, "test 1: endpoint not reachable", connectionRefused, nil},
	{AddressFamilyUnreachable, "contract v5: Diagnosis v5 (address_family_unreachable)", addressFamilyUnreachable, nil},
	{NetworkUnreachable, "test 1: endpoint not reachable", networkUnreachable, nil},
	{TLSPinMismatch, "contract v5: the module's TLS (ssl.ca_sha256)", tlsPinMismatch, nil},
	{TLSPinnedLeafChanged, "test 1: custom SSL/TLS configuration; contract v5: Diagnosis v5 (tls_pinned_leaf_changed)", tlsPinnedLeafChanged, nil},
	{TLSIntercepted, "tests 2-3: TLS inspection in the path", tlsIntercepted, firstRow(exporterCAOnlyRow, asAgent(TLSIntercepted, noCABundleVariant))},
	{TLSIncompleteChain, "test 1: custom SSL/TLS configuration; contract v3: the chain's intermediate", tlsIncompleteChain, nil},
	{TLSUnknownAuthority, "test 1: custom SSL/TLS configuration", tlsUnknownAuthority, withSuffix(TLSUnknownAuthority, sslDisabledRow)},
	{TLSHostnameMismatch, "test 1: custom SSL/TLS configuration", tlsHostnameMismatch, firstRow(withSuffix(TLSHostnameMismatch, sslDisabledRow), asAgent(TLSHostnameMismatch, commonNameOnlyRow))},
	{ClockSkew, "field facts: the server's Date header", clockSkew, nil},
	{TLSCertificateExpired, "test 1: custom SSL/TLS configuration", tlsCertificateExpired, asAgent(TLSCertificateExpired, nil)},
	{ConnectionClosedIdle, "contract v5, Diagnosis v5: a load balancer's idle timeout shorter than the answer", connectionClosedIdle, nil},
	{ConnectionReset, "test 1: endpoint not reachable", connectionReset, nil},
	{TLSVersionTooOld, "contract v5: Diagnosis v5 (tls_version_too_old)", tlsVersionTooOld, nil},
	{TLSHandshakeFailed, "test 1: custom SSL/TLS configuration", tlsHandshakeFailed, asAgent(TLSHandshakeFailed, nil)},
	{AuthMissing, "test 1: API key / basic tabs", authMissing, nil},
	{AuthHeaderStripped, "contract v5, Diagnosis v5: Elasticsearch's 'missing authentication credentials' to a request that carried them", authHeaderStripped, nil},
	{AuthFailed, "test 1: API key or password incorrect", authFailed, credentialVariant},
	{UnexpectedStatus, "tests 2-3: the command should return 401", unexpectedStatus, rootExitRow(UnexpectedStatus)},
	{UnexpectedResponse, "tests 2-3: the expected body", unexpectedResponse, nil},
	{UnsupportedVersion, "facts: Elasticsearch 7.17.0 or newer", unsupportedVersion, nil},
	{LicenseInactive, "facts: license status active", licenseInactive, nil},
	{InsufficientPrivileges, "test 1: the user has the necessary privileges", insufficientPrivileges, rootExitRow(InsufficientPrivileges)},
	{TokenRejected, "test 3 with AUTOOPS_TOKEN", tokenRejected, nil},
	{RequestBodyTooLarge, "contract v5, Diagnosis v5: the exporter's batches of 1-4 MiB, dropped on 413", requestBodyTooLarge, nil},
	{Other, "none: the evidence is quoted as it came", other, cutAnswerRow},
}

// overrides name a cause behind whatever failed: each that matches a failure wraps what was
// said so far ("(then: ...)"). They apply from the last to the first, so the first wins
// and its sentence comes first: a search domain that sent a public name to a sinkhole is the
// search domain's fault (a search domain explains a private address too); a sinkhole's
// addresses and a private zone's never meet.
var overrides = []rule{
	{DNSSearchDomain, "test 1 / tests 2-3: the name resolved elsewhere", searchDomain, nil},
	{DNSBlocked, "tests 2-3: the firewall/DNS filter of the setup", sinkhole, nil},
	{DNSSplitHorizon, "contract v5: Diagnosis v5 (dns_split_horizon)", splitHorizon, nil},
}

// Remedy variants: rows of remedies.go beside the contract's values.
const (
	remedyNoCABundle = "tls_intercepted/no_ca_bundle"
	remedyBasicAuth  = "auth_failed/basic"
	remedyCNOnly     = "tls_hostname_mismatch/cn_only"
	remedyNotFormed  = "elasticsearch_unavailable/not_formed"
	// The suffix of a row for an answer to GET / the agent exits on (401, 403, 404): auth_*
	// come only from such answers, so their own rows say it.
	remedyRootExit = "/root_exit"
	// The suffix of a registration row when the probe registers as the agent does (Go's
	// default client): the module's ssl.* and proxy_url do not apply there.
	remedyAsAgent = "/as_agent"
	// SOCKS proxies authenticate otherwise than HTTP proxies: the suffix of a proxy_auth_* row.
	remedySOCKS = "/socks"
	// A proxy's answer cut at the probe's bound: _OTHER's row for a proxy that floods.
	remedyAnswerTooLarge = Other + "/answer_too_large"
)

// cutAnswerRow: a proxy that floods needs its address and health checked, not the endpoint.
func cutAnswerRow(j *judgement) string {
	if answerCut(j) {
		return remedyAnswerTooLarge
	}
	return ""
}

// rootExitRow: agents 9.2.5 and later exit on a 401, 403 or 404 from GET / (autoops-facts,
// "What the agent does, by version"); the remedy says so.
func rootExitRow(errorType string) func(*judgement) string {
	return func(j *judgement) string {
		if j.rootHTTPError() {
			return errorType + remedyRootExit
		}
		return ""
	}
}

// asAgent: the registration probe built as the agent registers (contract v4, "Registration,
// as the agent does it"): the row that fits otherwise (inner's, or the value's own) in its
// as-the-agent form, which says the module's CA and proxy_url do not help there.
func asAgent(errorType string, inner func(*judgement) string) func(*judgement) string {
	return func(j *judgement) string {
		row := ""
		if inner != nil {
			row = inner(j)
		}
		if !j.c.AsAgentRegisters || j.ev.Probe != probe.Registration {
			return row
		}
		if row == "" {
			row = errorType
		}
		return row + remedyAsAgent
	}
}

// firstRow is the first of the variants that names a row.
func firstRow(variants ...func(*judgement) string) func(*judgement) string {
	return func(j *judgement) string {
		for _, v := range variants {
			if row := v(j); row != "" {
				return row
			}
		}
		return ""
	}
}

// withSuffix: a row named by a suffix of errorType's (the variant returns the suffix).
func withSuffix(errorType string, variant func(*judgement) string) func(*judgement) string {
	return func(j *judgement) string {
		if suffix := variant(j); suffix != "" {
			return errorType + suffix
		}
		return ""
	}
}

// socksRow: a SOCKS proxy's authentication needs its own words.
func socksRow(errorType string) func(*judgement) string {
	return func(j *judgement) string {
		if _, ok := j.socksRefusal(); ok {
			return errorType + remedySOCKS
		}
		return ""
	}
}

// noCABundleVariant: on a machine with no CA bundle at all no certificate could verify,
// inspected or not (guide tests 2-3; autoops-facts, the connectivity script's curl exit
// codes 60 and 77).
func noCABundleVariant(j *judgement) string {
	if noSystemRoots(j.ev) {
		return remedyNoCABundle
	}
	return ""
}

// credentialVariant: rejected basic credentials need no word about API key forms.
func credentialVariant(j *judgement) string {
	if j.c.Credentials == CredentialsBasic {
		return remedyBasicAuth
	}
	return ""
}

// notFormedRow: a cluster that has not formed needs its discovery mended, not its load.
func notFormedRow(j *judgement) string {
	if root, ok := j.root(); ok && !root.Formed() {
		return remedyNotFormed
	}
	return ""
}

// commonNameOnlyRow: a certificate naming its host only in the Common Name needs reissuing;
// server_name_override cannot help.
func commonNameOnlyRow(j *judgement) string {
	if _, ok := commonNameOnly(j); ok {
		return remedyCNOnly
	}
	return ""
}
