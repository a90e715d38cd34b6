package diagnose

import (
	"fmt"
	"regexp"
	"strings"
)

// AgentCode is one code of Elastic's wizard with the verdicts behind it and what to do: a row
// of the README's wizard table and what `autoops-probe explain CODE` prints.
type AgentCode struct {
	Code string
	// Meaning is what the code says, from where it comes.
	Meaning string
	// ErrorTypes are the probe's verdicts that give this code (autoops.agent.error_code);
	// Warnings, the warnings that explain it. Both empty: the code comes from Elastic Cloud's
	// answer to a registration with a valid key, which the probe never makes.
	ErrorTypes, Warnings []string
	Do                   string
}

// transportFailures are the verdicts without an HTTP answer: the agent's client reports them
// all as HTTP_0.
var transportFailures = []string{
	DNSNotFound, DNSError, DNSBlocked, DNSSearchDomain, ConnectionRefused, ConnectionTimeout,
	NetworkUnreachable, ConnectionReset, ResponseTimeout, ContainerNetworkIsolation, SchemeMismatch,
	TLSUnknownAuthority, TLSIncompleteChain, TLSHostnameMismatch, TLSCertificateExpired, ClockSkew,
	TLSIntercepted, TLSHandshakeFailed, TLSPinMismatch, TLSVersionTooOld, TLSClientCertificateRequired, TLSBlocked, PathMTUBlackhole,
	ProxyUnreachable, ProxySchemeMismatch, ProxyAuthRequired, ProxyAuthUnsupported, ProxyBlocked,
	ProxyUpstreamError, NotElasticsearch, Other,
	TLSPinnedLeafChanged, DNSSplitHorizon, AddressFamilyUnreachable,
	// v5: what users meet on the path
	ProxyPortRefused, ProxyParentUnreachable, RequestBodyTooLarge, ConnectionClosedIdle,
}

// AgentCodes is the wizard's published list in its order (autoops-facts, "Elastic's published
// error list"), then the row for every other HTTP status.
var AgentCodes = []AgentCode{
	{
		Code:       CodeHTTP401,
		Meaning:    "credentials missing or refused: Elasticsearch's 401 to the agent, or Elastic Cloud's to the registration key",
		ErrorTypes: []string{AuthFailed, AuthMissing, AuthHeaderStripped, TokenRejected},
		Do:         "run `autoops-probe` where the agent runs: `auth_missing` means none are configured, `auth_header_stripped` that something in between removed them, `auth_failed` that Elasticsearch refused them; for the registration, check `ELASTIC_CLOUD_CONNECTED_MODE_API_KEY` in Elastic Cloud (the probe registers without a key and cannot test it)",
	},
	{
		Code:       CodeHTTP502,
		Meaning:    "a gateway or proxy in front answered that it could not reach what is behind it",
		ErrorTypes: []string{GatewayUpstreamError, ProxyUpstreamError},
		Do:         "the evidence names what answered: mend its upstream (the cluster's nodes behind a load balancer, the proxy's route to Elastic Cloud)",
	},
	{
		Code:       CodeHTTP503,
		Meaning:    "a proxy or gateway in front is busy or has no upstream, or Elasticsearch itself is not healthy",
		ErrorTypes: []string{ElasticsearchUnavailable, GatewayUpstreamError, ProxyUpstreamError, ProxyParentUnreachable},
		Do:         "`elasticsearch_unavailable`: the cluster's own 503 (see its reason); otherwise the box named in the evidence has no healthy upstream",
	},
	{
		Code:       CodeHTTP504,
		Meaning:    "a gateway or proxy in front timed out waiting for what is behind it",
		ErrorTypes: []string{GatewayUpstreamError, ProxyUpstreamError},
		Do:         "check the upstream's health and the gateway's timeout",
	},
	{
		Code:       CodeHTTP0,
		Meaning:    "no HTTP answer: the name did not resolve, the connection was refused, dropped or reset, TLS failed, or a proxy refused the tunnel",
		ErrorTypes: transportFailures,
		Do:         "run `autoops-probe` where the agent runs: its `error.type` says which step failed and why",
	},
	{
		Code:    CodeClusterAlreadyConnected,
		Meaning: "Elastic Cloud's answer to the registration: this cluster is connected already",
		Do:      "use the existing connection in Elastic Cloud, or disconnect the cluster there before connecting it again",
	},
	{
		Code:       CodeClusterNotReady,
		Meaning:    "Elasticsearch answered `GET /` without a cluster uuid (`_na_` or empty): the cluster has not formed",
		ErrorTypes: []string{ElasticsearchUnavailable},
		Do:         "mend the cluster's discovery until `GET /` names a `cluster_uuid` (a master elected, the state recovered); the agent retries",
	},
	{
		Code:       CodeLicenseExpired,
		Meaning:    "Elastic Cloud's answer to the registration: the cluster's license is not active",
		ErrorTypes: []string{LicenseInactive},
		Do:         "renew or activate the license until `GET /_license` says `active`",
	},
	{
		Code:    CodeLicenseUsedByAnotherAccount,
		Meaning: "Elastic Cloud's answer to the registration: the cluster's license belongs to another Elastic Cloud account",
		Do:      "connect the cluster with an API key of the account that holds the license, or ask Elastic to move it",
	},
	{
		Code:    CodeVersionMismatch,
		Meaning: "Elastic Cloud's answer to the registration about the versions it was sent",
		Do:      "use a supported agent version (warning `agent_version_unsupported`) and Elasticsearch 7.17.0 or newer",
	},
	{
		Code:       CodeUnknownError,
		Meaning:    "the agent failed other than on an HTTP request, such as its check of Elasticsearch's version",
		ErrorTypes: []string{UnsupportedVersion},
		Do:         "`unsupported_version`: upgrade Elasticsearch to 7.17.0 or newer; otherwise read the agent's log",
	},
	{
		Code:     CodeLicenseTypeNotSupported,
		Meaning:  "\"Failed to register Cloud Connected Mode\": agents 9.1.0 to 9.2.3 register only enterprise and trial licenses",
		Warnings: []string{WarnLicenseTypeUnsupported},
		Do:       "upgrade the agent to 9.2.4 or later, which leaves the license decision to Elastic Cloud",
	},
	{
		Code:    CodeHTTPOther,
		Meaning: "whatever answered gave that status: Elasticsearch, or something in its place (a proxy, a gateway, Kibana, a web server)",
		ErrorTypes: []string{
			InsufficientPrivileges, UnexpectedStatus, UnexpectedResponse, NotElasticsearch, ElasticsearchUnavailable,
			SchemeMismatch, ProxyAuthRequired, ProxyBlocked, TLSClientCertificateRequired, DNSBlocked, DNSSearchDomain, DNSSplitHorizon, Other,
			RequestBodyTooLarge,
		},
		Do: "run `autoops-probe`: the evidence names what answered; `HTTP_403` is `insufficient_privileges` when Elasticsearch said it, `HTTP_200` an answer that is not Elasticsearch's JSON",
	},
}

