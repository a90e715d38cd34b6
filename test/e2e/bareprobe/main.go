// Command bareprobe does, in plain net/http, exactly the connections, handshakes and requests
// of the autoops_probe receiver's passing runs, on the same schedule: the baseline its cost is
// measured against (test/e2e/cost_test.go, make cost). Each of -k instances, every -interval:
// three fresh TLS connections in parallel, the cluster's four requests over one of them, one
// POST to each cloud path.
package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

const privileges = `{"cluster":["monitor","read_ilm","read_slm"],"index":[{"allow_restricted_indices":true,"names":["*"],"privileges":["monitor","view_index_metadata"]}]}`

func main() {
	k := flag.Int("k", 1, "instances")
	interval := flag.Duration("interval", time.Second, "run interval of each instance")
	url := flag.String("url", "", "base URL of the loopback server")
	caFile := flag.String("ca", "", "CA file")
	flag.Parse()
	pem, err := os.ReadFile(*caFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	var runs atomic.Int64
	var wg sync.WaitGroup
	for i := range *k {
		wg.Go(func() {
			tlsCfg := &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
			cluster := &http.Transport{TLSClientConfig: tlsCfg, ForceAttemptHTTP2: true}
			cloud := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsCfg, DisableKeepAlives: true, ForceAttemptHTTP2: true}}
			// Spread as the receiver spreads its instances over the interval.
			offset := time.Duration(i) * *interval / time.Duration(*k)
			t := time.NewTimer(time.Second + offset)
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
				t.Reset(*interval)
				run(*url, cluster, cloud)
				runs.Add(1)
			}
		})
	}
	wg.Wait()
	fmt.Println(runs.Load())
}

func run(url string, cluster *http.Transport, cloud *http.Client) {
	var wg sync.WaitGroup
	wg.Go(func() {
		c := &http.Client{Transport: cluster, Timeout: 10 * time.Second}
		for _, r := range []struct{ method, path, body string }{
			{http.MethodGet, "/", ""},
			{http.MethodGet, "/_license", ""},
			{http.MethodGet, "/_security/_authenticate", ""},
			{http.MethodPost, "/_security/user/_has_privileges", privileges},
		} {
			req, _ := http.NewRequest(r.method, url+r.path, bytes.NewReader([]byte(r.body)))
			req.Header.Set("Authorization", "ApiKey aWQ6c2VjcmV0")
			if r.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			do(c, req)
		}
		cluster.CloseIdleConnections()
	})
	for _, path := range []string{"/api/v1/cloud-connected/clusters", "/v1/logs"} {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodPost, url+path, bytes.NewReader([]byte("{}")))
			req.Header.Set("Content-Type", "application/json")
			do(cloud, req)
		})
	}
	wg.Wait()
}

func do(c *http.Client, req *http.Request) {
	resp, err := c.Do(req)
	if err != nil {
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}
