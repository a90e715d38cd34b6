package diagnose

import (
	"net"
	"net/netip"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// noProxyIgnored finds a NO_PROXY entry that looks meant for the endpoint but that Go's
// matching ignores (autoops-facts.md, "Field facts"): a CIDR when the URL names a host, a
// wildcard such as 10.*, entries separated by ';', or Windows' <local>. It returns the entry,
// or "" when none applies (or no proxy from the environment was used).
func noProxyIgnored(ev *probe.Evidence) string {
	if ev.NoProxy == "" || ev.Proxy == "" {
		return ""
	}
	host := strings.ToLower(ev.ServerAddress)
	hostIsIP := net.ParseIP(host) != nil
	for _, entry := range strings.FieldsFunc(ev.NoProxy, func(r rune) bool { return r == ',' || r == ';' || r == ' ' }) {
		e := strings.ToLower(strings.TrimSpace(entry))
		switch {
		case e == "<local>":
			if !strings.Contains(host, ".") {
				return entry
			}
		case strings.Contains(e, "/"):
			if prefix, err := netip.ParsePrefix(e); err == nil && !hostIsIP && anyWithin(ev.HostAddresses, prefix) {
				return entry
			}
		case strings.HasSuffix(e, "*") || (strings.Contains(e, "*") && !strings.HasPrefix(e, "*.")):
			if before, _, _ := strings.Cut(e, "*"); before != "" && strings.HasPrefix(host, before) {
				return entry
			}
		case strings.Contains(ev.NoProxy, ";") && matchesLikeGo(host, e):
			// The entry itself is right, but Go reads "a;b" as one entry.
			return entry
		}
	}
	return ""
}

func anyWithin(addrs []string, prefix netip.Prefix) bool {
	for _, a := range addrs {
		if ip, err := netip.ParseAddr(a); err == nil && prefix.Contains(ip.Unmap()) {
			return true
		}
	}
	return false
}

// matchesLikeGo: host equals the entry, or is a subdomain of ".x" / "*.x" / "x".
func matchesLikeGo(host, entry string) bool {
	entry = strings.TrimPrefix(strings.TrimPrefix(entry, "*"), ".")
	if h, _, err := net.SplitHostPort(entry); err == nil {
		entry = h
	}
	return entry != "" && (host == entry || strings.HasSuffix(host, "."+entry))
}
