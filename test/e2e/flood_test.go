//go:build e2e

package e2e

import (
	"bufio"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// The collector's limits under a flooding proxy.
const (
	// floodAddressSpace is the address space the collector may map (prlimit --as, the
	// kernel's RLIMIT_AS): a Go process maps far more than it uses (about 700 MiB reserved for
	// its page allocator before the first allocation), so this is that plus room for its heap;
	// a read without bound reaches it within seconds and ends in "fatal error: out of memory",
	// as the 2.8 GiB of the field report did. (The collector peaks near 1.3 GiB here.)
	floodAddressSpace = 2048 << 20
	// floodMaxRSS bounds the collector's peak resident memory (VmHWM). Each run of each probe
	// lets Go's transport read up to 10 MB of the flood (its own MaxResponseHeaderBytes), and
	// the probe's own reads stop at 32 KiB.
	floodMaxRSS = 256 << 20
	// floodRuns is how many runs of every probe must come while the proxies flood.
	floodRuns = 5
)

// A hostile or broken proxy answering with an endless stream (header lines to CONNECT; one
// line without end to CONNECT, and to the plaintext CONNECT asked of an https:// proxy URL)
// fails the probes with a verdict that says so, while the collector, under an address-space
// limit, stays alive, keeps reporting through its exporter and its health endpoint, and keeps
// its peak RSS bounded.
//
// The limit is prlimit's --as (RLIMIT_AS), inherited by the collector it execs: it works as
// root or not, on cgroup v1 or v2, in a container or not. GOMEMLIMIT is no limit (a soft goal
// of the garbage collector); a cgroup's memory.max would need a writable cgroup tree, which a
// container may not have.
func TestFloodingProxyUnderAMemoryLimit(t *testing.T) {
	_, err := exec.LookPath("prlimit")
	needs(t, err == nil, "prlimit (util-linux) is not installed")
	headers := testutil.FloodProxy(t, testutil.FloodHeaders, 0)
	line := testutil.FloodProxy(t, testutil.FloodLine, 0)
	sink := newOTLPSink(t)
	healthPort := freePort(t)
	// The endpoints are never reached: the proxies answer for them. Through proxy_url even a
	// loopback endpoint goes to the proxy.
	config := healthExtension(healthPort) + fmt.Sprintf(`
receivers:
  autoops_probe:
    collection_interval: 1s
    initial_delay: 0s
    logs: {emit: every_run}
    cluster: {endpoint: "https://127.0.0.1:9", proxy_url: "http://%s", timeout: 5s}
    registration: {endpoint: "https://127.0.0.1:9", proxy_url: "http://%s", timeout: 5s}
    otlp: {endpoint: "https://127.0.0.1:9", proxy_url: "https://%s", timeout: 5s}
exporters:
  otlp_http: {endpoint: %s, encoding: json, compression: none}
service:`+quietTelemetry+`
  extensions: [healthcheckv2]
  pipelines:
    logs: {receivers: [autoops_probe], exporters: [otlp_http]}
`, headers, line, line, sink.url)
	col := startCollector(t, config, nil, "prlimit", "--as="+strconv.Itoa(floodAddressSpace), "--")
	pid := col.cmd.Process.Pid // prlimit execs the collector: same process

	alive := func() bool {
		select {
		case <-col.done:
			return false
		default:
			return true
		}
	}
	runs := func() map[string]int {
		n := map[string]int{}
		for _, r := range sink.records() {
			n[fmt.Sprint(r.attrs["autoops.probe.name"])]++
		}
		return n
	}
	waitFor(t, 60*time.Second, fmt.Sprintf("%d runs of every probe through the flooding proxies", floodRuns), func() bool {
		require.True(t, alive(), "the collector died: %s", fatal(col.output.String()))
		n := runs()
		return n["cluster"] >= floodRuns && n["registration"] >= floodRuns && n["otlp"] >= floodRuns
	})

	latest := sink.latest()
	for name, want := range map[string][]string{
		"cluster":      {"answered CONNECT to 127.0.0.1:9 with", "lines and no end of its headers within 32768 bytes"},
		"registration": {"answered CONNECT to 127.0.0.1:9 with one line and no end of it within 32768 bytes"},
		"otlp":         {"answered a plaintext CONNECT to 127.0.0.1:9 with one line and no end of it within 32768 bytes"},
	} {
		r := latest[name]
		assert.Equal(t, "_OTHER", r.attrs["error.type"], "%s: %s", name, r.body)
		for _, w := range want {
			assert.Contains(t, r.body, w, name)
		}
		assert.Contains(t, r.body, "the probe's bound", name)
	}

	var body string
	waitFor(t, 20*time.Second, "the health endpoint to report the failed probes", func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/health/status?verbose", healthPort))
		if err != nil {
			return false
		}
		defer func() { _ = resp.Body.Close() }()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == http.StatusInternalServerError && strings.Contains(body, "cluster: _OTHER") &&
			strings.Contains(body, "registration: _OTHER") && strings.Contains(body, "otlp: _OTHER")
	})

	require.True(t, alive(), "the collector died: %s", fatal(col.output.String()))
	status := procStatus(t, pid)
	t.Logf("collector after %v runs: VmHWM %s kB, VmRSS %s kB, VmPeak %s kB", runs(), status["VmHWM"], status["VmRSS"], status["VmPeak"])
	hwm, err := strconv.Atoi(status["VmHWM"])
	require.NoError(t, err)
	assert.Less(t, hwm<<10, floodMaxRSS, "peak RSS")
	assert.NotContains(t, col.output.String(), "out of memory")
}

// procStatus reads /proc/<pid>/status: field name to its first value (kB for the Vm fields).
func procStatus(t *testing.T, pid int) map[string]string {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	require.NoError(t, err)
	defer func() { _ = f.Close() }()
	out := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok {
			if fields := strings.Fields(v); len(fields) > 0 {
				out[k] = fields[0]
			}
		}
	}
	require.NoError(t, sc.Err())
	return out
}

// fatal is the Go runtime's fatal error line in what a process printed, else its last lines.
func fatal(output string) string {
	for _, l := range strings.Split(output, "\n") {
		if strings.HasPrefix(l, "fatal error:") || strings.HasPrefix(l, "runtime: out of memory") {
			return l
		}
	}
	return tail(output, 2000)
}
