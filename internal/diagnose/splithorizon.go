package diagnose

import (
	"net/netip"
	"strings"
)

// A private DNS zone that shadows a public Elastic Cloud name (contract v5, "Diagnosis v5"):
// Elastic Cloud's public names never resolve to private addresses, so one that does was
// answered by a zone of this network, and whatever failed, failed at an address of that zone.

// sharedAddressSpace is RFC 6598's 100.64.0.0/10 (carrier-grade NAT, and many overlay networks).
var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

// privateRange names the private range ip is in ("" when it is in none).
func privateRange(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case ip.Is4() && ip.IsPrivate():
		return "RFC 1918"
	case sharedAddressSpace.Contains(ip):
		return "100.64.0.0/10, RFC 6598"
	case ip.IsPrivate():
		return "fc00::/7, RFC 4193"
	}
	return ""
}

// splitHorizon: a cloud probe's public Elastic Cloud name resolved, here, to a private address,
// and the run failed. Only a direct request resolves the name here; through a proxy the proxy
// does. The cluster is left out: a deployment reached through a private endpoint has a
// private address by design.
func splitHorizon(j *judgement) (string, bool) {
	ev := j.ev
	if j.cluster() || ev.Proxy != "" || !isElasticCloudName(ev.ServerAddress) {
		return "", false
	}
	// The address the run failed at, else any address the name resolved to.
	candidates := ev.Main.ResolvedAddresses
	if ev.Main.PeerAddress != "" {
		candidates = []string{ev.Main.PeerAddress}
	}
	for _, a := range candidates {
		ip, err := netip.ParseAddr(a)
		if err != nil {
			continue
		}
		if r := privateRange(ip); r != "" {
			return sentence("%s, a public Elastic Cloud name, resolved here to %s (all answers: %s), a private address (%s) that no public Elastic Cloud name has: a private DNS zone of this network shadows it",
				ev.ServerAddress, a, strings.Join(orNone(ev.Main.ResolvedAddresses), ", "), r)
		}
	}
	return "", false
}

func orNone(list []string) []string {
	if len(list) == 0 {
		return []string{"none recorded"}
	}
	return list
}

var splitHorizonRemedies = map[string]remedy{
	DNSSplitHorizon: {
		Meaning: "a public Elastic Cloud name (`api.elastic-cloud.com`, `*.elastic.cloud`, `*.cloud.elastic.co`) resolved to a private address (RFC 1918, `100.64.0.0/10`, `fc00::/7`) and the probe failed there: a private DNS zone shadows it",
		Brief:   "fix or scope the private zone that shadows the name",
		Guide:   "Tests 2-3, 'configure your HTTP proxy to allow it to reach the URL'; contract v5: Diagnosis v5 (dns_split_horizon)",
		Cluster: "The cluster's name resolved to a private address of a private DNS zone: check that zone's record for it.",
		Cloud:   "A private DNS zone on this network (a split-horizon view of the corporate resolver, a cloud private hosted zone or a Kubernetes stub domain for elastic-cloud.com, elastic.cloud or elastic.co) answers the public Elastic Cloud name with a private address, where nothing answers as Elastic Cloud: remove that zone, or scope it to the names it really serves, so that the name resolves to Elastic Cloud's public addresses (compare the local resolver's answer with a public resolver's). If the private address is meant to be an egress proxy, set HTTPS_PROXY or proxy_url instead.",
	},
}
