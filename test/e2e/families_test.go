//go:build e2e

package e2e

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Address families on the path: the namespace gets a veth pair whose far end has no address,
// so a route through it leads nowhere outside the namespace.
func (w *world) routeThroughVeth(t *testing.T, v6 bool) {
	t.Helper()
	w.ns.exec(t, "ip", "link", "add", "aop0", "type", "veth", "peer", "name", "aop1")
	w.ns.exec(t, "ip", "link", "set", "aop0", "up")
	w.ns.exec(t, "ip", "link", "set", "aop1", "up")
	w.ns.exec(t, "ip", "addr", "add", "192.168.77.1/24", "dev", "aop0")
	w.ns.exec(t, "ip", "route", "add", "default", "dev", "aop0")
	if v6 {
		w.ns.exec(t, "ip", "-6", "addr", "add", "2001:db8:1::1/64", "dev", "aop0", "nodad")
		w.ns.exec(t, "ip", "-6", "route", "add", "default", "dev", "aop0")
	}
}

// addHost adds a line to the namespace's hosts file: a second address for a name.
func (w *world) addHost(t *testing.T, ip, name string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Join("/etc/netns", w.ns.name, "hosts"), os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(ip + " " + name + "\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// An AAAA-only cluster name on a host that routes IPv4 but has no IPv6 route.
func TestAddressFamilyUnreachable(t *testing.T) {
	w := newWorld(t, map[string]string{"v6only.corp": "2001:db8:ff::5"})
	w.standard(t)
	w.routeThroughVeth(t, false)
	w.config.cluster = "endpoint: http://v6only.corp:9200"

	got, _ := w.run(t)
	checkVerdicts(t, got, expect{"cluster": "address_family_unreachable", "registration": "", "otlp": ""})
	assert.Contains(t, got["cluster"].body, "only IPv6 addresses (2001:db8:ff::5)")
	assert.Equal(t, []any{"2001:db8:ff::5"}, got["cluster"].attrs["autoops.probe.dial.failed_addresses"])
	assert.Equal(t, "ipv4", got["registration"].attrs["network.type"])
}

// A name with an IPv6 address in a black hole (ip6tables DROP) and a working IPv4 one: Go
// gives up IPv6 after 300 ms and the probe passes on IPv4, with the warning.
func TestDualStackFallback(t *testing.T) {
	_, err := os.Stat("/usr/sbin/ip6tables")
	needs(t, err == nil, "ip6tables is not installed")
	w := newWorld(t, map[string]string{"dual.corp": "127.0.0.1"})
	w.standard(t)
	w.routeThroughVeth(t, true)
	w.addHost(t, "2001:db8:ff::5", "dual.corp")
	w.ns.exec(t, "ip6tables", "-A", "OUTPUT", "-d", "2001:db8:ff::5", "-j", "DROP")
	w.config.cluster = "endpoint: http://dual.corp:9200"

	got, _ := w.run(t)
	checkVerdicts(t, got, expect{"cluster": "", "registration": "", "otlp": ""})
	c := got["cluster"]
	assert.Equal(t, []any{"dual_stack_fallback"}, c.attrs["autoops.probe.warnings"], c.body)
	assert.Contains(t, c.body, "only after giving up 2001:db8:ff::5")
	assert.Equal(t, "ipv4", c.attrs["network.type"])
	assert.Equal(t, []any{"2001:db8:ff::5"}, c.attrs["autoops.probe.dial.failed_addresses"])
}
