package main

import (
	"crypto/tls"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// BenchmarkWallClock compares the whole one-shot process (start, the three probes with their
// follow-ups, the report) with the guide's three curl commands run one after the other, on one
// local TLS server that answers as Elasticsearch, the registration API and the intake do.
// make bench prints both; the README's Cost section keeps the figures.
func BenchmarkWallClock(b *testing.B) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Skip("curl is not installed (make deps installs it)")
	}
	dir := b.TempDir()
	bin := filepath.Join(dir, "autoops-probe")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("building the command: %v\n%s", err, out)
	}
	ca := testutil.NewCA(b, "Wall Clock CA")
	caFile := ca.WriteFile(b, dir)
	const key = "benchId:benchSecretValue42"
	mux := http.NewServeMux()
	mux.Handle("/", &testutil.FakeES{Authorization: "ApiKey " + base64.StdEncoding.EncodeToString([]byte(key))})
	mux.HandleFunc(probe.RegistrationPath, testutil.Registration401)
	mux.HandleFunc("/v1/logs", testutil.OTLP401)
	srv := httptest.NewUnstartedServer(mux)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{ca.Leaf(b, testutil.LeafOptions{})}}
	srv.StartTLS()
	b.Cleanup(srv.Close)

	b.Run("one-shot", func(b *testing.B) {
		env := append(os.Environ(), "AUTOOPS_ES_URL="+srv.URL, "AUTOOPS_ES_API_KEY="+key, "AUTOOPS_ES_CA="+caFile,
			"SSL_CERT_FILE="+caFile, "ELASTIC_CLOUD_CONNECTED_MODE_API_URL="+srv.URL, "AUTOOPS_OTEL_URL="+srv.URL)
		for b.Loop() {
			cmd := exec.Command(bin)
			cmd.Env = env
			out, err := cmd.Output()
			if code := cmd.ProcessState.ExitCode(); code != exitPassed && code != exitWarned {
				b.Fatalf("exit %d (%v):\n%s", code, err, out)
			}
		}
	})
	b.Run("guide-curls", func(b *testing.B) {
		commands := [][]string{
			{"-sS", "-o", "/dev/null", "--cacert", caFile, "-XGET", "-i", srv.URL, "-H", "Authorization: ApiKey " + base64.StdEncoding.EncodeToString([]byte(key))},
			{"-sS", "-o", "/dev/null", "--cacert", caFile, "-XPOST", "-i", srv.URL + probe.RegistrationPath, "-H", "Content-Type: application/json", "-d", probe.RegistrationBody},
			{"-sS", "-o", "/dev/null", "--cacert", caFile, "-XPOST", "-i", srv.URL + "/v1/logs", "-H", "Content-Type: application/json"},
		}
		for b.Loop() {
			for _, args := range commands {
				if out, err := exec.Command(curl, args...).CombinedOutput(); err != nil {
					b.Fatalf("curl: %v\n%s", err, out)
				}
			}
		}
	})
}
