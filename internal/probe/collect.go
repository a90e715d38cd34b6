package probe

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/answers"
)

// run is one probe run in progress: the target, the proxy chosen for it, and the evidence
// gathered so far, which each collector's precondition reads.
type run struct {
	target *Target
	proxy  *url.URL
	addr   string // host:port of the endpoint
	ev     Evidence
	// fromElasticsearch caches whether the cluster's root is Elasticsearch's: four
	// collectors ask.
	fromElasticsearch *bool
}

// collector gathers one piece of follow-up evidence when its precondition holds. The
// preconditions read facts only (what came back, how far the exchange got); whether an
// answer is good is for internal/diagnose to say.
type collector struct {
	name    string
	when    func(*run) bool
	collect func(context.Context, *run)
}

// collectors run in this order after the guide's request, within what is left of the
// probe's timeout; a later precondition may read what an earlier collector gathered.
var collectors = []collector{
	{"system trust of the cluster's chain", rootAnswered(func(r *run) bool { return r.target.Trust.CustomCA && len(r.ev.Main.PeerChain) > 0 }), collectSystemTrust},
	{"GET /_license", rootAnswered(nil), func(ctx context.Context, r *run) { r.ev.License = r.follow(ctx, http.MethodGet, licensePath(r), nil) }},
	{"GET /_security/_authenticate", rootAnswered(func(r *run) bool { return r.target.Authorization != "" }), func(ctx context.Context, r *run) {
		r.ev.Authenticate = r.follow(ctx, http.MethodGet, "/_security/_authenticate", nil)
	}},
	{"POST /_security/user/_has_privileges", rootAnswered(func(r *run) bool { return r.target.CheckPrivileges }), func(ctx context.Context, r *run) {
		r.ev.Privileges = r.follow(ctx, http.MethodPost, "/_security/user/_has_privileges", answers.HasPrivilegesRequest())
	}},
	{"raw reply of a port that does not speak HTTP", func(r *run) bool {
		return r.target.Name == Cluster && r.proxy == nil && r.target.URL.Scheme == "http" && isNotHTTP(r.ev.Main.Err)
	}, func(ctx context.Context, r *run) { r.ev.RawReply = rawReply(ctx, r.addr, r.target.URL.Host) }},
	{"plaintext CONNECT to an https:// proxy", func(r *run) bool {
		return r.proxy != nil && r.proxy.Scheme == "https" && r.ev.Main.Err != nil && r.ev.Main.Response == nil
	}, func(ctx context.Context, r *run) {
		r.ev.ProxySpeaksPlainHTTP, r.ev.PlainConnectTooLarge = speaksPlainHTTP(ctx, proxyAddress(r.proxy), r.addr)
	}},
	{"SOCKS5 CONNECT asked by hand", func(r *run) bool {
		return isSOCKS(r.proxy) && r.ev.Main.Err != nil && r.ev.Main.Response == nil
	}, func(ctx context.Context, r *run) { r.ev.SOCKS = checkSOCKS(ctx, r.proxy, r.addr) }},
	{"handshakes without server name and with small segments", func(r *run) bool {
		return r.proxy == nil && stalledInTLS(&r.ev.Main) && (IsTimeout(r.ev.Main.Err) || IsReset(r.ev.Main.Err))
	}, collectStall},
	// Whatever came back: whether the answer was the expected one is for the diagnosis to say,
	// and the lookup ends at once for an IP, a rooted name or no search list.
	{"search-domain lookup", func(r *run) bool { return r.proxy == nil }, func(ctx context.Context, r *run) {
		r.ev.SearchDomain = checkSearchDomain(ctx, r.ev.ServerAddress, r.ev.Main.PeerAddress)
	}},
	{"routes of both address families", needsFamilyCheck, func(ctx context.Context, r *run) {
		r.ev.Families = checkFamilies(ctx, r.ev.Main.ResolvedAddresses)
	}},
	{"the destination's addresses, after a proxy's failure", proxyFailedToConnect, func(ctx context.Context, r *run) {
		r.ev.DestinationAddresses = destinationAddresses(ctx, r.ev.ServerAddress)
	}},
	{"credential-less TLS handshake", needsHandshakeCheck, func(ctx context.Context, r *run) {
		r.ev.Handshake = checkHandshake(ctx, r.addr, r.proxy, r.target)
	}},
	{"POST the size of the agent's batches", batchCalledFor, func(ctx context.Context, r *run) { r.ev.Batch = checkBatch(ctx, r) }},
	{"CONNECT to port 443 of the same host", refusedNon443, func(ctx context.Context, r *run) { r.ev.PortCheck = checkPort(ctx, r) }},
	{"subjects of tls.ca_file", func(r *run) bool {
		return len(r.target.Trust.CAPEM) > 0 && isUnknownAuthority(r.ev.Main.Err)
	}, func(_ context.Context, r *run) { r.ev.CAFileSubjects = r.target.CASubjects() }},
	// A passing run reads them only when the CA setting holds the presented certificate itself.
	{"certificates of the CA setting", func(r *run) bool {
		m := &r.ev.Main
		if len(r.target.Trust.CAPEM) == 0 {
			return false
		}
		return isUnknownAuthority(m.Err) || m.Err == nil && len(m.PeerChain) > 0 && r.target.HoldsEndEntity(m.PeerChain[0])
	}, func(_ context.Context, r *run) { r.ev.CAFileCertificates = r.target.CACertificates() }},
	{"server clock", func(r *run) bool { return isValidityError(r.ev.Main.Err) }, func(ctx context.Context, r *run) {
		r.ev.ServerClock = serverClock(ctx, r.target, r.proxy)
	}},
}

