package probe

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// portProxy answers CONNECT as squid's default rules do: 200 to port 443, 403 to any other.
// It records each CONNECT's target and Proxy-Authorization, and whether a byte came through a
// tunnel it opened.
type portProxy struct {
	mu        sync.Mutex
	asked     []string
	auth      []string
	tunnelled bool
}

func (p *portProxy) serve(t *testing.T) string { return testutil.RawServer(t, p.handle) }

func (p *portProxy) handle(c net.Conn) {
	defer func() { _ = c.Close() }()
	req, err := http.ReadRequest(bufio.NewReader(c))
	if err != nil {
		return
	}
	p.mu.Lock()
	p.asked = append(p.asked, req.Host)
	p.auth = append(p.auth, req.Header.Get("Proxy-Authorization"))
	p.mu.Unlock()
	if !strings.HasSuffix(req.Host, ":443") {
		_, _ = c.Write([]byte("HTTP/1.1 403 Forbidden\r\nX-Squid-Error: ERR_ACCESS_DENIED 0\r\nContent-Length: 6\r\n\r\ndenied"))
		return
	}
	_, _ = c.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	if n, _ := c.Read(make([]byte, 1)); n > 0 {
		p.mu.Lock()
		p.tunnelled = true
		p.mu.Unlock()
	}
}

// A proxy that refuses CONNECT to 9243 is asked for 443 of the same host, without the proxy
// URL's credentials, and the tunnel it opens carries nothing.
func TestPortCheckAsksFor443WithoutCredentials(t *testing.T) {
	p := &portProxy{}
	proxy, err := url.Parse("http://probe:Pr0xyS3cret@" + p.serve(t))
	require.NoError(t, err)
	tg := target(t, Cluster, "https://es.corp:9243")
	viaProxy(tg, proxy)
	ev := Run(context.Background(), tg)

	require.True(t, ev.Handshake.ProxyRefused())
	require.NotNil(t, ev.PortCheck)
	require.NotNil(t, ev.PortCheck.Answer)
	assert.Equal(t, http.StatusOK, ev.PortCheck.Answer.Status)
	p.mu.Lock()
	defer p.mu.Unlock()
	assert.Equal(t, "es.corp:443", p.asked[len(p.asked)-1])
	assert.Empty(t, p.auth[len(p.auth)-1], "no credentials on the CONNECT to 443")
	assert.False(t, p.tunnelled, "nothing is sent through the tunnel")
}

// A refusal of port 443 itself, or of a host on 443, asks nothing more.
func TestPortCheckNotFor443(t *testing.T) {
	p := &portProxy{}
	proxy, err := url.Parse("http://" + p.serve(t))
	require.NoError(t, err)
	tg := target(t, Registration, "https://api.elastic-cloud.com:8443/x")
	viaProxy(tg, proxy)
	assert.NotNil(t, Run(context.Background(), tg).PortCheck, "8443 is refused, 443 asked")

	tg = target(t, Registration, "https://api.elastic-cloud.com/x")
	viaProxy(tg, proxy)
	ev := Run(context.Background(), tg)
	assert.Nil(t, ev.PortCheck, "443 itself answered; nothing more to ask")
}
