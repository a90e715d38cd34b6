//go:build e2e

// Package e2e runs the ocb-built otelcol-autoops binary against real local servers: TLS
// with generated CAs, a real proxy, a real Prometheus, firewalls in network namespaces.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/pmetric"
)

// needs skips when a prerequisite is missing, except under CI, where a skip hides a gap.
func needs(t *testing.T, ok bool, why string) {
	t.Helper()
	if ok {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("cannot run under CI: %s", why)
	}
	t.Skipf("skipped: %s", why)
}

func binary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("OTELCOL_BIN")
	if bin == "" {
		bin, _ = filepath.Abs("../../_build/otelcol-autoops")
	}
	_, err := os.Stat(bin)
	needs(t, err == nil, "the distribution is not built: run `make build` (or `make e2e`)")
	return bin
}

// commandBinary is the one-shot autoops-probe command built by `make build`.
func commandBinary(t *testing.T) string {
	t.Helper()
	bin := os.Getenv("AUTOOPS_PROBE_BIN")
	if bin == "" {
		bin, _ = filepath.Abs("../../_build/autoops-probe")
	}
	_, err := os.Stat(bin)
	needs(t, err == nil, "the autoops-probe command is not built: run `make build`")
	return bin
}

// runCommand runs autoops-probe once on the collector's own config file and environment
// (through prefix, e.g. inside a namespace) and returns error.type per probe ("" passed).
func runCommand(t *testing.T, c *collector, prefix ...string) (map[string]string, string) {
	t.Helper()
	args := append(append([]string{}, prefix...), commandBinary(t), "--config", c.configPath, "--format", "json")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = c.env
	out, _ := cmd.Output() // its exit status says pass or fail; the report says why
	var report struct {
		Results []map[string]any `json:"results"`
	}
	require.NoError(t, json.Unmarshal(out, &report), "autoops-probe printed: %s", out)
	verdicts := map[string]string{}
	for _, r := range report.Results {
		et, _ := r["error.type"].(string)
		verdicts[fmt.Sprint(r["autoops.probe.name"])] = et
	}
	return verdicts, string(out)
}

// runText runs autoops-probe once on the collector's config and environment and returns its
// human report.
func runText(t *testing.T, c *collector, prefix ...string) string {
	t.Helper()
	args := append(append([]string{}, prefix...), commandBinary(t), "--config", c.configPath)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = c.env
	out, _ := cmd.Output() // its exit status says pass or fail
	return string(out)
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}

// syncBuffer collects what a process prints.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// collector is a running otelcol-autoops process.
type collector struct {
	configPath string
	env        []string
	cmd        *exec.Cmd
	output     *syncBuffer
	done       chan struct{}
}

// startCollector writes config into a file and runs the binary on it, with env added to a
// clean environment (no proxy variables leak in from the machine). prefix runs it through
// another command, e.g. `ip netns exec NAME`.
func startCollector(t *testing.T, config string, env []string, prefix ...string) *collector {
	t.Helper()
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	require.NoError(t, os.WriteFile(cfgPath, []byte(config), 0o600))
	args := append(append([]string{}, prefix...), binary(t), "--config", cfgPath)
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, env...)
	c := &collector{configPath: cfgPath, env: cmd.Env, cmd: cmd, output: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = c.output, c.output
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, cmd.Start())
	go func() { _ = cmd.Wait(); close(c.done) }()
	t.Cleanup(func() {
		c.stop()
		if t.Failed() {
			t.Logf("collector output:\n%s", tail(c.output.String(), 6000))
		}
	})
	return c
}

func (c *collector) stop() {
	select {
	case <-c.done:
		return
	default:
	}
	_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
		<-c.done
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// otlpSink receives what the collector's otlp_http exporter sends, in JSON.
type otlpSink struct {
	mu      sync.Mutex
	metrics []pmetric.Metrics
	logs    []plog.Logs
	raw     bytes.Buffer
	url     string
}

func newOTLPSink(t *testing.T) *otlpSink {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return newOTLPSinkOn(t, ln)
}

// newOTLPSinkOn serves the sink on ln (which may live in a network namespace).
func newOTLPSinkOn(t *testing.T, ln net.Listener) *otlpSink {
	s := &otlpSink{}
	mux := http.NewServeMux()
	mux.HandleFunc("/v1/metrics", s.receive(func(body []byte) error {
		md, err := (&pmetric.JSONUnmarshaler{}).UnmarshalMetrics(body)
		if err == nil {
			s.metrics = append(s.metrics, md)
		}
		return err
	}))
	mux.HandleFunc("/v1/logs", s.receive(func(body []byte) error {
		ld, err := (&plog.JSONUnmarshaler{}).UnmarshalLogs(body)
		if err == nil {
			s.logs = append(s.logs, ld)
		}
		return err
	}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Shutdown(context.Background()) })
	s.url = "http://" + ln.Addr().String()
	return s
}

// receive decodes an OTLP/JSON export with keep (under the sink's lock) and keeps its text.
func (s *otlpSink) receive(keep func([]byte) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		err := keep(body)
		if err == nil {
			s.raw.Write(body)
		}
		s.mu.Unlock()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{}`))
	}
}

// record is one autoops.probe.result log record, flattened.
type record struct {
	severity string
	body     string
	attrs    map[string]any
	resource map[string]any
}

func (s *otlpSink) records() []record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []record
	for _, ld := range s.logs {
		for i := range ld.ResourceLogs().Len() {
			rl := ld.ResourceLogs().At(i)
			for j := range rl.ScopeLogs().Len() {
				lrs := rl.ScopeLogs().At(j).LogRecords()
				for k := range lrs.Len() {
					lr := lrs.At(k)
					if lr.EventName() != "autoops.probe.result" {
						continue
					}
					out = append(out, record{lr.SeverityText(), lr.Body().Str(), lr.Attributes().AsRaw(), rl.Resource().Attributes().AsRaw()})
				}
			}
		}
	}
	return out
}

// latest returns the last record of each probe.
func (s *otlpSink) latest() map[string]record {
	out := map[string]record{}
	for _, r := range s.records() {
		out[fmt.Sprint(r.attrs["autoops.probe.name"])] = r
	}
	return out
}

// points returns, per metric name, the data points' attributes and values.
func (s *otlpSink) points() map[string][]map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]map[string]any{}
	for _, md := range s.metrics {
		for i := range md.ResourceMetrics().Len() {
			sms := md.ResourceMetrics().At(i).ScopeMetrics()
			for j := range sms.Len() {
				ms := sms.At(j).Metrics()
				for k := range ms.Len() {
					m := ms.At(k)
					dps := m.Gauge().DataPoints()
					for d := range dps.Len() {
						p := dps.At(d).Attributes().AsRaw()
						if dps.At(d).ValueType() == pmetric.NumberDataPointValueTypeInt {
							p["value"] = dps.At(d).IntValue()
						} else {
							p["value"] = dps.At(d).DoubleValue()
						}
						out[m.Name()] = append(out[m.Name()], p)
					}
				}
			}
		}
	}
	return out
}

func (s *otlpSink) rawText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.raw.String()
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", within, what)
}
