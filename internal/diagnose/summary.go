package diagnose

import (
	"fmt"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// Summary says what failed (or passed) and the evidence seen, in one or two sentences.
func (v *Verdict) Summary() string {
	title := v.Probe.Title()
	if !v.Passed {
		return fmt.Sprintf("%s failed [%s]: %s.%s", title, v.ErrorType, v.Evidence, v.Route)
	}
	passed := fmt.Sprintf("%s passed: %s", title, v.Evidence)
	if len(v.Warnings) > 0 {
		passed += ", with warnings: " + strings.Join(v.Warnings, ", ")
	}
	return passed + "." + v.Route
}

// RoleInstruction introduces RoleDefinition ("" without one).
func (v *Verdict) RoleInstruction() string {
	if v.RoleDefinition == "" {
		return ""
	}
	return "Ready to paste in Kibana's Dev Tools, then add the role " + answers.RoleName + " to the user or API key:"
}

// FullRemedy is the remedy with the role to create, as the log's autoops.probe.remedy says it.
func (v *Verdict) FullRemedy() string {
	if v.RoleDefinition == "" {
		return v.Remedy
	}
	return v.Remedy + " " + v.RoleInstruction() + " " + v.RoleDefinition
}

// route says which way the request went when the proxy variables had a say, and why: the
// NO_PROXY entry that matched, Go's loopback rule, or the variable the proxy came from. It
// claims only what the route's evidence shows.
func route(ev *probe.Evidence) string {
	switch ev.ProxySource {
	case probe.SourceNoProxy:
		return fmt.Sprintf(" %s is set, and the NO_PROXY entry %q covers %s: the request went direct.", ev.ProxyVariable, ev.NoProxyEntry, ev.ServerAddress)
	case probe.SourceLoopback:
		return fmt.Sprintf(" %s is set, but Go never proxies %s (localhost and loopback addresses): the request went direct.", ev.ProxyVariable, ev.ServerAddress)
	case probe.SourceNone:
		if ev.ProxyVariable != "" {
			return fmt.Sprintf(" %s is set, but Go cannot read it as a proxy URL and ignores it: the request went direct.", ev.ProxyVariable)
		}
		return ""
	case "", probe.SourceProxyURL:
		return ""
	}
	// Through a proxy from a variable: the guide's "configure NO_PROXY" row is the cluster's.
	if ev.Probe != probe.Cluster || ev.Proxy == "" {
		return ""
	}
	if entry := noProxyIgnored(ev); entry != "" {
		return fmt.Sprintf(" NO_PROXY lists %q, which looks meant for %s but which Go ignores, so the request went through the proxy %s (%s).", entry, ev.ServerAddress, ev.Proxy, ev.ProxySource)
	}
	if ev.NoProxy != "" {
		return fmt.Sprintf(" NO_PROXY does not cover %s, so the request went through the proxy %s (%s).", ev.ServerAddress, ev.Proxy, ev.ProxySource)
	}
	return fmt.Sprintf(" NO_PROXY is not set, so the request went through the proxy %s (%s).", ev.Proxy, ev.ProxySource)
}

func passEvidence(j *judgement) string {
	ev := j.ev
	status := 0
	if ev.Main.Response != nil {
		status = ev.Main.Response.Status
	}
	switch ev.Probe {
	case probe.Cluster:
		said := fmt.Sprintf("%s answered %d as Elasticsearch", ev.URL, status)
		// The license type is named whatever the agent's version makes of it: the log record
		// and the report show it.
		if lic := j.license(); lic != nil {
			said += ", license " + strings.TrimPrefix(lic.Type+", "+lic.Status, ", ")
		}
		return said
	case probe.Registration:
		return fmt.Sprintf("%s answered %d 'Invalid credential headers', as expected without credentials", ev.URL, status)
	}
	if ev.TokenSent {
		return fmt.Sprintf("%s answered %d to otlp.token: the intake accepts the token and refused only the empty body", ev.URL, status)
	}
	return fmt.Sprintf("%s answered %d 'no auth provided', as expected without credentials", ev.URL, status)
}

// remedyText joins the remedy of the failure's row and of each warning.
func remedyText(cluster bool, remedyRow string, warns []string) string {
	var parts []string
	if remedyRow != "" {
		parts = append(parts, Remedy(remedyRow, cluster))
	}
	for _, w := range warns {
		parts = append(parts, WarningRemedy(w, cluster))
	}
	return strings.Join(parts, " ")
}
