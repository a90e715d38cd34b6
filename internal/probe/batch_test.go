package probe

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/autoopsprobe/autoops-probe/internal/testutil"
)

// The batch-sized POST goes after the intake's answer to the small one, labelled gzip, holding
// bytes no compression shrinks, without the token the small POST carried; a box that refuses
// bodies over 1 MiB answers it 413.
func TestBatchCheck(t *testing.T) {
	var mu sync.Mutex
	var big *http.Request
	var received, compressed int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength <= 1<<20 {
			w.WriteHeader(http.StatusUnsupportedMediaType) // the intake, to the token
			return
		}
		// What a box in the path could make of the body by compressing it.
		cw := &countingWriter{}
		zw := gzip.NewWriter(cw)
		n, _ := io.Copy(zw, r.Body)
		_ = zw.Close()
		mu.Lock()
		big, received, compressed = r, n, cw.n
		mu.Unlock()
		http.Error(w, "<html><center><h1>413 Request Entity Too Large</h1></center></html>", http.StatusRequestEntityTooLarge)
	}))
	defer srv.Close()
	tg := target(t, OTLP, srv.URL+OTLPPath)
	tg.Token = "AOT-s3cret"
	tg.BatchSize = 4 << 20
	ev := Run(context.Background(), tg)

	require.NotNil(t, ev.Batch)
	require.NotNil(t, ev.Batch.Exchange.Response)
	assert.Equal(t, http.StatusRequestEntityTooLarge, ev.Batch.Exchange.Response.Status)
	mu.Lock()
	defer mu.Unlock()
	require.NotNil(t, big)
	assert.Equal(t, int64(4<<20), received)
	assert.Empty(t, big.Header.Get("Authorization"), "no credentials on the batch-sized POST")
	assert.Equal(t, "gzip", big.Header.Get("Content-Encoding"))
	assert.GreaterOrEqual(t, compressed, received, "gzip cannot make the body smaller")
}

// Without otlp.check_batch_size, or after an answer that is not the intake's, nothing more is
// sent.
func TestBatchCheckOnlyWhenAsked(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(testutil.OTLP401))
	defer srv.Close()
	assert.Nil(t, Run(context.Background(), target(t, OTLP, srv.URL+OTLPPath)).Batch)

	down := target(t, OTLP, "http://"+testutil.ClosedPort(t)+OTLPPath)
	down.BatchSize = 1 << 20
	assert.Nil(t, Run(context.Background(), down).Batch)
}

type countingWriter struct{ n int64 }

func (c *countingWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }
