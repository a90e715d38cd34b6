package diagnose

import (
	"fmt"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

var probeTitles = map[probe.Name]string{
	probe.Cluster:      "Elasticsearch cluster (test 1)",
	probe.Registration: "Elastic Cloud registration (test 2)",
	probe.OTLP:         "AutoOps OTLP intake (test 3)",
}

func summarize(ev *probe.Evidence, f failure, warns []string) string {
	title := probeTitles[ev.Probe]
	if f.errorType != "" {
		return fmt.Sprintf("%s failed [%s]: %s.%s", title, f.errorType, f.evidence, route(ev))
	}
	passed := fmt.Sprintf("%s passed: %s", title, passEvidence(ev))
	if len(warns) > 0 {
		passed += ", with warnings: " + strings.Join(warns, ", ")
	}
	return passed + "." + route(ev)
}

// route says which way the request went when the proxy variables had a say: the guide's
// "configure NO_PROXY" row depends on it for the cluster.
func route(ev *probe.Evidence) string {
	if !ev.ProxyFromEnv || ev.Probe != probe.Cluster {
		return ""
	}
	if ev.NoProxyCovers {
		return fmt.Sprintf(" Proxy variables are set, and NO_PROXY covers %s: the request went direct.", ev.ServerAddress)
	}
	if entry := noProxyIgnored(ev); entry != "" {
		return fmt.Sprintf(" NO_PROXY lists %q, which looks meant for %s but which Go ignores, so the request went through the proxy %s.", entry, ev.ServerAddress, ev.Proxy)
	}
	return fmt.Sprintf(" NO_PROXY does not cover %s, so the request went through the proxy %s.", ev.ServerAddress, ev.Proxy)
}

func passEvidence(ev *probe.Evidence) string {
	status := 0
	if ev.Main.Response != nil {
		status = ev.Main.Response.Status
	}
	switch ev.Probe {
	case probe.Cluster:
		return fmt.Sprintf("%s answered %d as Elasticsearch", ev.URL, status)
	case probe.Registration:
		return fmt.Sprintf("%s answered %d 'Invalid credential headers', as expected without credentials", ev.URL, status)
	}
	if ev.TokenSent {
		return fmt.Sprintf("%s answered %d to otlp.token: the intake accepts the token and refused only the empty body", ev.URL, status)
	}
	return fmt.Sprintf("%s answered %d 'no auth provided', as expected without credentials", ev.URL, status)
}

// remedyText joins the remedy of the failure and of each warning.
func remedyText(cluster bool, errorType string, warns []string) string {
	var parts []string
	if errorType != "" {
		parts = append(parts, Remedy(errorType, cluster))
	}
	for _, w := range warns {
		parts = append(parts, WarningRemedy(w, cluster))
	}
	return strings.Join(parts, " ")
}
