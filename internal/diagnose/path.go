package diagnose

import "net/http"

// Matches of the rules for what users meet on the path (contract v5, "Diagnosis v5: what
// users meet on the path"): boxes between the probe and the endpoint that refuse or cut it.

// proxyPortRefused: the proxy refused CONNECT to the endpoint's port with 403, and tunnels
// port 443 of the same host (squid's default SSL_ports): the port is refused, not the host.
func proxyPortRefused(j *judgement) (string, bool) {
	rf, ok := j.proxyRefusal()
	pc := j.ev.PortCheck
	if !ok || rf.page || rf.answer.Status != http.StatusForbidden || pc == nil || pc.Answer == nil || pc.Answer.Status != http.StatusOK {
		return "", false
	}
	tunnel := refusal{answer: pc.Answer}
	return sentence("the proxy %s refused CONNECT to %s with %s, and opened a tunnel to port %d of the same host (%s): it refuses port %d, not the host",
		rf.proxy, j.target(), rf.saidWithPage(), pc.Port, tunnel.said(), j.ev.ServerPort)
}
