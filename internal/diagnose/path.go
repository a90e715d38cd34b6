package diagnose

import (
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

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

// Where a proxy's page names the address it failed to connect to: privoxy's connect-failed
// page ("the connection to HOST (IP) could not be established") and squid's ERR_CONNECT_FAIL
// ("Connection to IP failed"), as their English templates word them.
var failedAddress = []*regexp.Regexp{
	regexp.MustCompile(`connection to \S+ \(([0-9A-Fa-f:.]+)\) could not be established`),
	regexp.MustCompile(`Connection to ([0-9A-Fa-f:.]+) failed`),
}

// proxyParent is the address a proxy's failure page says it could not connect to, when that
// is an internal address (RFC 1918, loopback, link-local, 100.64/10, fc00::/7) and the
// destination, as this machine resolves it, has only public ones: the proxy forwards through
// a parent there. A public address the local lookup did not give proves nothing (DNS round
// robin gives each resolver a part of a cloud name's addresses). "" when the page names none,
// or the destination's addresses are unknown.
func (j *judgement) proxyParent() (refusal, string) {
	if !j.parentDone {
		j.parentDone = true
		j.parentRefusal, j.parent = findProxyParent(j)
	}
	return j.parentRefusal, j.parent
}

// findProxyParent derives proxyParent, which its rule and the verdict's facts both read.
func findProxyParent(j *judgement) (refusal, string) {
	rf, ok := j.proxyRefusal()
	addrs := j.ev.DestinationAddresses
	if !ok || rf.answer.Status < 500 || len(addrs) == 0 {
		return rf, ""
	}
	text := pageWords(rf.answer.Body)
	for _, re := range failedAddress {
		m := re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		ip := net.ParseIP(m[1])
		if ip == nil || !internal(ip) || slices.ContainsFunc(addrs, func(a string) bool { return internal(net.ParseIP(a)) }) {
			return rf, ""
		}
		return rf, ip.String()
	}
	return rf, ""
}

// internal: an address no public name resolves to (privateRange's, loopback, link-local).
func internal(ip net.IP) bool {
	a, ok := netip.AddrFromSlice(ip)
	return !ok || a.IsLoopback() || a.IsLinkLocalUnicast() || a.IsUnspecified() || privateRange(a) != ""
}

// proxyParentUnreachable: the proxy failed to connect to an address the destination does not
// have: its parent proxy, which it forwards through, is down or unreachable from it.
func proxyParentUnreachable(j *judgement) (string, bool) {
	rf, parent := j.proxyParent()
	if parent == "" {
		return "", false
	}
	return sentence("the proxy %s answered %s: it failed to connect to %s, an internal address, while %s has only public ones (%s here), so it forwards through a parent proxy there that it cannot reach",
		rf.proxy, rf.saidWithPage(), parent, j.ev.ServerAddress, strings.Join(j.ev.DestinationAddresses, ", "))
}

// intakeAnswered: the intake probe's small POST got the intake's own answer (its JSON 401
// without a token, 415 to a token).
func (j *judgement) intakeAnswered() bool {
	r := j.answer()
	if r == nil || j.ev.Probe != probe.OTLP {
		return false
	}
	if j.ev.TokenSent {
		return r.Status == http.StatusUnsupportedMediaType
	}
	return r.Status == http.StatusUnauthorized && answers.IsOTLPUnauthenticated(r.Body)
}

// batchRefused is the batch-sized POST's outcome when something that is not the intake
// refused it: a 413 that is not the intake's JSON, or a cut while the body was on its way.
func (j *judgement) batchRefused() (*probe.Exchange, bool) {
	b := j.ev.Batch
	if b == nil || !j.intakeAnswered() {
		return nil, false
	}
	ex := &b.Exchange
	if r := ex.Response; r != nil {
		return ex, ex.Err == nil && r.Status == http.StatusRequestEntityTooLarge && !json.Valid(r.Body)
	}
	// A cut counts only after the far end said "100 Continue": an intake refusing the missing
	// credentials early may also cut an upload it never asked for.
	return ex, ex.Progress.Continued && probe.IsReset(ex.Err)
}

// requestBodyTooLarge: the intake answered the small POST, and a box in the path refused a
// POST the size of the agent's batches (otlp.check_batch_size).
func requestBodyTooLarge(j *judgement) (string, bool) {
	ex, ok := j.batchRefused()
	if !ok {
		return "", false
	}
	size := j.ev.Batch.Size
	if r := ex.Response; r != nil {
		said := refusal{answer: r}
		return sentence("the intake answered the small POST (HTTP %d, its own answer), but a POST of %d bytes labelled gzip, as the agent's batches are sent, without credentials, got %s, which is not the intake's JSON: a box in the path refuses bodies that large",
			j.answer().Status, size, said.saidWithPage())
	}
	return sentence("the intake answered the small POST (HTTP %d, its own answer), but a POST of %d bytes labelled gzip, as the agent's batches are sent, without credentials, was cut while it was sent, after the far end had answered 100 Continue (%v): a box in the path refuses bodies that large",
		j.answer().Status, size, unwrapURLError(ex.Err))
}

// unwrapURLError drops url.Error's prefix, which repeats the URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// Idle closes: a box between the probe and the endpoint that closes a connection silent for
// its idle timeout (haproxy's timeout server/client in tcp mode, a cloud load balancer's)
// cuts every answer slower than that, at the same moment each time.
const (
	// minIdle: a close sooner after the request is the endpoint refusing it, not a timer.
	minIdle = time.Second
	// idleTolerance: two silences this close (or within a tenth) are one timeout's.
	idleTolerance = 500 * time.Millisecond
)

// ClosedSilence is how long the main exchange stayed silent before the connection was
// closed without any answer; 0 when it ended otherwise. The receiver keeps it from run to
// run of an instance (Context.PreviousSilence).
func ClosedSilence(ev *probe.Evidence) time.Duration {
	m := &ev.Main
	if m.Response != nil || m.Err == nil || !m.Progress.WroteRequest || m.Progress.FirstByte || !probe.IsReset(m.Err) {
		return 0
	}
	return m.Silence
}

// sameSilence: two silences long enough to be a timer's, and equal within the tolerance.
func sameSilence(a, b time.Duration) bool {
	if a < minIdle || b < minIdle {
		return false
	}
	return (a - b).Abs() <= max(idleTolerance, a/10)
}

// connectionClosedIdle: closed without an answer after the same silence as in the previous
// run of this probe: an idle timeout in the path, shorter than the endpoint's answer.
func connectionClosedIdle(j *judgement) (string, bool) {
	s := ClosedSilence(j.ev)
	if !sameSilence(s, j.c.PreviousSilence) {
		return "", false
	}
	return sentence("the connection to %s was closed without any answer %.1f s after the request was sent, as in the previous run (%.1f s): something in the path closes connections idle that long, before the answer came",
		j.target(), s.Seconds(), j.c.PreviousSilence.Seconds())
}
