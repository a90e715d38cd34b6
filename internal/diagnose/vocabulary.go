package diagnose

// The contract's vocabulary (shared/design/contract.md): every error.type and warning value a
// user can alert on, and what autoops.probe.answered_by can say. Add, never rename.

// Error types of the contract.
const (
	DNSNotFound               = "dns_not_found"
	DNSError                  = "dns_error"
	ConnectionRefused         = "connection_refused"
	ConnectionTimeout         = "connection_timeout"
	NetworkUnreachable        = "network_unreachable"
	ConnectionReset           = "connection_reset"
	ResponseTimeout           = "response_timeout"
	SchemeMismatch            = "scheme_mismatch"
	TLSUnknownAuthority       = "tls_unknown_authority"
	TLSHostnameMismatch       = "tls_hostname_mismatch"
	TLSCertificateExpired     = "tls_certificate_expired"
	TLSIntercepted            = "tls_intercepted"
	TLSHandshakeFailed        = "tls_handshake_failed"
	ProxyUnreachable          = "proxy_unreachable"
	ProxyAuthRequired         = "proxy_auth_required"
	ProxyBlocked              = "proxy_blocked"
	ProxyUpstreamError        = "proxy_upstream_error"
	AuthFailed                = "auth_failed"
	AuthMissing               = "auth_missing"
	InsufficientPrivileges    = "insufficient_privileges"
	UnsupportedVersion        = "unsupported_version"
	LicenseInactive           = "license_inactive"
	ContainerNetworkIsolation = "container_network_isolation"
	UnexpectedStatus          = "unexpected_status"
	UnexpectedResponse        = "unexpected_response"
	NotElasticsearch          = "not_elasticsearch"
	TLSBlocked                = "tls_blocked"
	PathMTUBlackhole          = "path_mtu_blackhole"
	DNSBlocked                = "dns_blocked"
	DNSSearchDomain           = "dns_search_domain"
	ClockSkew                 = "clock_skew"
	ProxyAuthUnsupported      = "proxy_auth_unsupported"
	ProxySchemeMismatch       = "proxy_scheme_mismatch"
	TokenRejected             = "token_rejected"
	// v3
	TLSIncompleteChain           = "tls_incomplete_chain"
	TLSClientCertificateRequired = "tls_client_certificate_required"
	GatewayUpstreamError         = "gateway_upstream_error"
	ElasticsearchUnavailable     = "elasticsearch_unavailable"
	// v5: the agent's client
	TLSPinMismatch   = "tls_pin_mismatch"
	TLSVersionTooOld = "tls_version_too_old"
	// v5
	AuthHeaderStripped = "auth_header_stripped"
	// v5: trust anchors, DNS and address families on the path
	TLSPinnedLeafChanged     = "tls_pinned_leaf_changed"
	DNSSplitHorizon          = "dns_split_horizon"
	AddressFamilyUnreachable = "address_family_unreachable"
	// v5: what users meet on the path
	ProxyPortRefused       = "proxy_port_refused"
	ProxyParentUnreachable = "proxy_parent_unreachable"
	RequestBodyTooLarge    = "request_body_too_large"
	ConnectionClosedIdle   = "connection_closed_idle"
	// Other is semconv's fallback: nothing else explains the evidence, which is quoted.
	Other = "_OTHER"
)

// Warnings of the contract.
const (
	WarnSuperuser      = "superuser_credentials"
	WarnCANotNeeded    = "ca_not_needed"
	WarnHTTPSProxy     = "https_proxy_missing"
	WarnAPIKeyEncoded  = "api_key_encoded_form"
	WarnLegacyOTLPHost = "legacy_otlp_host"
	WarnClockSkew      = "clock_skew"
	WarnNoProxyIgnored = "no_proxy_ignored"
	WarnUnknownRegion  = "unknown_region"
	// v3
	WarnLicenseTypeUnsupported = "license_type_unsupported"
	// The findings of agent_config, as warnings of the probe they affect.
	WarnAgentCAOnSomeModules      = "agent_ca_on_some_modules"
	WarnAgentCANotAList           = "agent_ca_not_a_list"
	WarnAgentCAFileUnusable       = "agent_ca_file_unusable"
	WarnAgentEnvUnset             = "agent_env_unset"
	WarnAgentBothAuth             = "agent_both_auth"
	WarnAgentTokenHeaderMissing   = "agent_token_header_missing"
	WarnAgentVerificationDisabled = "agent_verification_disabled"
	WarnAgentModulesDisagree      = "agent_modules_disagree"
	// v4: the agent's version, decided by the agent model (internal/agentconfig).
	WarnAPIKeyDoubleEncoded     = "api_key_double_encoded"
	WarnAgentIgnoresVariables   = "agent_ignores_variables"
	WarnAgentVersionUnsupported = "agent_version_unsupported"
	// v4: proxies as Go reads them.
	WarnAllProxyIgnored  = "all_proxy_ignored"
	WarnProxyEnvConflict = "proxy_env_conflict"
	// v5: the agent's client.
	WarnCNOnlyCertificate              = "cn_only_certificate"
	WarnAgentHostnameUncheckedViaProxy = "agent_hostname_unchecked_via_proxy"
	WarnRedirected                     = "redirected"
	// v5: what the agent reads before it connects, decided by the agent model.
	WarnAgentDropinLineIgnored    = "agent_dropin_line_ignored"
	WarnAgentEnvValueNotAString   = "agent_env_value_not_a_string"
	WarnAgentValueTrailingNewline = "agent_value_trailing_newline"
	WarnAgentRegistrationSkipped  = "agent_registration_skipped"
	WarnAgentRegistrationDisabled = "agent_registration_disabled"
	// v5: trust anchors and address families on the path.
	WarnCAFilePinsLeaf    = "ca_file_pins_leaf"
	WarnDualStackFallback = "dual_stack_fallback"
)

