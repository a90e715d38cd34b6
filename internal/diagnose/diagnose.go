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

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
	scrubpkg "github.com/autoopsprobe/autoops-probe/internal/scrub"
)

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
	v.AgentErrorCode = agentErrorCode(j, v.ErrorType)
	if server := j.judgedServer(v.ErrorType); !v.Passed && server != "" {
		v.Evidence += fmt.Sprintf(" (Server: %q)", server)
	}
	if v.Passed {
		v.Evidence = passEvidence(j)
	}
	for _, note := range []string{pinnedLeafNote(j), dualStackNote(j)} {
		if note != "" {
			v.Evidence += "; " + note
		}
	}
	if to := redirectedTo(ev); to != "" {
		// The agent's module followed it: the verdict is the final answer's.
		v.Evidence += " (after a redirect to " + to + ")"
	}
	switch v.ErrorType {
	case NotElasticsearch:
		v.Facts.AnsweredBy = j.answeredByWho()
	case InsufficientPrivileges:
		v.Facts.MissingPrivileges = j.missingPrivileges()
	case ProxyParentUnreachable:
		_, v.Facts.ProxyParent = j.proxyParent()
	case RequestBodyTooLarge:
		v.Facts.BodySize = ev.Batch.Size
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
	f.AnchorSubject = scrub(f.AnchorSubject)
	f.ProxyParent = scrub(f.ProxyParent)
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
		f.EarliestExpirySubject = describeCertificate(first).Subject // described once per certificate
	}
	f.AnchorSubject = ev.Main.AnchorSubject
	if r := ev.Main.Response; r != nil && r.Status >= 300 && r.Status < 400 {
		f.Location = probe.RedactURL(r.Location)
	}
	if root, ok := j.root(); ok {
		f.Cluster = &root
	}
	return f
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
