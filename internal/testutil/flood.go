package testutil

import (
	"bytes"
	"net"
	"testing"
)

// Flood is what a hostile or broken proxy answers with instead of ending its answer.
type Flood int

const (
	// FloodHeaders: a status line, then header lines without end.
	FloodHeaders Flood = iota
	// FloodLine: one line without end (no newline ever comes).
	FloodLine
)

// FloodProxy is a hostile or broken proxy: to whatever it is sent (a CONNECT, a plaintext
// CONNECT, a TLS ClientHello) it answers with an endless stream of the given kind. It stops
// after total bytes (0: never) and then holds the connection open until the client leaves, so
// a client that reads without bound reads all of it and then waits for its own deadline.
func FloodProxy(t testing.TB, flood Flood, total int64) string {
	line := append([]byte("X-Flood: "), bytes.Repeat([]byte("a"), 53)...)
	line = append(line, "\r\n"...)
	chunk := bytes.Repeat(line, 512) // 32 KiB
	head := []byte("HTTP/1.1 200 Connection established\r\n")
	if flood == FloodLine {
		chunk = bytes.Repeat([]byte("a"), len(chunk))
		head = nil
	}
	return RawServer(t, func(c net.Conn) {
		buf := make([]byte, 4096)
		if _, err := c.Read(buf); err != nil {
			return
		}
		if _, err := c.Write(head); err != nil {
			return
		}
		for sent := int64(0); total <= 0 || sent < total; sent += int64(len(chunk)) {
			if _, err := c.Write(chunk); err != nil {
				return
			}
		}
		_, _ = c.Read(buf) // held until the client leaves
	})
}
