package probe

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// floodTotal is what each flooding proxy sends at most: far beyond the probe's bound, so that
// a read without bound shows in the allocations, yet little enough not to hurt the test.
const floodTotal = 64 << 20

// maxAllocated is what one probe run through a flooding proxy may allocate, all reads
// included: a few times the bounds it reads within.
const maxAllocated = 4 << 20

// viaFloodingProxy is a probe of an https endpoint through proxyURL. Its client's transport
// reads at most 64 KiB of headers, so that the allocations measured are the probe's own reads
// by hand, not Go's (10 MB by default).
func viaFloodingProxy(t *testing.T, name Name, proxyURL string) *Target {
	t.Helper()
	proxy, err := url.Parse(proxyURL)
	require.NoError(t, err)
	tg := target(t, name, "https://127.0.0.1:9/")
	tg.Client = &http.Client{Transport: &http.Transport{Proxy: http.ProxyURL(proxy), DisableKeepAlives: true, MaxResponseHeaderBytes: 64 << 10}}
	StopAtRedirects(tg.Client)
	tg.Route = Route{Proxy: proxy, Source: SourceProxyURL}
	return tg
}

// A proxy that answers CONNECT with an endless stream, header lines or one line, is read up
// to MaxAnswerHeader and no further: the evidence records where the probe stopped and how
// the answer began, and the run allocates a few MiB at most, not the flood.
func TestFloodingProxyAnswerIsBounded(t *testing.T) {
	tests := []struct {
		name  string
		flood testutil.Flood
		lines bool
		start string
	}{
		{"endless header stream", testutil.FloodHeaders, true, "HTTP/1.1 200 Connection established\r\nX-Flood: aaa"},
		{"one endless line", testutil.FloodLine, false, "aaaaaaaa"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tg := viaFloodingProxy(t, Cluster, "http://"+testutil.FloodProxy(t, tt.flood, floodTotal))
			var ev Evidence
			alloc := testutil.AllocatedBytes(func() { ev = Run(context.Background(), tg) })
			assert.Less(t, alloc, uint64(maxAllocated), "bytes allocated during the run")

			require.Error(t, ev.Main.Err, "Go's transport refuses the flood too")
			require.NotNil(t, ev.Handshake, "the CONNECT asked by hand")
			cut := ev.Handshake.ProxyAnswerTooLarge
			require.NotNil(t, cut, "the evidence records the answer cut at its bound: %v", ev.Handshake.HandshakeErr)
			assert.Equal(t, MaxAnswerHeader, cut.Limit)
			assert.Equal(t, tt.lines, cut.Lines > 0, "lines: %d", cut.Lines)
			assert.True(t, bytes.HasPrefix(cut.Start, []byte(tt.start)), "start: %q", cut.Start)
			assert.LessOrEqual(t, len(cut.Start), quotedStart)
			assert.True(t, errors.Is(ev.Handshake.HandshakeErr, errAnswerTooLarge), "stopped by the bound, not by the deadline: %v", ev.Handshake.HandshakeErr)
			assert.Nil(t, ev.Handshake.ProxyAnswer)
			assert.False(t, ev.Handshake.ProxySpeaksTLS, "a flood is no TLS server: not asked")
		})
	}
}

// The plaintext CONNECT asked of an https:// proxy that fails the TLS handshake reads one
// line: one without end is cut at MaxAnswerHeader.
func TestFloodingPlainHTTPCheckIsBounded(t *testing.T) {
	tg := viaFloodingProxy(t, OTLP, "https://"+testutil.FloodProxy(t, testutil.FloodLine, floodTotal))
	var ev Evidence
	alloc := testutil.AllocatedBytes(func() { ev = Run(context.Background(), tg) })
	assert.Less(t, alloc, uint64(maxAllocated), "bytes allocated during the run")

	require.Error(t, ev.Main.Err)
	cut := ev.PlainConnectTooLarge
	require.NotNil(t, cut, "the evidence records the answer cut at its bound")
	assert.Equal(t, MaxAnswerHeader, cut.Limit)
	assert.Zero(t, cut.Lines)
	assert.True(t, bytes.HasPrefix(cut.Start, []byte("aaaa")), "start: %q", cut.Start)
	assert.False(t, ev.ProxySpeaksPlainHTTP)
}

// A proxy whose refusal comes within the bound is read as before, its page included, even
// when its headers come close to the bound.
func TestProxyAnswerWithinTheBound(t *testing.T) {
	header := "X-Big: " + strings.Repeat("b", MaxAnswerHeader-1024) + "\r\n"
	proxy := testutil.RawServer(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		_, _ = c.Read(buf)
		_, _ = c.Write([]byte("HTTP/1.1 403 Forbidden\r\n" + header + "Content-Length: 6\r\n\r\ndenied"))
		_ = c.Close()
	})
	ev := Run(context.Background(), viaFloodingProxy(t, Cluster, "http://"+proxy))
	require.NotNil(t, ev.Handshake)
	assert.Nil(t, ev.Handshake.ProxyAnswerTooLarge)
	require.NotNil(t, ev.Handshake.ProxyAnswer, "%v", ev.Handshake.HandshakeErr)
	assert.Equal(t, http.StatusForbidden, ev.Handshake.ProxyAnswer.Status)
	assert.Equal(t, "denied", string(ev.Handshake.ProxyAnswer.Body))
}

// What the evidence quotes of a flood carries none of the proxy's credentials, even when the
// proxy echoes them.
func TestFloodQuotesNoSecret(t *testing.T) {
	proxy := testutil.RawServer(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		n, _ := c.Read(buf)
		echo := ""
		for _, line := range strings.Split(string(buf[:n]), "\r\n") {
			if strings.HasPrefix(line, "Proxy-Authorization:") {
				echo = "X-Echo: " + strings.TrimPrefix(line, "Proxy-Authorization: ")
			}
		}
		_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\n" + echo + "\r\n"))
		for i := 0; i < 64; i++ {
			if _, err := c.Write([]byte(strings.Repeat("X-Flood: a\r\n", 1024))); err != nil {
				return
			}
		}
	})
	proxyURL := "http://probe:Pr0xyS3cret@" + proxy
	tg := viaFloodingProxy(t, Cluster, proxyURL)
	tg.Redactor = NewRedactor(Secrets{ProxyURLs: []string{proxyURL}})
	ev := Run(context.Background(), tg)
	require.NotNil(t, ev.Handshake, "%v", ev.Main.Err)
	cut := ev.Handshake.ProxyAnswerTooLarge
	require.NotNil(t, cut, "%v %+v", ev.Handshake.HandshakeErr, ev.Handshake.ProxyAnswer)
	assert.Contains(t, string(cut.Start), "X-Echo: Basic "+Redacted)
	assert.NotContains(t, string(cut.Start), "cHJvYmU6UHIweHlTM2NyZXQ=")
}
