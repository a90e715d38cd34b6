package testutil

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tinyproxy runs Debian's tinyproxy on a free loopback port with its own rules (no
// ConnectPort line: CONNECT to any port) and returns its URL. Without tinyproxy the test is
// skipped, except under CI, where a skip is a failure (make deps installs it).
func Tinyproxy(t testing.TB) string {
	t.Helper()
	if _, err := exec.LookPath("tinyproxy"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tinyproxy is not installed (make deps installs it)")
		}
		t.Skip("tinyproxy is not installed (make deps installs it)")
	}
	port := freeLoopbackPort(t)
	dir := t.TempDir()
	_ = os.Chmod(dir, 0o755)
	conf := []string{"Port " + strconv.Itoa(port), "Listen 127.0.0.1", "Timeout 5", "MaxClients 20", "Allow 127.0.0.1", "LogLevel Info"}
	file := filepath.Join(dir, "tinyproxy.conf")
	if err := os.WriteFile(file, []byte(strings.Join(conf, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("tinyproxy", "-d", "-c", file)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	for deadline := time.Now().Add(10 * time.Second); ; {
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("tinyproxy did not listen within 10s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return "http://" + addr
}

func freeLoopbackPort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().(*net.TCPAddr).Port
}
