package probe

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/elastic/autoops-probe/internal/testutil"
)

// BenchmarkOTLPProbe compares one probe run with a bare net/http request that has the same
// TLS settings and the same fresh connection per request: the difference is the probe's cost
// (tracing, bounded read, evidence).
func BenchmarkOTLPProbe(b *testing.B) {
	srv := httptest.NewTLSServer(http.HandlerFunc(testutil.OTLP401))
	defer srv.Close()
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	tlsCfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	newClient := func() *http.Client {
		return &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg, DisableKeepAlives: true}, Timeout: 10 * time.Second}
	}
	u, _ := url.Parse(srv.URL + OTLPPath)

	b.Run("probe", func(b *testing.B) {
		client := newClient()
		StopAtRedirects(client)
		t := &Target{Name: OTLP, URL: u, Client: client, TLS: tlsCfg, Timeout: 10 * time.Second}
		b.ReportAllocs()
		for b.Loop() {
			if ev := Run(context.Background(), t); ev.Main.Response == nil {
				b.Fatal(ev.Main.Err)
			}
		}
	})
	b.Run("bare", func(b *testing.B) {
		client := newClient()
		b.ReportAllocs()
		for b.Loop() {
			req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, u.String(), bytes.NewReader([]byte{}))
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
			_ = resp.Body.Close()
		}
	})
}
