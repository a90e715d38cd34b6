package probe

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"
)

// mainShare is the part of a probe's timeout its first request may take; the rest is kept
// for the follow-up handshakes a stall calls for, so the verdict still comes within timeout.
const mainShare = 0.8

// ClampedMSS is a TCP segment size small enough for a 576-byte path (IPv4's minimum MTU,
// less 40 bytes of IP and TCP headers).
const ClampedMSS = 536

// StallCheck holds two handshakes made after a TLS handshake naming the host was cut or
// never answered, each to the same address: one naming no host, one with small segments.
type StallCheck struct {
	// NoNameReply: a handshake sending no server name got the server's reply.
	NoNameReply bool
	// SmallSegmentsReply: a handshake naming the host over a connection whose MSS is clamped
	// got the server's reply (nil when not tried: only a stall calls for it).
	SmallSegmentsReply *bool
}

// checkStall runs the follow-up handshakes to addr in parallel. The clamped one only when the
// first handshake stalled: a reset is no packet-size problem.
func checkStall(ctx context.Context, addr, serverName string, stalled bool) *StallCheck {
	sc := &StallCheck{}
	var wg sync.WaitGroup
	wg.Go(func() { sc.NoNameReply = tlsReply(ctx, &net.Dialer{}, addr, "") })
	if stalled {
		wg.Go(func() {
			ok := tlsReply(ctx, &net.Dialer{Control: clampMSS}, addr, serverName)
			sc.SmallSegmentsReply = &ok
		})
	}
	wg.Wait()
	return sc
}

// tlsReply: a handshake to addr, sending serverName ("": none), got the server's answer, a
// completed handshake or an alert of its own. Nothing is verified and nothing is sent after.
func tlsReply(ctx context.Context, d *net.Dialer, addr, serverName string) bool {
	conn, err := dialBounded(ctx, d, addr)
	if err != nil {
		return false
	}
	defer func() { _ = conn.Close() }()
	cfg := &tls.Config{ServerName: serverName, InsecureSkipVerify: true, MinVersion: tls.VersionTLS12} //nolint:gosec // a reachability check: nothing is verified or sent
	err = tls.Client(conn, cfg).HandshakeContext(ctx)
	return err == nil || IsTLSAlert(err)
}

// IsTLSAlert: the peer ended the TLS session with an alert of its own. Over TCP Go reports a
// received alert as a *net.OpError whose Op is "remote error", and a local one as tls.AlertError.
func IsTLSAlert(err error) bool {
	var alert tls.AlertError
	var op *net.OpError
	return errors.As(err, &alert) || (errors.As(err, &op) && op.Op == "remote error")
}

// RemoteAlert is the description of a TLS alert the peer sent ("certificate required", "bad
// certificate"), "" for any other error. Go keeps received alerts in an unexported type whose
// text is "tls: " and the description: the one place the probe reads it.
func RemoteAlert(err error) string {
	var op *net.OpError
	if err == nil || !errors.As(err, &op) || op.Op != "remote error" || op.Err == nil {
		return ""
	}
	return strings.TrimPrefix(op.Err.Error(), "tls: ")
}

// IsReset: the peer cut the connection (a reset, or a close before the answer was complete).
func IsReset(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

func clampMSS(_, _ string, c syscall.RawConn) error {
	var serr error
	if err := c.Control(func(fd uintptr) {
		serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_TCP, syscall.TCP_MAXSEG, ClampedMSS)
	}); err != nil {
		return err
	}
	return serr
}

// speaksPlainHTTP: addr answers a plaintext CONNECT with an HTTP status line, as a proxy
// that does not speak TLS does. tooLarge: its first line did not end within MaxAnswerHeader.
func speaksPlainHTTP(ctx context.Context, addr, target string) (speaks bool, tooLarge *AnswerTooLarge) {
	conn, err := dialBounded(ctx, &net.Dialer{}, addr)
	if err != nil {
		return false, nil
	}
	defer func() { _ = conn.Close() }()
	// A proxy that waits for more input gets two seconds, not the rest of the budget.
	if deadline := time.Now().Add(2 * time.Second); !hasDeadlineBefore(ctx, deadline) {
		_ = conn.SetDeadline(deadline)
	}
	if _, err := conn.Write([]byte("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n")); err != nil {
		return false, nil
	}
	line, tooLarge, err := readLine(conn)
	return err == nil && strings.HasPrefix(line, "HTTP/1."), tooLarge
}

// stalledInTLS: the request connected and started TLS, but the handshake never finished.
func stalledInTLS(ex *Exchange) bool {
	return ex.Err != nil && ex.Response == nil && ex.Progress.Connected && ex.Progress.TLSStarted && !ex.Progress.TLSDone
}

// IsTimeout: err is a deadline or a network timeout.
func IsTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// dialBounded connects to addr with d, and bounds everything done on the connection in time
// (boundTime): a handshake or read by hand has no context of its own.
func dialBounded(ctx context.Context, d *net.Dialer, addr string) (net.Conn, error) {
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	boundTime(ctx, conn)
	return conn, nil
}

func hasDeadlineBefore(ctx context.Context, t time.Time) bool {
	d, ok := ctx.Deadline()
	return ok && d.Before(t)
}
