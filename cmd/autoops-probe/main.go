// Command autoops-probe runs the AutoOps connectivity probes once, with the same probe and
// diagnosis code as the autoops_probe receiver, and prints a report: for the moment of
// installation, inside the pod or container where the agent will run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	autoopsreceiver "github.com/autoopsprobe/autoops-probe/receiver"
)

// version is stamped by `make build` (-X main.version=...), as the distribution's.
var version = "dev"

func main() {
	// An interrupt ends the run without a verdict rather than reporting the interruption as
	// a network failure.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("autoops-probe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o overrides
	configPath := fs.String("config", "", "collector config file to probe exactly what it configures (default: the AutoOps agent's variables)")
	receiverID := fs.String("receiver", "autoops_probe", "receiver id in --config, e.g. autoops_probe/prod")
	format := fs.String("format", "text", "text or json")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.StringVar(&o.esURL, "es-url", "", "Elasticsearch URL (overrides AUTOOPS_ES_URL)")
	fs.StringVar(&o.esCA, "es-ca", "", "CA file for the cluster (overrides AUTOOPS_ES_CA)")
	fs.StringVar(&o.otelURL, "otel-url", "", "AutoOps intake URL (overrides AUTOOPS_OTEL_URL)")
	fs.StringVar(&o.registrationURL, "registration-url", "", "registration base URL (overrides ELASTIC_CLOUD_CONNECTED_MODE_API_URL)")
	fs.StringVar(&o.region, "region", "", "AutoOps region, used when no intake URL is set")
	fs.StringVar(&o.csp, "csp", "", "aws or gcp, used when no intake URL is set")
	fs.DurationVar(&o.timeout, "timeout", 0, "timeout of each probe (default 10s)")
	fs.StringVar(&o.skip, "skip", "", "comma-separated probes not to run: cluster, registration, otlp")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: autoops-probe [flags]\n\nRuns the three tests of the AutoOps firewall guide once. Credentials come from\nAUTOOPS_ES_API_KEY or AUTOOPS_ES_USERNAME/AUTOOPS_ES_PASSWORD (or the config file), never flags.\nExit status: 0 all passed, 1 a probe failed, 2 warnings or skipped probes, 3 bad usage,\n4 interrupted before a verdict.\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 3
	}
	if *showVersion {
		fmt.Fprintln(stdout, "autoops-probe version", version)
		return 0
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "--format: %q is not text or json\n", *format)
		return 3
	}
	cfg, err := loadConfig(ctx, *configPath, *receiverID, o)
	if err != nil {
		fmt.Fprintln(stderr, "autoops-probe:", err)
		return 3
	}
	results, err := autoopsreceiver.RunOnce(ctx, cfg, component.TelemetrySettings{Logger: zap.NewNop()})
	if errors.Is(err, autoopsreceiver.ErrRunCutShort) {
		fmt.Fprintln(stderr, "autoops-probe: interrupted before the probes finished; no verdict")
		return 4
	}
	if err != nil {
		fmt.Fprintln(stderr, "autoops-probe: invalid configuration:", err)
		return 3
	}
	if *format == "json" {
		if err := writeJSON(stdout, results); err != nil {
			fmt.Fprintln(stderr, "autoops-probe:", err)
			return 3
		}
	} else {
		writeText(stdout, results, time.Now())
	}
	return exitStatus(results)
}
