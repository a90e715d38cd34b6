// Command autoops-probe runs the AutoOps connectivity probes once, with the same probe and
// diagnosis code as the autoops_probe receiver, and prints a report: for the moment of
// installation, inside the pod or container where the agent will run.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.uber.org/zap"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	"github.com/autoopsprobe/autoops-probe/internal/scrub"
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

// usageError reports bad usage: the problem on stderr, and with --format json an error object
// on stdout too, so a script reading stdout sees why there are no results.
func usageError(stdout, stderr io.Writer, jsonOut bool, format string, args ...any) int {
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintln(stderr, "autoops-probe:", msg)
	if jsonOut {
		_ = json.NewEncoder(stdout).Encode(map[string]any{"schema_version": schemaVersion, "error": msg, "exit_status": exitUsage})
	}
	return exitUsage
}

// configError is usageError for a configuration the agent model refused: with --format json
// the findings about the agent's configuration go beside the error.
func configError(stdout, stderr io.Writer, jsonOut bool, findings []agentconfig.Finding, format string, args ...any) int {
	if !jsonOut || len(findings) == 0 {
		return usageError(stdout, stderr, jsonOut, format, args...)
	}
	msg := fmt.Sprintf(format, args...)
	fmt.Fprintln(stderr, "autoops-probe:", msg)
	_ = json.NewEncoder(stdout).Encode(map[string]any{"schema_version": schemaVersion, "error": msg, "exit_status": exitUsage, "config_findings": findings})
	return exitUsage
}