var httpCode = regexp.MustCompile(`^HTTP_[0-9]{1,3}$`)

// ExplainCode is the row for code, as the wizard shows it or in any case; an HTTP_<status>
// the list does not name gets the row for every other status.
func ExplainCode(code string) (AgentCode, bool) {
	code = strings.TrimSpace(code)
	for _, c := range AgentCodes {
		if strings.EqualFold(c.Code, code) {
			return c, true
		}
	}
	// The wizard's message in full names the license row too.
	if strings.Contains(strings.ToLower(code), CodeLicenseTypeNotSupported) {
		return ExplainCode(CodeLicenseTypeNotSupported)
	}
	if httpCode.MatchString(strings.ToUpper(code)) {
		return ExplainCode(CodeHTTPOther)
	}
	return AgentCode{}, false
}

// AgentCodeNames are the codes explain knows, in the table's order.
func AgentCodeNames() []string {
	names := make([]string, len(AgentCodes))
	for i, c := range AgentCodes {
		names[i] = c.Code
	}
	return names
}

// WizardTable is the README's table of the wizard's codes (TestREADMEWizardTable).
func WizardTable() string {
	var b strings.Builder
	b.WriteString("| code | what it says | verdicts behind it | what to do |\n|---|---|---|---|")
	for _, c := range AgentCodes {
		fmt.Fprintf(&b, "\n| `%s` | %s | %s | %s |", c.Code, c.Meaning, c.Behind(), c.Do)
	}
	return b.String()
}

// Behind names the verdicts and warnings behind the code, as the README and explain show them.
func (c AgentCode) Behind() string {
	var parts []string
	for _, et := range c.ErrorTypes {
		parts = append(parts, "`"+et+"`")
	}
	for _, w := range c.Warnings {
		parts = append(parts, "warning `"+w+"`")
	}
	if len(parts) == 0 {
		return "none: Elastic Cloud's answer to a registration with a valid key, which the probe never sends"
	}
	return strings.Join(parts, ", ")
}
