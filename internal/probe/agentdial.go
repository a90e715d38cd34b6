package probe

import (
	"context"
	"errors"
	"math/rand/v2"
	"net"
	"time"
)

// AgentDialer dials as the agent module's transport does (elastic-agent-libs transport/tcp.go):
// the name resolved first, its addresses tried one by one in random order, each bounded by
// ConnectTimeout, with no Happy Eyeballs racing of address families.
type AgentDialer struct {
	ConnectTimeout time.Duration
}

// DialContext connects to addr ("host:port").
func (d AgentDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	ips, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil {
		return nil, err
	}
	rand.Shuffle(len(ips), func(i, j int) { ips[i], ips[j] = ips[j], ips[i] })
	var errs []error
	for _, ip := range ips {
		one := &net.Dialer{Timeout: d.ConnectTimeout}
		conn, err := one.DialContext(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return conn, nil
		}
		errs = append(errs, err)
		if ctx.Err() != nil {
			break
		}
	}
	if len(errs) == 1 {
		return nil, errs[0]
	}
	return nil, errors.Join(errs...)
}
