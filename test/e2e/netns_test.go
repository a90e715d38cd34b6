//go:build e2e

package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/sys/unix"
)

// netns is a network namespace made for one test: only `lo` inside, its own hosts file and
// resolv.conf, its own iptables rules. Nothing in it can reach another network.
type netns struct {
	name string
}

var netnsSeq atomic.Int32

func canUseNetns() (bool, string) {
	if os.Geteuid() != 0 {
		return false, "network namespaces and iptables need root"
	}
	for _, tool := range []string{"ip", "iptables"} {
		if _, err := exec.LookPath(tool); err != nil {
			return false, tool + " is not installed (make deps installs it)"
		}
	}
	return true, ""
}

// newNetns creates the namespace with hosts mapping names to loopback addresses and
// resolv.conf naming resolver (a loopback address inside the namespace).
func newNetns(t *testing.T, hosts map[string]string, resolver string) *netns {
	t.Helper()
	ok, why := canUseNetns()
	needs(t, ok, why)
	n := &netns{name: fmt.Sprintf("aop-%d-%d", os.Getpid(), netnsSeq.Add(1))}
	etc := filepath.Join("/etc/netns", n.name)
	t.Cleanup(func() {
		_ = exec.Command("ip", "netns", "del", n.name).Run()
		_ = os.RemoveAll(etc)
	})
	run(t, "ip", "netns", "add", n.name)
	n.exec(t, "ip", "link", "set", "lo", "up")
	require.NoError(t, os.MkdirAll(etc, 0o755))
	lines := []string{"127.0.0.1 localhost", "::1 localhost"}
	names := make([]string, 0, len(hosts))
	for name := range hosts {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		lines = append(lines, hosts[name]+" "+name)
	}
	require.NoError(t, os.WriteFile(filepath.Join(etc, "hosts"), []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(etc, "resolv.conf"), []byte("nameserver "+resolver+"\noptions timeout:1 attempts:1\n"), 0o644))
	return n
}

func run(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	require.NoError(t, err, "%v: %s", args, out)
}

// exec runs a command inside the namespace.
func (n *netns) exec(t *testing.T, args ...string) {
	t.Helper()
	run(t, append([]string{"ip", "netns", "exec", n.name}, args...)...)
}

// prefix runs a process inside the namespace, with its hosts file and resolv.conf.
func (n *netns) prefix() []string { return []string{"ip", "netns", "exec", n.name} }

// iptables adds a rule to the namespace's own OUTPUT chain.
func (n *netns) iptables(t *testing.T, rule ...string) {
	t.Helper()
	n.exec(t, append([]string{"iptables", "-A", "OUTPUT"}, rule...)...)
}

// do runs fn on an OS thread switched into the namespace: sockets fn opens live there. The
// thread is given back only if it returned to its own namespace.
func (n *netns) do(t *testing.T, fn func()) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		orig, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			errc <- err
			return
		}
		defer func() { _ = orig.Close() }()
		target, err := os.Open("/var/run/netns/" + n.name)
		if err != nil {
			errc <- err
			return
		}
		defer func() { _ = target.Close() }()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			errc <- fmt.Errorf("setns: %w", err)
			return
		}
		fn()
		if unix.Setns(int(orig.Fd()), unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		errc <- nil
	}()
	require.NoError(t, <-errc)
}

// listen opens a TCP listener inside the namespace.
func (n *netns) listen(t *testing.T, addr string) net.Listener {
	t.Helper()
	var ln net.Listener
	var err error
	n.do(t, func() { ln, err = net.Listen("tcp", addr) })
	require.NoError(t, err)
	return ln
}

// listenUDP opens a UDP socket inside the namespace.
func (n *netns) listenUDP(t *testing.T, addr string) net.PacketConn {
	t.Helper()
	var pc net.PacketConn
	var err error
	n.do(t, func() { pc, err = net.ListenPacket("udp", addr) })
	require.NoError(t, err)
	return pc
}

// TestMain removes namespaces that a killed earlier run left behind (named aop-PID-N).
func TestMain(m *testing.M) {
	if out, err := exec.Command("ip", "netns", "list").Output(); err == nil {
		for _, line := range strings.Split(string(out), "\n") {
			fields := strings.Fields(line)
			if len(fields) == 0 || !strings.HasPrefix(fields[0], "aop-") {
				continue
			}
			var pid, seq int
			if _, err := fmt.Sscanf(fields[0], "aop-%d-%d", &pid, &seq); err == nil && unix.Kill(pid, 0) != nil {
				_ = exec.Command("ip", "netns", "del", fields[0]).Run()
				_ = os.RemoveAll(filepath.Join("/etc/netns", fields[0]))
			}
		}
	}
	code := m.Run()
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left behind:", err)
			code = 1
		}
	}
	os.Exit(code)
}