// wantsJSON finds --format json before parsing, so that a parse error can answer in JSON.
func wantsJSON(args []string) bool {
	for i, a := range args {
		if a == "--format=json" || a == "-format=json" || (a == "--format" || a == "-format") && i+1 < len(args) && args[i+1] == "json" {
			return true
		}
	}
	return false
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// Variables, answers and certificates are others' text: nothing in them may act on the
	// terminal (JSON reads the escapes back as the same characters).
	stdout, stderr = scrub.ControlWriter(stdout), scrub.ControlWriter(stderr)
	fs := flag.NewFlagSet("autoops-probe", flag.ContinueOnError)
	jsonOut := wantsJSON(args)
	var parseErrors strings.Builder
	fs.SetOutput(&parseErrors)
	var o overrides
	configPath := fs.String("config", "", "collector config file to probe exactly what it configures (default: the AutoOps agent's variables)")
	receiverID := fs.String("receiver", "autoops_probe", "receiver id in --config, e.g. autoops_probe/prod")
	format := fs.String("format", "text", "text or json")
	showVersion := fs.Bool("version", false, "print the version and exit")
	fs.StringVar(&o.esURL, "es-url", "", "Elasticsearch URL (overrides AUTOOPS_ES_URL)")
	fs.StringVar(&o.esCA, "es-ca", "", "CA for the cluster, a file or PEM text (overrides AUTOOPS_CA_CERT and AUTOOPS_ES_CA)")
	fs.StringVar(&o.otelURL, "otel-url", "", "AutoOps intake URL (overrides AUTOOPS_OTEL_URL)")
	fs.StringVar(&o.registrationURL, "registration-url", "", "registration base URL (overrides ELASTIC_CLOUD_CONNECTED_MODE_API_URL)")
	fs.StringVar(&o.region, "region", "", "AutoOps region, used when no intake URL is set")
	fs.StringVar(&o.csp, "csp", "", "aws or gcp, used when no intake URL is set")
	fs.DurationVar(&o.timeout, "timeout", 0, "timeout of each probe (default 10s)")
	fs.StringVar(&o.skip, "skip", "", "comma-separated probes not to run: cluster, registration, otlp")
	fs.StringVar(&o.checkBatchSize, "check-batch-size", "", "also POST this many bytes to the intake (such as 4MiB, at most 16MiB), as the agent's batches, without credentials: finds a box in the path whose body limit refuses them (otlp.check_batch_size)")
	agentConfig := fs.String("agent-config", "", "the AutoOps agent's elastic-agent.yml: probe exactly what it connects with")
	fs.StringVar(&o.agentVersion, "agent-version", "", "the AutoOps agent's version, such as 9.2.5 (default: read from its installation where recorded)")
	var agentEnv envFiles
	fs.Var(&agentEnv, "agent-env", "an env file of the agent (a systemd drop-in, the drop-in directory /etc/systemd/system/elastic-agent.service.d read as systemd reads it, docker env output, .env); repeatable, wins over the environment")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "usage: autoops-probe [flags]\n\nRuns the three tests of the AutoOps firewall guide once. Credentials come from the agent's\nvariables as the agent reads them (AUTOOPS_ES_API_KEY, then ELASTICSEARCH_READ_API_KEY;\nAUTOOPS_ES_USERNAME and _PASSWORD, then ELASTICSEARCH_READ_USERNAME and _PASSWORD; an empty\nvariable counts as unset) or a config file, never flags.\nExit status: 0 all passed, 1 a probe failed, 2 warnings or skipped probes, 3 bad usage,\n4 interrupted before a verdict.\n\nautoops-probe explain CODE prints what a code of Elastic's wizard (HTTP_0, HTTP_401,\nCLUSTER_NOT_READY...) means, the verdicts behind it and what to do.\n\nflags:")
		fs.PrintDefaults()
	}
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		fs.SetOutput(stdout)
		fs.Usage()
		return exitPassed
	}
	if err != nil {
		return usageError(stdout, stderr, jsonOut, "%v (autoops-probe --help lists the flags)", err)
	}
	if fs.NArg() > 0 && fs.Arg(0) == "explain" {
		return explain(fs.Args()[1:], *format, stdout, stderr)
	}
	if fs.NArg() > 0 {
		// A positional argument ends flag parsing: what follows it would be silently ignored.
		return usageError(stdout, stderr, jsonOut, "unexpected argument %q: every setting is a flag, such as --es-url %s", fs.Arg(0), fs.Arg(0))
	}
	if _, err := agentconfig.ParseVersion(o.agentVersion); err != nil {
		return usageError(stdout, stderr, jsonOut, "--agent-version: %v", err)
	}
	if o.timeout < 0 || isSet(fs, "timeout") && o.timeout == 0 {
		return usageError(stdout, stderr, jsonOut, "--timeout: %s is not a timeout; give a positive duration such as 10s", o.timeout)
	}
	if *showVersion {
		fmt.Fprintln(stdout, "autoops-probe version", version)
		return 0
	}
	if *format != "text" && *format != "json" {
		return usageError(stdout, stderr, false, "--format: %q is not text or json", *format)
	}
	if *agentConfig != "" && *configPath != "" {
		return usageError(stdout, stderr, jsonOut, "--agent-config and --config: give one")
	}
	files, envFindings, err := readEnvFiles(agentEnv)
	if err != nil {
		return usageError(stdout, stderr, jsonOut, "%v", err)
	}
	var cfg *autoopsreceiver.Config
	if *agentConfig != "" {
		cfg = autoopsreceiver.NewFactory().CreateDefaultConfig().(*autoopsreceiver.Config)
		cfg.AgentConfig = *agentConfig
	} else {
		if *configPath == "" {
			if hint := agentConfigHint(agentconfig.OSServiceFS(agentconfig.HostSpecifier), agentconfig.DefaultPath, agentconfig.UnitPath); hint != "" {
				fmt.Fprintln(stderr, "autoops-probe:", hint)
			}
		}
		if cfg, err = loadConfig(ctx, *configPath, *receiverID); err != nil {
			return usageError(stdout, stderr, jsonOut, "%v", err)
		}
	}
	if err := o.apply(cfg); err != nil {
		return usageError(stdout, stderr, jsonOut, "%v", err)
	}
	cfg.SetAgentEnvFiles(append(files, o.variables()))
	cfg.SetAgentEnvFindings(envFindings)
	cfg.SetAgentEnvWhole(len(files) > 0)
	results, err := autoopsreceiver.RunOnce(ctx, cfg, component.TelemetrySettings{Logger: zap.NewNop()})
	findings := cfg.AgentFindings()
	if errors.Is(err, autoopsreceiver.ErrRunCutShort) {
		fmt.Fprintln(stderr, "autoops-probe:", "interrupted before the probes finished; no verdict")
		return 4
	}
	if err != nil {
		if !jsonOut {
			writeFindings(stdout, findings)
		}
		return configError(stdout, stderr, jsonOut, findings, "invalid configuration: %v", err)
	}
	version, versionFrom := cfg.AgentVersionUsed()
	if *format == "json" {
		if err := writeJSON(stdout, results, findings, version, versionFrom); err != nil {
			fmt.Fprintln(stderr, "autoops-probe:", err)
			return exitUsage
		}
	} else {
		writeAgentVersion(stdout, version, versionFrom)
		writeFindings(stdout, findings)
		writeText(stdout, results, time.Now())
	}
	return exitStatus(results)
}

func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}