// What answered at the cluster endpoint when it was not Elasticsearch
// (autoops.probe.answered_by).
const (
	AnsweredByKibana        = "kibana"
	AnsweredByOpenSearch    = "opensearch"
	AnsweredByTransportPort = "transport_port"
	AnsweredByWebServer     = "web_server"
	AnsweredByUnknown       = "unknown"
)

// ErrorTypes are the contract's error.type values in its order.
var ErrorTypes = []string{
	DNSNotFound,
	DNSError,
	ConnectionRefused,
	ConnectionTimeout,
	NetworkUnreachable,
	ConnectionReset,
	ResponseTimeout,
	SchemeMismatch,
	TLSUnknownAuthority,
	TLSHostnameMismatch,
	TLSCertificateExpired,
	TLSIntercepted,
	TLSHandshakeFailed,
	ProxyUnreachable,
	ProxyAuthRequired,
	ProxyBlocked,
	ProxyUpstreamError,
	AuthFailed,
	AuthMissing,
	InsufficientPrivileges,
	UnsupportedVersion,
	LicenseInactive,
	ContainerNetworkIsolation,
	UnexpectedStatus,
	UnexpectedResponse,
	NotElasticsearch,
	TLSBlocked,
	PathMTUBlackhole,
	DNSBlocked,
	DNSSearchDomain,
	ClockSkew,
	ProxyAuthUnsupported,
	ProxySchemeMismatch,
	TokenRejected,
	TLSIncompleteChain,
	TLSClientCertificateRequired,
	GatewayUpstreamError,
	ElasticsearchUnavailable,
	TLSPinMismatch,
	TLSVersionTooOld,
	AuthHeaderStripped,
	TLSPinnedLeafChanged,
	DNSSplitHorizon,
	AddressFamilyUnreachable,
	ProxyPortRefused,
	ProxyParentUnreachable,
	RequestBodyTooLarge,
	ConnectionClosedIdle,
	Other,
}

// Warnings are the contract's autoops.probe.warning values in its order.
var Warnings = []string{
	WarnSuperuser,
	WarnCANotNeeded,
	WarnHTTPSProxy,
	WarnAPIKeyEncoded,
	WarnLegacyOTLPHost,
	WarnClockSkew,
	WarnNoProxyIgnored,
	WarnUnknownRegion,
	WarnLicenseTypeUnsupported,
	WarnAgentCAOnSomeModules,
	WarnAgentCANotAList,
	WarnAgentCAFileUnusable,
	WarnAgentEnvUnset,
	WarnAgentBothAuth,
	WarnAgentTokenHeaderMissing,
	WarnAgentVerificationDisabled,
	WarnAgentModulesDisagree,
	WarnAPIKeyDoubleEncoded,
	WarnAgentIgnoresVariables,
	WarnAgentVersionUnsupported,
	WarnAllProxyIgnored,
	WarnProxyEnvConflict,
	WarnCNOnlyCertificate,
	WarnAgentHostnameUncheckedViaProxy,
	WarnRedirected,
	WarnAgentDropinLineIgnored,
	WarnAgentEnvValueNotAString,
	WarnAgentValueTrailingNewline,
	WarnAgentRegistrationSkipped,
	WarnAgentRegistrationDisabled,
	WarnCAFilePinsLeaf,
	WarnDualStackFallback,
}
