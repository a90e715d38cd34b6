package diagnose

import (
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// The types the rules, warnings and remedies share with Diagnose: they live below every file
// of the package, so a rule file never points back up to diagnose.go.

// Context is what the diagnosis needs to know besides the evidence: the configuration.
type Context struct {
	// Credentials is "api_key", "basic" or "" (none configured).
	Credentials   string
	APIKeyEncoded bool
	// UnknownRegion: the otlp region or CSP is not on the published list.
	UnknownRegion bool
	// AgentFindings are the warnings the agent's configuration earned this probe: agent_*
	// findings of its file, and the version rules' (api_key_double_encoded,
	// agent_ignores_variables, agent_version_unsupported), decided by internal/agentconfig.
	AgentFindings []string
	// AgentRefusesLicenseType: the agent's version is known and its registration refuses
	// license types other than enterprise and trial (before 9.2.4): only then is another type
	// license_type_unsupported; otherwise the passing evidence names the type.
	AgentRefusesLicenseType bool
	// AsAgentRegisters: the registration probe is built as the agent registers (Go's default
	// client: proxy from the environment, system roots only); its remedies say that the
	// module's CA and proxy_url do not apply there.
	AsAgentRegisters bool
	// PreviousSilence is, for the receiver's instance, how long the previous run of this
	// probe stayed silent before its connection was closed without an answer (ClosedSilence;
	// 0 when it ended otherwise, or there was none).
	PreviousSilence time.Duration
	// CredentialTrailingNewline names the variable or key whose credential value ends with a
	// newline ("" when none does): a 401 is then that newline's doing.
	CredentialTrailingNewline string
}

// Credential kinds of Context.Credentials.
const (
	CredentialsAPIKey = "api_key"
	CredentialsBasic  = "basic"
)

// Verdict is the outcome of one probe run, in separate fields that the log, the metrics and
// the one-shot report each compose as they need.
type Verdict struct {
	Probe     probe.Name
	Passed    bool
	ErrorType string // empty when passed
	// AgentErrorCode is the code the agent would report for the failure, as Elastic's
	// wizard shows it (autoops.agent.error_code; empty when passed).
	AgentErrorCode string
	Warnings       []string // sorted
	// Evidence is what was seen, in one sentence without its final stop: why it failed, or
	// why it passed.
	Evidence string
	// Route says which way the request went when proxy variables had a say ("" otherwise).
	Route string
	// Remedy is what to do: for the failure, then for each warning.
	Remedy string
	// Guide names the row of the guide (or the field fact) the failure's remedy rests on.
	Guide string
	// RoleDefinition is the request creating a role with exactly what is missing
	// (insufficient_privileges), ready to paste.
	RoleDefinition string
	Facts          Facts
}

// Facts are details worth logging and exporting.
type Facts struct {
	// AnsweredBy names what answered instead of Elasticsearch (not_elasticsearch).
	AnsweredBy        string
	Cluster           *answers.Root
	MissingPrivileges []string
	Certificate       *Certificate
	// EarliestExpirySubject is the subject of the presented certificate that expires first
	// (autoops.probe.tls.earliest_expiry.subject).
	EarliestExpirySubject string
	// AnchorSubject is the subject of the root the verified chain ended at
	// (autoops.probe.tls.anchor.subject): the CA setting's certificate, or a system root.
	AnchorSubject string
	Location      string
	InContainer   bool
	// ProxyParent is the parent proxy a proxy said it could not reach, as its page names it
	// (autoops.probe.proxy.parent; proxy_parent_unreachable).
	ProxyParent string
	// BodySize is the size of the batch-sized POST that was refused
	// (autoops.probe.request.body_size; request_body_too_large).
	BodySize int64
}

// Certificate describes the server certificate seen, verified or not.
type Certificate struct {
	Issuer, Subject string
	DNSNames        []string
	NotAfter        time.Time
	SHA256          string
}
