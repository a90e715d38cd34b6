package testutil

import (
	"errors"
	"net"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestDroppingAddrTimesOut(t *testing.T) {
	addr := DroppingAddr(t)
	_, err := net.DialTimeout("tcp", addr, 300*time.Millisecond)
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("want a connect timeout, got %v", err)
	}
}
