package probe

import (
	"context"
	"net"
	"net/http"
	"strconv"
)

// TunnelPort is the port proxies allow CONNECT to by default (squid's SSL_ports).
const TunnelPort = 443

// PortCheck is a proxy's answer to CONNECT to port 443 of the endpoint's host, asked after it
// refused CONNECT to the endpoint's own port: a proxy that tunnels one and refuses the other
// refuses the port, not the host.
type PortCheck struct {
	Port int
	// Answer is the proxy's answer to that CONNECT (nil when none came).
	Answer *Response
}

// refusedNon443: through an HTTP proxy, CONNECT to a port other than 443 was refused with 403.
func refusedNon443(r *run) bool {
	hc := r.ev.Handshake
	return r.proxy != nil && !isSOCKS(r.proxy) && r.ev.ServerPort != TunnelPort &&
		hc.ProxyRefused() && hc.ProxyAnswer.Status == http.StatusForbidden
}

// checkPort asks the proxy for CONNECT to port 443 of the same host, without any credential
// (neither the proxy URL's nor proxy_headers), sends nothing through a tunnel it opens and
// closes it at once.
func checkPort(ctx context.Context, r *run) *PortCheck {
	bare := *r.proxy
	bare.User = nil
	target := net.JoinHostPort(r.ev.ServerAddress, strconv.Itoa(TunnelPort))
	hc := &HandshakeCheck{}
	conn, _ := connectThroughProxy(ctx, &net.Dialer{}, &bare, target, nil, hc)
	if conn != nil {
		_ = conn.Close()
	}
	return &PortCheck{Port: TunnelPort, Answer: hc.ProxyAnswer}
}
