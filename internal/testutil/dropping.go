package testutil

import (
	"net"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// DroppingAddr returns a loopback address whose listener never accepts and whose accept
// queue is full: the kernel drops further SYNs, as a firewall that drops packets would, so a
// connection attempt there ends only at the caller's timeout. No rule or root is needed.
func DroppingAddr(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Listen(fd, 0); err != nil {
		t.Fatal(err)
	}
	sa, _ := syscall.Getsockname(fd)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(sa.(*syscall.SockaddrInet4).Port))
	var held []net.Conn
	for range 16 {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err != nil {
			break // the queue is full: SYNs are dropped from now on
		}
		held = append(held, c)
	}
	t.Cleanup(func() {
		for _, c := range held {
			_ = c.Close()
		}
		_ = syscall.Close(fd)
	})
	return addr
}
