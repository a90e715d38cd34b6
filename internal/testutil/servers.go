package testutil

import (
	"bufio"
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ServeTLSLikeElasticsearch serves handler over TLS on a loopback port and, like
// Elasticsearch with TLS on its HTTP layer, closes plaintext connections without a word.
func ServeTLSLikeElasticsearch(t testing.TB, cert tls.Certificate, handler http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tlsCfg := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	filtered := &plaintextClosingListener{Listener: ln, tls: tlsCfg}
	go func() { _ = srv.Serve(filtered) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

type plaintextClosingListener struct {
	net.Listener
	tls *tls.Config
}

func (l *plaintextClosingListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		br := bufio.NewReader(c)
		first, err := br.Peek(1)
		_ = c.SetReadDeadline(time.Time{})
		if err != nil || first[0] != 0x16 { // 0x16: a TLS handshake record
			_ = c.Close()
			continue
		}
		return tls.Server(&peekedConn{Conn: c, r: br}, l.tls), nil
	}
}

type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// RawServer accepts on a loopback port and hands every connection to fn; Cleanup closes
// the listener and every connection still open.
func RawServer(t testing.TB, fn func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			wg.Go(func() { fn(c) })
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for _, c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String()
}

// ClosedPort returns a loopback address where nothing listens, held until the test ends: a
// socket bound there and never listening refuses every connection, and no other listener can
// be given that port meanwhile (a port merely closed again can be, and then answers).
func ClosedPort(t testing.TB) string {
	t.Helper()
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = unix.Close(fd) })
	if err := unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*unix.SockaddrInet4).Port))
}

// RawServerHTTP serves handler over plain HTTP on a loopback port and returns its address.
func RawServerHTTP(t testing.TB, handler http.Handler) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 5 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return ln.Addr().String()
}

// SNIFilter stands in front of a TLS server: a ClientHello naming blocked is cut (reset) or
// held unanswered, any other is passed through, as a firewall filtering by name does.
func SNIFilter(t testing.TB, backend, blocked string, reset bool) string {
	return RawServer(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		n, _ := c.Read(buf)
		if strings.Contains(string(buf[:n]), blocked) {
			if reset {
				_ = c.(*net.TCPConn).SetLinger(0)
				_ = c.Close()
				return
			}
			_, _ = c.Read(buf) // held until the client leaves
			return
		}
		up, err := net.Dial("tcp", backend)
		if err != nil {
			return
		}
		defer func() { _ = up.Close() }()
		_, _ = up.Write(buf[:n])
		go func() { _, _ = io.Copy(up, c) }()
		_, _ = io.Copy(c, up)
	})
}

// EchoHeaders answers status with an HTML page quoting every request header, as some WAFs and
// debug gateways do: what a probe sends comes back in the page.
func EchoHeaders(status int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b strings.Builder
		_ = r.Header.Write(&b)
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(status)
		_, _ = w.Write([]byte("<html><head><title>Echo</title></head><body><pre>" + b.String() + "</pre> é</body></html>"))
	}
}
