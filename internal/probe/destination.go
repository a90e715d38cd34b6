package probe

import (
	"context"
	"net"
	"time"
)

// proxyFailedToConnect: through an HTTP proxy reached, the tunnel never opened (a refused
// CONNECT is an error in Go's transport), or the proxy answered with a failure of its own (5xx): its page may name the
// address it failed to reach. Read before the CONNECT is asked again by hand, whose answer
// it cannot wait for: that check may spend the rest of the run on a proxy that hangs.
func proxyFailedToConnect(r *run) bool {
	if r.proxy == nil || isSOCKS(r.proxy) || !r.ev.Main.Progress.Connected {
		return false
	}
	if resp := r.ev.Main.Response; resp != nil {
		return resp.Status >= 500 && resp.ElasticProduct == ""
	}
	// No TLS began: the tunnel never opened (a timeout leaves no time to ask).
	return !r.ev.Main.Progress.TLSStarted && !IsTimeout(r.ev.Main.Err)
}

// lookupBound, or a quarter of what is left of the run, keeps a slow resolver from spending
// the time later collectors need.
const lookupBound = time.Second

// destinationAddresses are the endpoint host's addresses as this machine resolves them (the
// host itself when it is an IP); nil when the name does not resolve here, as where only the
// proxy resolves outside names. Only a lookup: nothing connects to them.
func destinationAddresses(ctx context.Context, host string) []string {
	if ip := net.ParseIP(host); ip != nil {
		return []string{ip.String()}
	}
	bound := lookupBound
	if deadline, ok := ctx.Deadline(); ok {
		bound = min(bound, time.Until(deadline)/4)
	}
	ctx, cancel := context.WithTimeout(ctx, bound)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupHost(ctx, host)
	if err != nil {
		return nil
	}
	return addrs
}
