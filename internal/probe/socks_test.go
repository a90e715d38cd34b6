package probe

import (
	"context"
	"io"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// socksServer answers as a SOCKS5 proxy choosing method, checking the password against pass
// (when it chose 0x02), and replying code to CONNECT.
func socksServer(t *testing.T, method byte, pass string, code byte) string {
	return testutil.RawServer(t, func(c net.Conn) {
		buf := make([]byte, 512)
		if _, err := io.ReadFull(c, buf[:2]); err != nil {
			return
		}
		if _, err := io.ReadFull(c, buf[:buf[1]]); err != nil {
			return
		}
		_, _ = c.Write([]byte{5, method})
		if method == SOCKSMethodPassword {
			if _, err := io.ReadFull(c, buf[:2]); err != nil {
				return
			}
			user := make([]byte, buf[1])
			_, _ = io.ReadFull(c, user)
			_, _ = io.ReadFull(c, buf[:1])
			got := make([]byte, buf[0])
			_, _ = io.ReadFull(c, got)
			if string(got) != pass {
				_, _ = c.Write([]byte{1, 1})
				return
			}
			_, _ = c.Write([]byte{1, 0})
		} else if method != SOCKSMethodNone {
			return
		}
		if _, err := io.ReadFull(c, buf[:5]); err != nil {
			return
		}
		_, _ = io.ReadFull(c, buf[:int(buf[4])+2])
		_, _ = c.Write([]byte{5, code, 0, 1, 0, 0, 0, 0, 0, 0})
	})
}

func TestSOCKSCheckRecordsEachAnswer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	proxy := func(addr, user string) *url.URL {
		u, err := url.Parse("socks5://" + user + addr)
		require.NoError(t, err)
		return u
	}
	sc := checkSOCKS(ctx, proxy(socksServer(t, SOCKSMethodNone, "", 2), ""), "api.elastic-cloud.com:443")
	require.NotNil(t, sc)
	assert.True(t, sc.Replied)
	assert.Equal(t, byte(2), sc.Reply)
	assert.Equal(t, "connection not allowed by ruleset", SOCKSReplyText(sc.Reply))

	sc = checkSOCKS(ctx, proxy(socksServer(t, SOCKSMethodPassword, "right", 0), ""), "api.elastic-cloud.com:443")
	assert.Equal(t, &SOCKSCheck{Method: SOCKSMethodPassword}, sc, "no credentials to offer: it stops at the request for them")

	sc = checkSOCKS(ctx, proxy(socksServer(t, SOCKSMethodPassword, "right", 0), "probe:wrong@"), "api.elastic-cloud.com:443")
	assert.True(t, sc.AuthFailed)

	sc = checkSOCKS(ctx, proxy(socksServer(t, SOCKSMethodPassword, "right", 5), "probe:right@"), "api.elastic-cloud.com:443")
	assert.False(t, sc.AuthFailed)
	assert.Equal(t, byte(5), sc.Reply)

	sc = checkSOCKS(ctx, proxy(socksServer(t, SOCKSMethodNoneAcceptable, "", 0), ""), "api.elastic-cloud.com:443")
	assert.Equal(t, SOCKSMethodNoneAcceptable, sc.Method)
	assert.False(t, sc.Replied)

	assert.Nil(t, checkSOCKS(ctx, proxy(testutil.ClosedPort(t), ""), "api.elastic-cloud.com:443"), "no proxy to ask")
}