// isUnknownAuthority: the chain was refused as reaching none of the roots.
func isUnknownAuthority(err error) bool {
	var unknown x509.UnknownAuthorityError
	return errors.As(err, &unknown)
}

// rootAnswered: the cluster's root came back as Elasticsearch's own root JSON, so its other
// endpoints can be asked (with the credentials: Kibana, OpenSearch or a gateway never get
// them twice); and also, when set, more holds. Who made the answer is answers'
// ElasticsearchRoot, the test the diagnosis reads too: the probe only follows it.
func rootAnswered(more func(*run) bool) func(*run) bool {
	return func(r *run) bool {
		m := &r.ev.Main
		if r.target.Name != Cluster || m.Err != nil || m.Response == nil {
			return false
		}
		if r.fromElasticsearch == nil {
			_, err := answers.ElasticsearchRoot(m.Response.Answer())
			ok := err == nil
			r.fromElasticsearch = &ok
		}
		return *r.fromElasticsearch && (more == nil || more(r))
	}
}

// Answer is what tells who made the response, for answers' tests of it.
func (r *Response) Answer() answers.Answer {
	return answers.Answer{
		Status: r.Status, ElasticProduct: r.ElasticProduct, Kibana: r.Kibana, Location: r.Location,
		SquidError: r.SquidError, Body: r.Body,
	}
}

// follow sends one of the cluster's follow-up requests with the probe's credentials.
func (r *run) follow(ctx context.Context, method, path string, body []byte) *Exchange {
	h := r.target.clusterHeader()
	if body != nil {
		h.Set("Content-Type", "application/json")
	}
	p, query, _ := strings.Cut(path, "?")
	u := r.target.RequestURL(p)
	if query != "" {
		u += "?" + query
	}
	ex, _ := exchange(ctx, r.target.Client, request{method: method, url: u, path: path, header: h, body: body})
	return &ex
}

// licensePath is the license request the agent makes: on a 7.x cluster with
// ?accept_enterprise=true, without which 7.x calls an enterprise license platinum
// (autoops-facts, registration). The root, read by then, gives the version.
func licensePath(r *run) string {
	if root, err := answers.ElasticsearchRoot(r.ev.Main.Response.Answer()); err == nil {
		if v, err := answers.ParseVersion(root.Version.Number); err == nil && v[0] == 7 {
			return "/_license?accept_enterprise=true"
		}
	}
	return "/_license"
}

func collectSystemTrust(_ context.Context, r *run) {
	r.ev.SystemTrustChecked = true
	r.ev.SystemTrustErr = r.target.systemTrust(r.ev.Main.PeerChain)
}

// systemTrust verifies chain against the system's roots; a server presents the same chain run
// after run, so the answer for the last one is kept a minute (validity moves with time).
func (t *Target) systemTrust(chain []*x509.Certificate) error {
	m := &t.trustMemo
	m.Lock()
	defer m.Unlock()
	if time.Since(m.at) < trustMemoFor && sameChain(m.chain, chain) {
		return m.err
	}
	sys, _ := t.Trust.SystemPool()
	m.err = VerifyChain(chain, sys, serverName(t))
	m.at, m.chain = time.Now(), chain
	return m.err
}

const trustMemoFor = time.Minute

func sameChain(a, b []*x509.Certificate) bool {
	return slices.EqualFunc(a, b, func(x, y *x509.Certificate) bool { return x.Equal(y) })
}

func collectStall(ctx context.Context, r *run) {
	peer := r.addr
	if r.ev.Main.PeerAddress != "" {
		peer = net.JoinHostPort(r.ev.Main.PeerAddress, strconv.Itoa(r.ev.ServerPort))
	}
	r.ev.Stall = checkStall(ctx, peer, serverName(r.target), IsTimeout(r.ev.Main.Err))
}

// needsHandshakeCheck: a handshake tells something only when the request got no answer after
// reaching a TLS-capable peer, or went through a proxy whose CONNECT answer Go hides.
func needsHandshakeCheck(r *run) bool {
	ev := &r.ev
	if resp := ev.Main.Response; resp != nil {
		// Some TLS servers answer plaintext with a 400 of their own ("plain HTTP request
		// sent to HTTPS port"): only a handshake tells that from a real 400.
		return resp.Status == http.StatusBadRequest && r.proxy == nil && strings.HasPrefix(ev.URL, "http://")
	}
	if ev.Main.Err == nil || IsTimeout(ev.Main.Err) {
		return false
	}
	if isSOCKS(r.proxy) {
		// The check speaks HTTP CONNECT; a SOCKS proxy would wait for more.
		return false
	}
	if r.proxy != nil {
		return strings.HasPrefix(ev.URL, "https://")
	}
	return ev.Main.Progress.Connected
}
