package probe

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"time"
)

// Bounds of what the probe reads by hand from a proxy or a server, as Go's transport bounds
// its own reads (MaxResponseHeaderBytes, 10 MB by default; one minute for a proxy's answer to
// CONNECT). The other reads by hand take a fixed number of bytes: SOCKS replies (2 bytes
// each), the raw reply of a port that does not speak HTTP (rawReply, 256 bytes); TLS
// handshakes are bounded by crypto/tls.
const (
	// MaxAnswerHeader bounds the status line and headers of an answer read by hand: a proxy's
	// answer to CONNECT, the first line of its answer to a plaintext CONNECT. Real proxies'
	// answers are well under 2 KiB (squid's 407 with its headers is about 600 bytes).
	MaxAnswerHeader = 32 << 10
	// handReadTimeout bounds a read by hand whose context has no deadline, as Go's transport
	// bounds its wait for a proxy's answer to CONNECT. A probe's reads end at its timeout.
	handReadTimeout = time.Minute
	// quotedStart is how much of an answer cut at its bound the evidence keeps, to be quoted.
	quotedStart = 256
)

// errAnswerTooLarge ends a read by hand that reached its bound.
var errAnswerTooLarge = fmt.Errorf("answer exceeds the probe's bound of %d bytes", MaxAnswerHeader)

// AnswerTooLarge records an answer read by hand that did not end within its bound: the
// probe stopped reading there, as Go's transport stops at MaxResponseHeaderBytes.
type AnswerTooLarge struct {
	// Limit is the bound in bytes: that many came without the end of the answer's headers
	// (or of its first line, for the plaintext CONNECT).
	Limit int
	// Lines is how many complete lines came within the bound (0: one line without end).
	Lines int
	// Start is the answer's first bytes as they came (at most 256), to be quoted.
	Start []byte
}

// boundedReader reads at most left bytes from r, keeping the first of them and counting
// lines, so that an answer cut at its bound can be described.
type boundedReader struct {
	r     io.Reader
	limit int
	left  int
	start []byte
	lines int
}

func newBoundedReader(r io.Reader, limit int) *boundedReader {
	return &boundedReader{r: r, limit: limit, left: limit}
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, errAnswerTooLarge
	}
	if len(p) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= n
	if room := quotedStart - len(b.start); room > 0 {
		b.start = append(b.start, p[:min(n, room)]...)
	}
	b.lines += bytes.Count(p[:n], []byte{'\n'})
	return n, err
}

// extend allows n more bytes, for a body read after headers that fit.
func (b *boundedReader) extend(n int) { b.left += n }

// tooLarge describes the answer when reading it failed (err) at the bound: the failure may be
// the bound's own error, or a parser's on the line the bound cut; nil otherwise.
func (b *boundedReader) tooLarge(err error) *AnswerTooLarge {
	if err == nil || b.left > 0 {
		return nil
	}
	return &AnswerTooLarge{Limit: b.limit, Lines: b.lines, Start: bytes.Clone(b.start)}
}

// readLine reads conn's first line, at most MaxAnswerHeader bytes of it.
func readLine(conn net.Conn) (string, *AnswerTooLarge, error) {
	br := newBoundedReader(conn, MaxAnswerHeader)
	line, err := bufio.NewReader(br).ReadString('\n')
	return line, br.tooLarge(err), err
}

// boundTime bounds every read and write on conn by ctx's deadline, or by handReadTimeout
// when ctx has none: a read by hand has no context of its own.
func boundTime(ctx context.Context, conn net.Conn) {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(handReadTimeout)
	}
	_ = conn.SetDeadline(deadline)
}

func proxyAnswerTooLarge(hc *HandshakeCheck) *AnswerTooLarge {
	if hc == nil {
		return nil
	}
	return hc.ProxyAnswerTooLarge
}
