// Package diagnose turns a probe's Evidence into a Verdict: passed or not, one contract
// error.type, warnings, and the remedy. It is pure: the same evidence gives the same verdict.
// The precedence of causes is the ordered table in rules.go.
package diagnose

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
	scrubpkg "github.com/autoopsprobe/autoops-probe/internal/scrub"
)

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
	ErrorType string   // empty when passed
	Warnings  []string // sorted
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
	Location              string
	InContainer           bool
}

// Certificate describes the server certificate seen, verified or not.
type Certificate struct {
	Issuer, Subject string
	DNSNames        []string
	NotAfter        time.Time
	SHA256          string
}

// Diagnose explains ev: the first rule that matches, wrapped by the overrides that match,
// else a pass.
func Diagnose(ev *probe.Evidence, c Context) Verdict {
	j := newJudgement(ev, c)
	v := Verdict{Probe: ev.Probe, Warnings: warnings(j), Facts: facts(j)}
	remedyRow := ""
	for _, r := range rules {
		if evidence, ok := r.match(j); ok {
			v.ErrorType, v.Evidence, remedyRow = r.errorType, evidence, r.errorType
			if r.variant != nil {
				if row := r.variant(j); row != "" {
					remedyRow = row
				}
			}
			break
		}
	}
	if v.ErrorType != "" {
		for i := len(overrides) - 1; i >= 0; i-- {
			if evidence, ok := overrides[i].match(j); ok {
				v.ErrorType, v.Evidence = overrides[i].errorType, evidence+" (then: "+v.Evidence+")"
				remedyRow = v.ErrorType
			}
		}
	}
	v.Passed = v.ErrorType == ""
	if server := j.judgedServer(v.ErrorType); !v.Passed && server != "" {
		v.Evidence += fmt.Sprintf(" (Server: %q)", server)
	}
	if v.Passed {
		v.Evidence = passEvidence(j)
	}
	switch v.ErrorType {
	case NotElasticsearch:
		v.Facts.AnsweredBy = j.answeredByWho()
	case InsufficientPrivileges:
		v.Facts.MissingPrivileges = j.missingPrivileges()
	}
	v.Route = route(ev)
	scrubVerdict(&v, ev)
	if v.ErrorType == InsufficientPrivileges {
		v.RoleDefinition = answers.RoleRequest(v.Facts.MissingPrivileges)
	}
	v.Remedy = remedyText(j.cluster(), remedyRow, v.Warnings)
	if !v.Passed {
		v.Guide = GuideRow(remedyRow, j.cluster())
	}
	return v
}

// scrubVerdict passes everything of the verdict taken from an answer or an error through the
// probe's scrubber: the evidence sentence (Go's errors quote URLs as given, a malformed
// HTTPS_PROXY say, and some quote what the server sent), the route, and the facts (the
// cluster's names become resource attributes; a certificate's subject, issuer and names are
// the server's to choose, and may carry an echoed header). Remedies are the table's own text.
func scrubVerdict(v *Verdict, ev *probe.Evidence) {
	scrub := func(s string) string {
		s = probe.ScrubUserinfo(s)
		if ev.Redact != nil {
			s = ev.Redact(s)
		}
		return scrubpkg.Control(s) // a terminal reads logs, metrics and the report too
	}
	v.Evidence, v.Route = scrub(v.Evidence), scrub(v.Route)
	f := &v.Facts
	f.AnsweredBy, f.Location, f.EarliestExpirySubject = scrub(f.AnsweredBy), scrub(f.Location), scrub(f.EarliestExpirySubject)
	f.MissingPrivileges = scrubAll(f.MissingPrivileges, scrub)
	if f.Cluster != nil {
		c := *f.Cluster
		c.Name, c.ClusterName, c.ClusterUUID, c.Version.Number = scrub(c.Name), scrub(c.ClusterName), scrub(c.ClusterUUID), scrub(c.Version.Number)
		f.Cluster = &c
	}
	if c := f.Certificate; c != nil {
		c.Issuer, c.Subject, c.DNSNames = scrub(c.Issuer), scrub(c.Subject), scrubAll(c.DNSNames, scrub)
	}
}

func scrubAll(list []string, scrub func(string) string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = scrub(s)
	}
	return out
}

// facts are what the log reports whatever the verdict.
func facts(j *judgement) Facts {
	ev := j.ev
	f := Facts{InContainer: ev.InContainer}
	if cert := ev.LeafCertificate(); cert != nil {
		f.Certificate = describeCertificate(cert)
	}
	if first := ev.EarliestExpiry(); first != nil {
		f.EarliestExpirySubject = scrubpkg.Name(first.Subject)
	}
	if r := ev.Main.Response; r != nil && r.Status >= 300 && r.Status < 400 {
		f.Location = probe.RedactURL(r.Location)
	}
	if root, ok := j.root(); ok {
		f.Cluster = &root
	}
	return f
}

// maxClockSkew is how far an answer's Date may be from this machine's clock before the
// clock_skew warning.
const maxClockSkew = 5 * time.Minute

// clockSkewOf is how far the server's clock is ahead of this machine's (negative: behind),
// from the Date of the main answer or of the clock check; ok is false without a Date.
func clockSkewOf(ev *probe.Evidence) (time.Duration, bool) {
	for _, r := range []*probe.Response{ev.Main.Response, ev.ServerClock} {
		if r != nil && !r.Date.IsZero() && !r.ReceivedAt.IsZero() {
			return r.Date.Sub(r.ReceivedAt), true
		}
	}
	return 0, false
}

// describeCertificate describes c; a server presents the same certificate run after run, so
// the description of the last few is kept (the caller gets its own copy, which it scrubs).
func describeCertificate(c *x509.Certificate) *Certificate {
	described.Lock()
	d, ok := described.byRaw[string(c.Raw)]
	described.Unlock()
	if !ok {
		sum := sha256.Sum256(c.Raw)
		d = Certificate{
			Issuer: scrubpkg.Name(c.Issuer), Subject: scrubpkg.Name(c.Subject), DNSNames: c.DNSNames,
			NotAfter: c.NotAfter, SHA256: hex.EncodeToString(sum[:]),
		}
		described.Lock()
		if len(described.byRaw) >= maxDescribed {
			clear(described.byRaw) // many servers, or a rotating one: start again
		}
		described.byRaw[string(c.Raw)] = d
		described.Unlock()
	}
	return &d
}

// maxDescribed bounds the certificates whose description is kept.
const maxDescribed = 256

var described = struct {
	sync.Mutex
	byRaw map[string]Certificate
}{byRaw: map[string]Certificate{}}
