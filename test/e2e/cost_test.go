//go:build e2e && scale

package e2e

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// TestCost (make cost) measures the distribution's CPU per run in steady state against a bare
// Go program doing exactly the same connections, handshakes and requests on the same schedule
// (test/e2e/bareprobe), interleaved in rounds so both meet the same machine: K instances
// against one loopback HTTPS server, which runs in this test's process and counts the runs.
// A measurement, not a timed assertion: the figures go in the README's Cost section.
func TestCost(t *testing.T) {
	var runs atomic.Int64
	es := &testutil.FakeES{Authorization: "ApiKey aWQ6c2VjcmV0"}
	url, caFile := loopbackElastic(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			runs.Add(1)
		}
		es.ServeHTTP(w, r)
	}))

	bare := filepath.Join(t.TempDir(), "bareprobe")
	out, err := exec.Command("go", "build", "-o", bare, "./bareprobe").CombinedOutput()
	require.NoError(t, err, "%s", out)

	for _, c := range []struct {
		k        int
		interval time.Duration
	}{{50, time.Second}, {300, 6 * time.Second}} {
		var ours, base []float64
		for round := range 3 {
			measure := func(useOurs bool) {
				var cmd *exec.Cmd
				if useOurs {
					cmd = exec.Command(binary(t), "--config", writeCostConfig(t, c.k, c.interval, url, caFile))
				} else {
					cmd = exec.Command(bare, "-k", strconv.Itoa(c.k), "-interval", c.interval.String(), "-url", url, "-ca", caFile)
				}
				cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
				out := &syncBuffer{}
				cmd.Stdout, cmd.Stderr = out, out
				require.NoError(t, cmd.Start())
				defer func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() }()
				time.Sleep(2*time.Second + c.interval) // start, first runs, one spread interval
				cpu0, runs0 := processCPU(t, cmd.Process.Pid), runs.Load()
				time.Sleep(max(10*time.Second, 2*c.interval))
				cpu1, runs1 := processCPU(t, cmd.Process.Pid), runs.Load()
				require.Positive(t, runs1-runs0, "no run in the window (ours %t): %s", useOurs, tail(out.String(), 2000))
				perRun := float64(cpu1-cpu0) / float64(runs1-runs0)
				if useOurs {
					ours = append(ours, perRun)
				} else {
					base = append(base, perRun)
				}
			}
			first := round%2 == 0
			measure(first)
			measure(!first)
		}
		slices.Sort(ours)
		slices.Sort(base)
		t.Logf("K=%d every %s: ours %.2f ms/run, bare Go %.2f ms/run: %.2fx (medians of 3 rounds; ours %v, bare %v)",
			c.k, c.interval, ours[1]*1000, base[1]*1000, ours[1]/base[1], ms(ours), ms(base))
	}
}

func ms(v []float64) string {
	var s []string
	for _, x := range v {
		s = append(s, fmt.Sprintf("%.2f", x*1000))
	}
	return strings.Join(s, " ")
}

// processCPU is the user and system CPU time of pid so far, in seconds.
func processCPU(t *testing.T, pid int) float64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	require.NoError(t, err)
	fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+2:]))
	utime, _ := strconv.ParseFloat(fields[11], 64)
	stime, _ := strconv.ParseFloat(fields[12], 64)
	return (utime + stime) / 100 // clock ticks of 10 ms (CLK_TCK on Linux)
}

// writeCostConfig is K instances probing url with the default settings (an API key, so the
// cluster probe makes its four requests), metrics to the prometheus exporter as in the
// default configuration, results on change to the console.
func writeCostConfig(t *testing.T, k int, interval time.Duration, url, caFile string) string {
	var receivers, names []string
	for i := range k {
		receivers = append(receivers, fmt.Sprintf(`
  autoops_probe/%d:
    collection_interval: %s
    initial_delay: 1s
    cluster: {endpoint: %s, api_key: "id:secret", tls: {ca_file: %s}}
    registration: {endpoint: %s, tls: {ca_file: %s}}
    otlp: {endpoint: %s, tls: {ca_file: %s}}`, i, interval, url, caFile, url, caFile, url, caFile))
		names = append(names, fmt.Sprintf("autoops_probe/%d", i))
	}
	config := `
receivers:` + strings.Join(receivers, "") + `
exporters:
  debug: {verbosity: basic}
  prometheus: {endpoint: "127.0.0.1:` + strconv.Itoa(freePort(t)) + `"}
service:` + quietTelemetry + `
  pipelines:
    metrics: {receivers: [` + strings.Join(names, ", ") + `], exporters: [prometheus]}
    logs: {receivers: [` + strings.Join(names, ", ") + `], exporters: [debug]}
`
	path := filepath.Join(t.TempDir(), "cost.yaml")
	require.NoError(t, os.WriteFile(path, []byte(config), 0o600))
	return path
}
