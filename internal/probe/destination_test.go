package probe

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A proxy that does not open the tunnel: the destination's addresses are kept beside its
// page, for the diagnosis to tell a parent's address from the destination's.
func TestDestinationAddressesAfterAProxyFailure(t *testing.T) {
	for _, status := range []int{503, 403} {
		proxySrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(status)
		}))
		proxy, err := url.Parse(proxySrv.URL)
		require.NoError(t, err)
		tg := target(t, OTLP, "https://192.0.2.7/v1/logs")
		viaProxy(tg, proxy)
		ev := Run(context.Background(), tg)
		proxySrv.Close()
		require.NotNil(t, ev.Handshake, "status %d", status)
		assert.Equal(t, status, ev.Handshake.ProxyAnswer.Status)
		assert.Equal(t, []string{"192.0.2.7"}, ev.DestinationAddresses, "status %d", status)
	}
	// Without a proxy nothing else named an address: no lookup.
	ev := Run(context.Background(), target(t, OTLP, "https://127.0.0.1:1/v1/logs"))
	assert.Nil(t, ev.DestinationAddresses)
}
