package diagnose

import (
	"fmt"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// Address families (contract v5, "Diagnosis v5"): a name whose addresses are all of a family
// this host cannot route, and a pass that came only on the fallback family.

// familyNames are how the evidence calls the families.
var familyNames = map[string]string{probe.FamilyIPv4: "IPv4", probe.FamilyIPv6: "IPv6"}

// addressFamilyUnreachable: every address of the name is of one family, connecting to each
// failed for want of a route, this host has no route for that family and has one for the
// other. Without a route for either family it is the host's network that is missing:
// network_unreachable, as before.
func addressFamilyUnreachable(j *judgement) (string, bool) {
	fc, m := j.ev.Families, &j.ev.Main
	if j.err == nil || fc == nil || fc.Routed || !fc.OtherRouted || m.Progress.Connected || !probe.IsNoRouteForFamily(j.err) {
		return "", false
	}
	other := probe.FamilyIPv4
	if fc.Family == probe.FamilyIPv4 {
		other = probe.FamilyIPv6
	}
	return sentence("%s has only %s addresses (%s), and this host has no %s route (it has %s): connecting failed at every one (%v)",
		j.ev.ServerAddress, familyNames[fc.Family], strings.Join(m.ResolvedAddresses, ", "), familyNames[fc.Family], familyNames[other], j.inner)
}

// fallbackAbandoned are the addresses of another family than the one connected to that were
// tried and given up while it waited on them: the connect that worked started only after
// FallbackDelay. An address that refused at once (a service listening on 127.0.0.1 only, for
// localhost's ::1) sent the dialer on without a wait, and is no black hole.
func fallbackAbandoned(j *judgement) []string {
	if !j.abandonedDone {
		j.abandonedDone = true
		j.abandoned = findFallbackAbandoned(j)
	}
	return j.abandoned
}

// findFallbackAbandoned derives fallbackAbandoned, which the warning and its note both read.
func findFallbackAbandoned(j *judgement) []string {
	m := &j.ev.Main
	connected := probe.FamilyOf(m.PeerAddress)
	// Through a proxy the addresses are the proxy's, which this warning's words do not fit.
	if j.ev.Proxy != "" || !m.Progress.Connected || connected == "" || m.ConnectedAfter < probe.FallbackDelay {
		return nil
	}
	var abandoned []string
	for _, a := range m.FailedAddresses {
		if f := probe.FamilyOf(a); f != "" && f != connected {
			abandoned = append(abandoned, a)
		}
	}
	return abandoned
}

// dualStackFallback: the run connected only on the other family, after addresses of the first
// were given up (Go's Happy Eyeballs waits 300 ms before it tries the fallback family).
func dualStackFallback(j *judgement) bool { return len(fallbackAbandoned(j)) > 0 }

// dualStackNote is the evidence of dual_stack_fallback: the abandoned addresses.
func dualStackNote(j *judgement) string {
	abandoned := fallbackAbandoned(j)
	if len(abandoned) == 0 {
		return ""
	}
	m := &j.ev.Main
	return fmt.Sprintf("connected to %s (%s) only after giving up %s, %d ms after the first attempt",
		m.PeerAddress, familyNames[probe.FamilyOf(m.PeerAddress)], strings.Join(abandoned, ", "), m.ConnectedAfter.Milliseconds())
}

var familyRemedies = map[string]remedy{
	AddressFamilyUnreachable: {
		Meaning: "every address of the name is of one family (an AAAA-only name, say) and this host has no route for that family, though it has one for the other",
		Brief:   "give the host, container or pod that family, or use a name with addresses of the other",
		Guide:   "Test 1, row 'endpoint URL incorrect/not reachable'; contract v5: Diagnosis v5 (address_family_unreachable)",
		Cluster: "The cluster's name has addresses of one family only, and this host (or its container or pod) has no route for that family: give it that family (IPv6 on the host, Docker's --ipv6 network, a dual-stack Kubernetes cluster), or use a name (or address) of the family it has.",
		Cloud:   "This Elastic Cloud name has addresses of one family only, and this host (or its container or pod) has no route for that family: give it that family (IPv6 on the host, Docker's --ipv6 network, a dual-stack Kubernetes cluster), or go through a proxy (HTTPS_PROXY) that has it.",
	},
}

var familyWarningRemedies = map[string]remedy{
	WarnDualStackFallback: {
		Meaning: "passed, but only on the fallback address family after the first was given up (Go waits 300 ms before trying it; the agent's module tries each address for up to 2 s); the evidence names the abandoned addresses",
		Brief:   "mend or remove the family that does not work (its route, firewall, or AAAA records)",
		Guide:   "contract v5: Diagnosis v5 (dual_stack_fallback)",
		Cluster: "The connection succeeded only on the other address family after the first family's addresses were given up: every new connection waits for them first (Go's fallback after 300 ms; the agent's module, which tries addresses in random order, up to 2 s per address). Mend that family's route or firewall (an IPv6 black hole, often), or have the name publish only addresses that work.",
		Cloud:   "The connection succeeded only on the other address family after the first family's addresses were given up (Go's fallback after 300 ms): every new connection is slowed, and a black hole on that family is in the path. Mend that family's route or firewall, or disable it on the host.",
	},
}
