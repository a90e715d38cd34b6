//go:build e2e

package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Both Containerfiles build with podman (vfs storage, chroot isolation: `podman run` does not
// work on this machine), and each binary runs from the image's own filesystem inside a
// network namespace: the distribution validates the config the image ships, the one-shot
// command probes a cluster.
func TestImages(t *testing.T) {
	_, err := exec.LookPath("podman")
	needs(t, err == nil, "podman is not installed (make deps installs it)")
	_, err = os.Stat("../../_build/ca-certificates.crt")
	needs(t, err == nil, "_build/ca-certificates.crt is missing: run `make build`")
	version := os.Getenv("VERSION")
	if version == "" {
		version = "0.1.0"
	}
	w := newWorld(t, nil)
	w.standard(t)

	for _, img := range []struct{ containerfile, binary string }{
		{"Containerfile", "otelcol-autoops"},
		{"Containerfile.autoops-probe", "autoops-probe"},
	} {
		t.Run(img.binary, func(t *testing.T) {
			tag := fmt.Sprintf("localhost/%s:e2e-%d", img.binary, os.Getpid())
			podman(t, "build", "--isolation", "chroot", "-f", img.containerfile, "-t", tag, "../..")
			t.Cleanup(func() { _, _ = exec.Command("podman", "--storage-driver", "vfs", "rmi", "-f", tag).CombinedOutput() })
			root := strings.TrimSpace(podman(t, "image", "mount", tag))
			t.Cleanup(func() {
				_, _ = exec.Command("podman", "--storage-driver", "vfs", "image", "unmount", tag).CombinedOutput()
			})

			entrypoint := strings.TrimSpace(podman(t, "image", "inspect", tag, "--format", "{{index .Config.Entrypoint 0}}"))
			assert.Equal(t, "/"+img.binary, entrypoint)
			assert.Equal(t, "65532:65532", strings.TrimSpace(podman(t, "image", "inspect", tag, "--format", "{{.Config.User}}")), "not root")
			bin := filepath.Join(root, img.binary)
			bundle := filepath.Join(root, "etc/ssl/certs/ca-certificates.crt")
			info, err := os.Stat(bundle)
			require.NoError(t, err, "the image carries a CA bundle")
			assert.Positive(t, info.Size())

			out := inNamespace(t, w, nil, bin, "--version")
			assert.Contains(t, out, img.binary+" version "+version)

			if img.binary == "otelcol-autoops" {
				out = inNamespace(t, w, []string{"AUTOOPS_OTEL_URL=https://otel-auto-ops.eu-west-1.aws.svc.elastic.cloud"},
					bin, "validate", "--config", filepath.Join(root, "etc/otelcol-autoops/config.yaml"))
				assert.NotContains(t, out, "Error", out)
				return
			}
			out = inNamespace(t, w, []string{"SSL_CERT_FILE=" + bundle}, bin, "--es-url", "http://es.corp:9200", "--skip", "registration,otlp")
			assert.Contains(t, out, "[PASS] Elasticsearch cluster", out)
		})
	}
}

func podman(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command("podman", append([]string{"--storage-driver", "vfs"}, args...)...).CombinedOutput()
	require.NoError(t, err, "podman %v: %s", args, tail(string(out), 2000))
	return string(out)
}

// inNamespace runs a binary inside w's namespace with a clean environment plus env and
// returns what it printed.
func inNamespace(t *testing.T, w *world, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", w.ns.name}, args...)...)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	out, _ := cmd.CombinedOutput() // the exit status is read from the output's verdicts
	return string(out)
}
