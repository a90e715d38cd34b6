package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
	autoopsreceiver "github.com/autoopsprobe/autoops-probe/receiver"
)

// Exit statuses: all passed; any failed; only warnings or skipped probes.
const (
	exitPassed  = 0
	exitFailed  = 1
	exitWarned  = 2
	exitUsage   = 3
	probeTotal  = 3
	reportWidth = 100
)

func exitStatus(results []autoopsreceiver.Result) int {
	status := exitPassed
	if len(results) < probeTotal {
		status = exitWarned
	}
	for i := range results {
		v := &results[i].Verdict
		if !v.Passed {
			return exitFailed
		}
		if len(v.Warnings) > 0 {
			status = exitWarned
		}
	}
	return status
}

// writeText prints one block per probe: a person reads it in ten seconds.
func writeText(w io.Writer, results []autoopsreceiver.Result, now time.Time) {
	passed, failed, warned := 0, 0, 0
	for i := range results {
		switch v := &results[i].Verdict; {
		case !v.Passed:
			failed++
		case len(v.Warnings) > 0:
			warned++
		default:
			passed++
		}
	}
	fmt.Fprintf(w, "AutoOps connectivity: %d passed, %d with warnings, %d failed, %d skipped\n",
		passed, warned, failed, probeTotal-len(results))
	for i := range results {
		writeBlock(w, &results[i], now)
	}
}

// routeLine says which way the request went and why, as Go decided it: the proxy with the
// variable or key it came from, or the reason it went direct.
func routeLine(ev *probe.Evidence) string {
	switch ev.ProxySource {
	case probe.SourceProxyURL:
		return "through proxy " + ev.Proxy + " (proxy_url)"
	case probe.SourceNoProxy:
		return fmt.Sprintf("direct: the NO_PROXY entry %q covers %s (%s would apply otherwise)", ev.NoProxyEntry, ev.ServerAddress, ev.ProxyVariable)
	case probe.SourceLoopback:
		return fmt.Sprintf("direct: Go never proxies localhost or loopback addresses (%s is set)", ev.ProxyVariable)
	case probe.SourceNone:
		if ev.ProxyVariable != "" {
			return "direct: " + ev.ProxyVariable + " is set, but Go cannot read it as a proxy URL and ignores it"
		}
		if strings.HasPrefix(ev.URL, "https:") {
			return "direct: neither HTTPS_PROXY nor https_proxy is set"
		}
		return "direct: neither HTTP_PROXY nor http_proxy is set"
	}
	switch {
	case ev.ProxySource == "":
		return ""
	case ev.Proxy == "":
		return "none: " + ev.ProxySource + " is not a proxy URL Go can use"
	}
	return "through proxy " + ev.Proxy + " (" + ev.ProxySource + ")"
}

func writeBlock(w io.Writer, r *autoopsreceiver.Result, now time.Time) {
	ev, v := &r.Evidence, &r.Verdict
	mark, headline := "PASS", ev.Probe.Title()
	switch {
	case !v.Passed:
		mark, headline = "FAIL", headline+": "+v.ErrorType
	case len(v.Warnings) > 0:
		mark, headline = "WARN", headline+": "+strings.Join(v.Warnings, ", ")
	}
	fmt.Fprintf(w, "\n[%s] %s\n", mark, headline)
	field := func(name, value string) {
		if value != "" {
			fmt.Fprint(w, wrap(fmt.Sprintf("  %-9s ", name), value))
		}
	}
	field("url", ev.URL)
	field("route", routeLine(ev))
	if len(r.SettingsFrom) > 0 {
		field("settings", strings.Join(r.SettingsFrom, "; "))
	}
	if ev.Main.Response != nil {
		field("status", fmt.Sprintf("HTTP %d", ev.Main.Response.Status))
	} else {
		field("stopped", "during "+stoppedPhase(r)+", no response")
	}
	field("trust", trustLine(ev))
	if c := v.Facts.Certificate; c != nil {
		field("cert", fmt.Sprintf("%s, issued by %s, expires %s (%s)", c.Subject, c.Issuer,
			c.NotAfter.UTC().Format("2006-01-02"), remaining(c.NotAfter.Sub(now))))
	}
	field("timings", timings(ev))
	field("evidence", v.Evidence+"."+v.Route)
	if len(v.Facts.MissingPrivileges) > 0 {
		field("missing", strings.Join(v.Facts.MissingPrivileges, ", "))
	}
	if !v.Passed {
		field("wizard", wizardLine(ev.Probe, v.AgentErrorCode))
	}
	field("remedy", strings.TrimSpace(v.Remedy+" "+v.RoleInstruction()))
	if v.RoleDefinition != "" {
		// On its own lines, unwrapped, so it pastes as it is.
		fmt.Fprintf(w, "  role      %s\n", v.RoleDefinition)
	}
	if !v.Passed {
		field("guide", v.Guide)
	}
}

