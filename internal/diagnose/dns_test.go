package diagnose

import (
	"errors"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// refused is the error of a refused connection, as net/http reports it.
func refused() error {
	return &url.Error{Op: "Post", URL: "https://x", Err: &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}}
}

func TestDNSBlocked(t *testing.T) {
	for _, addr := range []string{"0.0.0.0", "127.0.0.1", "127.1.2.3", "::", "::1"} {
		ev := &probe.Evidence{
			Probe: probe.Registration, ServerAddress: "api.elastic-cloud.com", ServerPort: 443,
			Main: probe.Exchange{Err: refused(), ResolvedAddresses: []string{addr}, PeerAddress: addr, Progress: probe.Progress{DNSDone: true}},
		}
		v := Diagnose(ev, Context{})
		assert.Equal(t, DNSBlocked, v.ErrorType, addr)
		assert.Contains(t, v.Summary(), "resolved to "+addr)
	}
	// Not a public Elastic name, or through a proxy (which resolves it): no such claim.
	for _, ev := range []*probe.Evidence{
		{Probe: probe.Registration, ServerAddress: "cloud-connect.corp.example", ServerPort: 443, Main: probe.Exchange{Err: refused(), PeerAddress: "127.0.0.1"}},
		{Probe: probe.OTLP, ServerAddress: "otel-auto-ops.eu-west-1.aws.svc.elastic.cloud", Proxy: "http://127.0.0.1:3128", Main: probe.Exchange{Err: errors.New("proxy answered CONNECT with 502"), PeerAddress: "127.0.0.1"}},
	} {
		assert.NotEqual(t, DNSBlocked, Diagnose(ev, Context{}).ErrorType, ev.ServerAddress)
	}
	// Elastic's answer came: whatever the address, nothing is blocked.
	passed := &probe.Evidence{
		Probe: probe.OTLP, ServerAddress: "otel-auto-ops.eu-west-1.aws.svc.elastic.cloud",
		Main: probe.Exchange{PeerAddress: "127.0.0.1", Response: &probe.Response{Status: 401, Body: []byte(`{"code":16,"message":"no auth provided"}`)}},
	}
	assert.True(t, Diagnose(passed, Context{}).Passed)
}

func TestDNSSearchDomain(t *testing.T) {
	ev := &probe.Evidence{
		Probe: probe.Registration, ServerAddress: "api.elastic-cloud.com", ServerPort: 443,
		Main:         probe.Exchange{Err: refused(), PeerAddress: "198.51.100.66"},
		SearchDomain: &probe.SearchDomain{Suffix: "corp.example", SuffixAddresses: []string{"198.51.100.66"}, RootedAddresses: []string{"198.51.100.1"}},
	}
	v := Diagnose(ev, Context{})
	assert.Equal(t, DNSSearchDomain, v.ErrorType)
	for _, s := range []string{"api.elastic-cloud.com.corp.example", "corp.example", "198.51.100.66", "198.51.100.1"} {
		assert.Contains(t, v.Summary(), s)
	}
}
