package probe

import (
	"context"
	"crypto/tls"
	"io"
	"math/rand/v2"
	"net/http"
	"time"
)

// BatchCheck is what came of a POST to the intake the size of the agent's batches
// (otlp.check_batch_size): incompressible bytes labelled gzip, as its exporter sends them
// compressed, and no credential of any kind.
type BatchCheck struct {
	Size     int64
	Exchange Exchange
}

// batchCalledFor: the intake probe is set to check its batch size, and its small POST got an
// answer with one of the statuses the intake gives it (401 without a token, 415 with one).
func batchCalledFor(r *run) bool {
	m := &r.ev.Main
	return r.target.Name == OTLP && r.target.BatchSize > 0 && m.Err == nil && m.Response != nil &&
		(m.Response.Status == http.StatusUnauthorized || m.Response.Status == http.StatusUnsupportedMediaType)
}

// checkBatch sends the batch-sized POST through the plan's route and TLS, with a client of its
// own: the probe's client may add configured headers, and this request carries none. It asks
// for "100 Continue" first: an intake that refuses the missing credentials before reading the
// body then answers cleanly instead of cutting the upload, so a cut after "continue" is
// something refusing the body, and a box that checks the size answers before it comes.
func checkBatch(ctx context.Context, r *run) *BatchCheck {
	tlsCfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if r.target.TLS != nil {
		tlsCfg = r.target.TLS.Clone()
	}
	client := &http.Client{Transport: &http.Transport{
		TLSClientConfig: tlsCfg, Proxy: http.ProxyURL(r.proxy), DisableKeepAlives: true, ExpectContinueTimeout: time.Second,
	}}
	StopAtRedirects(client)
	defer client.CloseIdleConnections()
	body := make([]byte, r.target.BatchSize)
	_, _ = io.ReadFull(rand.NewChaCha8([32]byte{}), body) // random: no compression shrinks them
	header := http.Header{"Content-Type": {"application/x-protobuf"}, "Content-Encoding": {"gzip"}, "Expect": {"100-continue"}}
	ex, _ := exchange(ctx, client, request{method: http.MethodPost, url: r.target.URL.String(), path: r.target.URL.Path, header: header, body: body})
	return &BatchCheck{Size: r.target.BatchSize, Exchange: ex}
}
