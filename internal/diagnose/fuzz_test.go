package diagnose

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/metadata"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// transportErrors are the shapes of error Go's client returns, as the transport builds them.
var transportErrors = []error{
	nil,
	&net.DNSError{Err: "no such host", Name: "api.elastic-cloud.com", IsNotFound: true},
	&net.DNSError{Err: "i/o timeout", Name: "api.elastic-cloud.com", IsTimeout: true},
	&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)},
	&net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ENETUNREACH)},
	&net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)},
	&net.OpError{Op: "proxyconnect", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)},
	context.DeadlineExceeded,
	io.EOF,
	io.ErrUnexpectedEOF,
	&tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}},
	&tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: &x509.Certificate{}, Host: "x"}},
	&tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Cert: &x509.Certificate{}, Reason: x509.Expired}},
	tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"},
	tls.AlertError(40),
	&net.OpError{Op: "remote error", Err: errors.New("tls: certificate required")},
	errors.New("Filtered"),
}

// Whatever the evidence, the diagnosis gives a verdict in the contract's terms.
func FuzzDiagnose(f *testing.F) {
	f.Add(uint8(0), 200, []byte(`{"cluster_name":"c","cluster_uuid":"u","version":{"number":"9.1.3"}}`), uint8(0), uint8(0xff), false)
	f.Add(uint8(1), 401, []byte(`{"UnauthorizedMessages":["Invalid credential headers"],"Cause":null}`), uint8(0), uint8(0xff), false)
	f.Add(uint8(2), 401, []byte(`{"code":16,"message":"no auth provided"}`), uint8(0), uint8(0xff), true)
	f.Add(uint8(0), 0, []byte{}, uint8(3), uint8(0), false)
	f.Add(uint8(1), 0, []byte{}, uint8(6), uint8(1), true)
	f.Add(uint8(2), 407, []byte("Proxy Authentication Required"), uint8(0), uint8(3), true)
	f.Add(uint8(2), 413, []byte("<html>413</html>"), uint8(0), uint8(128), false)
	f.Add(uint8(0), 503, []byte("the connection to x (10.0.0.1) could not be established"), uint8(8), uint8(128+2), true)
	f.Fuzz(func(t *testing.T, which uint8, status int, body []byte, errIdx uint8, progress uint8, proxied bool) {
		names := []probe.Name{probe.Cluster, probe.Registration, probe.OTLP}
		ev := probe.Evidence{Probe: names[int(which)%3], URL: "https://example.test:9200/", ServerAddress: "example.test", ServerPort: 9200}
		if proxied {
			ev.Proxy = "http://127.0.0.1:3128"
			ev.Handshake = &probe.HandshakeCheck{ProxyAnswer: &probe.Response{Status: status}}
		}
		ev.Main.Err = transportErrors[int(errIdx)%len(transportErrors)]
		ev.Main.Progress = probe.Progress{
			DNSDone: progress&1 != 0, Connected: progress&2 != 0, TLSStarted: progress&4 != 0,
			TLSDone: progress&8 != 0, WroteRequest: progress&16 != 0, FirstByte: progress&32 != 0,
		}
		if ev.Main.Err == nil || progress&64 != 0 {
			ev.Main.Response = &probe.Response{Status: status, Body: body}
			ev.License = &probe.Exchange{Response: &probe.Response{Status: 200, Body: body}}
			ev.Privileges = &probe.Exchange{Response: &probe.Response{Status: status, Body: body}}
		}
		if ev.Main.Err == nil && ev.Main.Response == nil {
			ev.Main.Err = &url.Error{Op: "Post", URL: ev.URL, Err: io.EOF}
		}
		c := Context{Credentials: CredentialsAPIKey}
		if progress&128 != 0 {
			// The path's follow-ups (contract v5): 443 asked again, the destination's
			// addresses, the batch-sized POST, a silence the previous run also had.
			ev.PortCheck = &probe.PortCheck{Port: probe.TunnelPort, Answer: &probe.Response{Status: status, Body: body}}
			ev.DestinationAddresses = []string{"198.51.100.1"}
			ev.Batch = &probe.BatchCheck{Size: 4 << 20, Exchange: probe.Exchange{Response: &probe.Response{Status: status, Body: body}, Progress: ev.Main.Progress}}
			ev.Main.Silence, c.PreviousSilence = 2*time.Second, 2*time.Second
		}
		v := Diagnose(&ev, c)
		if v.Passed != (v.ErrorType == "") {
			t.Fatalf("passed=%v with error.type %q", v.Passed, v.ErrorType)
		}
		if _, ok := metadata.MapAttributeErrorType[v.ErrorType]; !v.Passed && !ok {
			t.Fatalf("error.type %q is not in the contract", v.ErrorType)
		}
		for _, w := range v.Warnings {
			if _, ok := metadata.MapAttributeAutoopsProbeWarning[w]; !ok {
				t.Fatalf("warning %q is not in the contract", w)
			}
		}
		if v.Summary() == "" || (!v.Passed && v.Remedy == "") {
			t.Fatalf("verdict without words: %+v", v)
		}
	})
}
