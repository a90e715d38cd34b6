package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"syscall"
	"time"
)

// Address families: a name with addresses of one family only, on a host without a route for
// that family (an AAAA-only name on a host without IPv6), fails at every address at once.

// FallbackDelay is how long Go's dialer waits on the first address family before it tries
// the other (net.Dialer.FallbackDelay's default); the agent's module waits its connect
// timeout per address.
const FallbackDelay = 300 * time.Millisecond

// Address families as semconv's network.type names them.
const (
	FamilyIPv4 = "ipv4"
	FamilyIPv6 = "ipv6"
)

// FamilyOf is the family of an IP address ("" when it is none).
func FamilyOf(addr string) string {
	ip, err := netip.ParseAddr(addr)
	switch {
	case err != nil:
		return ""
	case ip.Unmap().Is4():
		return FamilyIPv4
	}
	return FamilyIPv6
}

// FamilyCheck is what this host can route, asked after every address of a name of one family
// failed to connect for want of a route.
type FamilyCheck struct {
	// Family is the one family of the name's addresses.
	Family string
	// Routed: this host has a route to a global address of that family; OtherRouted: of the
	// other family.
	Routed, OtherRouted bool
}

// routeProbes are documentation addresses (RFC 5737, RFC 3849): connecting a UDP socket to
// one asks the kernel for a route and sends nothing.
var routeProbes = map[string]string{FamilyIPv4: "192.0.2.1:9", FamilyIPv6: "[2001:db8::1]:9"}

// hasRoute: the kernel has a route from this host to a global address of family.
func hasRoute(ctx context.Context, family string) bool {
	var d net.Dialer
	c, err := d.DialContext(ctx, "udp", routeProbes[family])
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// IsNoRouteForFamily: the connect failed before any packet for want of a route or a source
// address of the destination's family (ENETUNREACH, EADDRNOTAVAIL, EAFNOSUPPORT).
func IsNoRouteForFamily(err error) bool {
	return errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EADDRNOTAVAIL) || errors.Is(err, syscall.EAFNOSUPPORT)
}

// oneFamily is the family every address has ("" when they are of both, or none).
func oneFamily(addrs []string) string {
	family := ""
	for _, a := range addrs {
		f := FamilyOf(a)
		if f == "" || family != "" && f != family {
			return ""
		}
		family = f
	}
	return family
}

// needsFamilyCheck: direct, the name resolved to addresses of one family, and connecting to
// them failed for want of a route.
func needsFamilyCheck(r *run) bool {
	m := &r.ev.Main
	return r.proxy == nil && m.Err != nil && !m.Progress.Connected && IsNoRouteForFamily(m.Err) && oneFamily(m.ResolvedAddresses) != ""
}

func checkFamilies(ctx context.Context, addrs []string) *FamilyCheck {
	family := oneFamily(addrs)
	other := FamilyIPv4
	if family == FamilyIPv4 {
		other = FamilyIPv6
	}
	return &FamilyCheck{Family: family, Routed: hasRoute(ctx, family), OtherRouted: hasRoute(ctx, other)}
}