// trustLine says, for a TLS endpoint, what the certificate was checked against and how, as the
// plan decided it (the agent's check, or Go's).
func trustLine(ev *probe.Evidence) string {
	c := ev.Client
	if !strings.HasPrefix(ev.URL, "https://") || c.RootsSource == "" {
		return ""
	}
	check := "Go's check of the chain and the host name"
	switch {
	case c.Mode == probe.VerifyNone:
		check = "no check (verification_mode none)"
	case c.Mode == probe.VerifyCertificate:
		check = "the chain only (verification_mode certificate)"
	case c.AgentTLS && c.CheckedHost == "":
		check = "the agent's check: the chain only (through a proxy it has no host to compare)"
	case c.AgentTLS:
		check = "the agent's check: the chain, then the host (the Common Name when there is no DNS name)"
	}
	return "roots from " + c.RootsSource + "; " + check
}

// wizardLine says which of the wizard's codes the failure is. The intake's failures never
// reach the wizard: the agent's error events travel through that intake.
func wizardLine(name probe.Name, code string) string {
	if name == probe.OTLP {
		return code + ": this failure in the agent's terms; the wizard never sees the intake's failures (autoops-probe explain " + code + ")"
	}
	return code + ": the code the AutoOps agent would report, as Elastic's wizard shows it (autoops-probe explain " + code + ")"
}

// stoppedPhase names the phase a request that got no response stopped in.
func stoppedPhase(r *autoopsreceiver.Result) string {
	p := r.Evidence.Main.Progress
	switch {
	case strings.HasPrefix(r.Verdict.ErrorType, "dns_"):
		return probe.PhaseDNS
	case !p.Connected:
		return probe.PhaseConnect
	case p.TLSStarted && !p.TLSDone:
		return probe.PhaseTLS
	case !p.FirstByte:
		return probe.PhaseRequest
	}
	return probe.PhaseTransfer
}

func timings(ev *probe.Evidence) string {
	parts := make([]string, 0, len(ev.Main.Phases)+1)
	for _, ph := range ev.Main.Phases {
		parts = append(parts, fmt.Sprintf("%s %s", ph.Phase, ms(ph.Duration)))
	}
	parts = append(parts, "total "+ms(ev.Duration))
	return strings.Join(parts, ", ")
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func remaining(d time.Duration) string {
	if d < 0 {
		return fmt.Sprintf("expired %d days ago", int(-d.Hours()/24))
	}
	return fmt.Sprintf("%d days left", int(d.Hours()/24))
}

// wrap prints value after label, folding long lines under the label's indent.
func wrap(label, value string) string {
	indent := strings.Repeat(" ", len(label))
	var b strings.Builder
	line := label
	for _, word := range strings.Fields(value) {
		if len(line)+len(word)+1 > reportWidth && strings.TrimSpace(line) != strings.TrimSpace(label) && len(line) > len(label) {
			b.WriteString(strings.TrimRight(line, " ") + "\n")
			line = indent
		}
		line += word + " "
	}
	b.WriteString(strings.TrimRight(line, " ") + "\n")
	return b.String()
}

// schemaVersion is the version of the JSON output's schema (autoops-probe.schema.json).
const schemaVersion = 1

// writeFindings prints the findings about the agent's configuration, before the probes.
func writeFindings(w io.Writer, findings []agentconfig.Finding) {
	if len(findings) == 0 {
		return
	}
	fmt.Fprintf(w, "Agent configuration: %d finding(s)\n", len(findings))
	for _, f := range findings {
		fmt.Fprintf(w, "\n[CONFIG] %s\n", f.Finding)
		fmt.Fprint(w, wrap(fmt.Sprintf("  %-9s ", "key"), f.Key))
		fmt.Fprint(w, wrap(fmt.Sprintf("  %-9s ", "problem"), f.Message))
		fmt.Fprint(w, wrap(fmt.Sprintf("  %-9s ", "remedy"), f.Remedy))
	}
	fmt.Fprintln(w)
}

// writeAgentVersion names the agent version the warnings were judged with, where it is known.
func writeAgentVersion(w io.Writer, v agentconfig.Version, from string) {
	switch {
	case !v.Known():
	case from != "":
		fmt.Fprintf(w, "Agent version: %s (read from %s)\n\n", v, from)
	default:
		fmt.Fprintf(w, "Agent version: %s (--agent-version)\n\n", v)
	}
}

// writeJSON prints the same facts under the contract's names.
func writeJSON(w io.Writer, results []autoopsreceiver.Result, findings []agentconfig.Finding, v agentconfig.Version, versionFrom string) error {
	out := make([]map[string]any, 0, len(results))
	for i := range results {
		r := &results[i]
		m := autoopsreceiver.ResultAttributes(r)
		m["summary"] = r.Verdict.Summary()
		m["autoops.probe.duration"] = r.Evidence.Duration.Seconds()
		phases := map[string]float64{}
		for _, ph := range r.Evidence.Main.Phases {
			phases[ph.Phase] = ph.Duration.Seconds()
		}
		m["autoops.probe.phase.duration"] = phases
		if r.Evidence.Main.Response == nil {
			m["autoops.probe.stopped_phase"] = stoppedPhase(r)
		}
		out = append(out, m)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	doc := map[string]any{"schema_version": schemaVersion, "results": out, "exit_status": exitStatus(results)}
	if findings != nil {
		doc["config_findings"] = findings
	}
	if v.Known() {
		version := map[string]any{"version": v.String()}
		if versionFrom != "" {
			version["read_from"] = versionFrom
		}
		doc["agent_version"] = version
	}
	return enc.Encode(doc)
}
