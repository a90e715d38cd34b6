package diagnose

import (
	"fmt"
	"strings"

	"github.com/elastic/autoops-probe/internal/probe"
)

var probeTitles = map[probe.Name]string{
	probe.Cluster:      "Elasticsearch cluster (test 1)",
	probe.Registration: "Elastic Cloud registration (test 2)",
	probe.OTLP:         "AutoOps OTLP intake (test 3)",
}

func summarize(ev *probe.Evidence, f failure, warns []string) string {
	title := probeTitles[ev.Probe]
	if f.errorType != "" {
		return fmt.Sprintf("%s failed [%s]: %s.", title, f.errorType, f.evidence)
	}
	passed := fmt.Sprintf("%s passed: %s", title, passEvidence(ev))
	if len(warns) > 0 {
		return fmt.Sprintf("%s, with warnings: %s.", passed, strings.Join(warns, ", "))
	}
	return passed + "."
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
	return fmt.Sprintf("%s answered %d 'no auth provided', as expected without credentials", ev.URL, status)
}

// remedyText joins the remedy of the failure and of each warning.
func remedyText(cluster bool, errorType string, warns []string) string {
	var parts []string
	if errorType != "" {
		parts = append(parts, Remedy(errorType, cluster))
	}
	for _, w := range warns {
		parts = append(parts, Remedy(w, cluster))
	}
	return strings.Join(parts, " ")
}
