// Package probe does the network work of the guide's three tests and records what it saw as
// Evidence. It decides nothing and touches no telemetry: internal/diagnose turns Evidence
// into a verdict.
package probe

import (
	"crypto/x509"
	"net/http"
	"time"
)

// Name is one of the guide's three tests.
type Name string

// Title is how the report and the log name the probe.
func (n Name) Title() string { return titles[n] }

var titles = map[Name]string{
	Cluster:      "Elasticsearch cluster (test 1)",
	Registration: "Elastic Cloud registration (test 2)",
	OTLP:         "AutoOps OTLP intake (test 3)",
}

// The three probes, named as in the contract's autoops.probe.name.
const (
	Cluster      Name = "cluster"
	Registration Name = "registration"
	OTLP         Name = "otlp"
)

// Phase names, as in the contract's autoops.probe.phase.
const (
	PhaseDNS      = "dns"
	PhaseConnect  = "connect"
	PhaseTLS      = "tls"
	PhaseRequest  = "request"
	PhaseTransfer = "transfer"
)

// MaxBody bounds what the evidence keeps of any answer: enough for every JSON the probes parse.
const MaxBody = 256 << 10

// MaxProxyPage bounds what the evidence keeps of a proxy's page refusing a CONNECT: privoxy's
// pages (6.5 KB) give their reason after 4.7 KB of style sheet.
const MaxProxyPage = 8 << 10

// Evidence is what one run of one probe saw.
type Evidence struct {
	Probe         Name
	URL           string // without credentials
	ServerAddress string
	ServerPort    int
	Proxy         string // proxy URL without credentials; empty when direct
	Duration      time.Duration

	// TokenSent: the otlp probe sent otlp.token (and expects 415).
	TokenSent bool
	// Redact removes the probe's secrets from a text that may quote an answer or an error
	// (answers are already scrubbed); nil when the probe sends none.
	Redact func(string) string

	// Main is the guide's request (cluster: GET endpoint; cloud: the POST).
	Main Exchange
	// Cluster follow-ups, run only after the root answer passed.
	License, Authenticate, Privileges *Exchange

	// ServerClock is the Date header of a credential-less, unverified request made after the
	// certificate was refused as expired or not yet valid (nil when not made or no Date came).
	ServerClock *Response

	// SearchDomain is set when the host was resolved through a resolv.conf search suffix to
	// an address the name as given (rooted, "host.") does not have.
	SearchDomain *SearchDomain

	// Stall holds the follow-up handshakes made after a TLS handshake naming the host was cut
	// or never answered (direct connections only).
	Stall *StallCheck
	// SOCKS is a SOCKS5 proxy's answers to a CONNECT asked again after the request failed.
	SOCKS *SOCKSCheck
	// ProxySpeaksPlainHTTP: a proxy given as https:// answered a plaintext CONNECT.
	ProxySpeaksPlainHTTP bool
	// PlainConnectTooLarge: that proxy's answer to the plaintext CONNECT did not end its first
	// line within MaxAnswerHeader bytes; the probe stopped reading there (nil otherwise).
	PlainConnectTooLarge *AnswerTooLarge

	// RawReply is what the cluster port answered a credential-less request in raw bytes,
	// read when its answer was not HTTP (Elasticsearch's transport port says so in text).
	RawReply []byte

	// Handshake is a credential-less TLS handshake made after a failure, to see the
	// certificate chain or to tell whether an http:// port speaks TLS.
	Handshake *HandshakeCheck
	// DestinationAddresses are the endpoint host's addresses as this machine resolves them,
	// looked up after a proxy answered with a failure of its own (nil: not looked up, or the
	// name does not resolve here).
	DestinationAddresses []string
	// Batch is what came of a POST the size of the agent's batches, without credentials
	// (otlp.check_batch_size; nil when not sent).
	Batch *BatchCheck
	// PortCheck is the proxy's answer to CONNECT to port 443 of the same host, asked after
	// it refused CONNECT to another port with 403 (nil when not asked).
	PortCheck *PortCheck
	// CAFileSubjects are the subjects of the certificates in the probe's tls.ca_file (none
	// when no file is configured), to tell a missing intermediate from an unknown CA.
	CAFileSubjects []string
	// CAFileCertificates are the certificates the CA setting holds (Trust.CAPEM), read when
	// the chain was refused as unknown or when TLS completed: end-entity certificates there
	// are a pinned server certificate.
	CAFileCertificates []*x509.Certificate

	// SystemTrustErr is, for a verified cluster answer, the verification of its chain
	// against the system roots alone (nil: the system trusts it too).
	SystemTrustErr     error
	SystemTrustChecked bool

	// Client is how the probe's client was set to connect (its plan), for the diagnosis to
	// word its verdicts and warnings.
	Client ClientFacts
	// Environment facts that diagnosis needs.
	// InContainer: the collector runs inside a container (see DetectContainer).
	InContainer bool
	// HTTPProxyWithoutHTTPS: HTTP_PROXY is set, HTTPS_PROXY not, and this https request went
	// direct though NO_PROXY does not exclude it.
	HTTPProxyWithoutHTTPS bool
	// ProxySource is the variable or key the proxy came from, or why the request went direct
	// (autoops.probe.proxy.source: HTTPS_PROXY, https_proxy, HTTP_PROXY, http_proxy,
	// proxy_url, NO_PROXY, loopback, none).
	ProxySource string
	// ProxyVariable names the proxy variable that NO_PROXY or the loopback rule overrode.
	ProxyVariable string
	// NoProxyEntry is the NO_PROXY entry that sent the request direct.
	NoProxyEntry string
	// AllProxyIgnored: ALL_PROXY (or all_proxy) is set and no variable Go reads applies.
	AllProxyIgnored bool
	// ProxyEnvConflicts name the upper/lower-case pairs that differ and bear on this request.
	ProxyEnvConflicts []string
	// ProxyInvalid: the proxy variable that applies is not a URL Go can use.
	ProxyInvalid bool
	// ProxyFromEnv: the proxy choice came from HTTP_PROXY/HTTPS_PROXY/NO_PROXY (no proxy_url).
	ProxyFromEnv bool
	// NoProxyCovers: proxy variables are set, but NO_PROXY (or Go's loopback rule) sends
	// this endpoint direct.
	NoProxyCovers bool
	// NoProxy is NO_PROXY as the process saw it, when a proxy from the environment was used.
	NoProxy string
	// Families is what this host can route, asked when every address of the name, all of
	// one family, failed to connect for want of a route (nil otherwise).
	Families *FamilyCheck
	// HostAddresses are the endpoint host's addresses, looked up here when the request went
	// through a proxy (which resolves it itself) and NO_PROXY lists a CIDR.
	HostAddresses []string
}

// Exchange is one HTTP request and what came back.
type Exchange struct {
	Method   string
	Path     string
	Response *Response // nil when no response arrived
	Err      error

	Phases   []PhaseTiming
	Progress Progress
	// PeerAddress is the address connected to, or the last one tried when connecting failed.
	PeerAddress string
	// ResolvedAddresses are what DNS gave for the host (empty when the host is an IP, or
	// through a proxy, which resolves it itself).
	ResolvedAddresses []string
	// FailedAddresses are the addresses a connect was started to that did not connect,
	// those given up when another address connected first included (Happy Eyeballs).
	FailedAddresses []string
	// ConnectedAfter is how long after the first connect the one that connected was started
	// (0 when the first connected): Go's Happy Eyeballs starts the other family only after
	// FallbackDelay unless the first failed sooner.
	ConnectedAfter time.Duration
	// PeerChain is the verified chain the server presented, when TLS succeeded.
	PeerChain []*x509.Certificate
	// TLSVersion is the negotiated TLS version (tls.VersionTLS13...), when TLS completed.
	TLSVersion uint16
	// AnchorSubject is the subject of the root the verified chain ended at (main exchange
	// only; "" when nothing was verified).
	AnchorSubject string
	// RedirectedTo is the URL a followed redirect ended at (without credentials).
	RedirectedTo string
	// Silence is how long nothing came after the request was written, when the exchange
	// ended without a first byte of answer (0 otherwise).
	Silence time.Duration
}

// Response is the part of an HTTP answer the diagnosis reads.
type Response struct {
	Status         int
	Location       string
	ElasticProduct string // X-Elastic-Product: only Elasticsearch sends it
	// Kibana: kbn-name or kbn-license-sig, headers only Kibana sends.
	Kibana      bool
	ContentType string
	// Date is the server's clock, when it sent a parseable Date header.
	Date time.Time
	// ProxyAuthSchemes are the schemes of the Proxy-Authenticate headers (Basic, NTLM...).
	ProxyAuthSchemes []string
	// SquidError is squid's X-Squid-Error, naming why squid answered itself.
	SquidError string
	// Server is the Server header: what software answered (nginx, awselb/2.0...).
	Server string
	// Reason is the status line's reason phrase as sent (privoxy's "Connect failed", where
	// Go's status text says "Service Unavailable"), printable and at most MaxReason bytes.
	Reason string
	// Body is at most MaxBody bytes (MaxProxyPage for a CONNECT answer), scrubbed whole
	// before it was cut.
	Body      []byte
	Truncated bool
	// limit is where Body is cut once scrubbed (0: it is not cut).
	limit int
	// ReceivedAt is this machine's clock when the answer came, to compare with Date.
	ReceivedAt time.Time
}

// Progress says how far a request got: it tells a connect timeout from a response timeout.
type Progress struct {
	DNSDone      bool
	Connected    bool
	TLSStarted   bool
	TLSDone      bool
	WroteRequest bool
	FirstByte    bool
	// Continued: the far end answered "100 Continue" to a request that asked for it.
	Continued bool
}

// PhaseTiming is the duration of one phase that happened.
type PhaseTiming struct {
	Phase    string
	Duration time.Duration
}

// HandshakeCheck is the outcome of a credential-less TLS handshake to the endpoint.
type HandshakeCheck struct {
	// ProxyAnswer is, through a proxy, its answer to CONNECT (nil when none came).
	ProxyAnswer *Response
	// ProxySpeaksTLS: a proxy given as http:// completed a TLS handshake after its CONNECT failed.
	ProxySpeaksTLS bool
	// ProxyAnswerTooLarge: the proxy's answer to CONNECT did not end its headers within
	// MaxAnswerHeader bytes; the probe stopped reading there (nil otherwise).
	ProxyAnswerTooLarge *AnswerTooLarge

	// ClientCertRequested: the server asked for a client certificate (mutual TLS);
	// ClientCertSent: the probe's tls settings had one to give.
	ClientCertRequested, ClientCertSent bool

	HandshakeErr  error               // the handshake itself failed (verification is not part of it)
	Chain         []*x509.Certificate // what the server presented
	VerifyErr     error               // the chain checked against the probe's configured roots
	NoSystemRoots bool                // the machine has no CA bundle at all
}

// LeafCertificate is the server certificate seen, verified or not; nil when none was seen.
func (e *Evidence) LeafCertificate() *x509.Certificate {
	if chain := e.PresentedChain(); len(chain) > 0 {
		return chain[0]
	}
	return nil
}

// PresentedChain is every certificate the server presented, leaf first, verified or not.
func (e *Evidence) PresentedChain() []*x509.Certificate {
	if len(e.Main.PeerChain) > 0 {
		return e.Main.PeerChain
	}
	if e.Handshake != nil {
		return e.Handshake.Chain
	}
	return nil
}

// EarliestExpiry is the certificate of the presented chain that expires first (nil without one).
func (e *Evidence) EarliestExpiry() *x509.Certificate {
	var first *x509.Certificate
	for _, c := range e.PresentedChain() {
		if first == nil || c.NotAfter.Before(first.NotAfter) {
			first = c
		}
	}
	return first
}

// ProxyRefused: the proxy answered CONNECT with something else than 200.
func (hc *HandshakeCheck) ProxyRefused() bool {
	return hc != nil && hc.ProxyAnswer != nil && hc.ProxyAnswer.Status != http.StatusOK
}

// SearchDomain describes a name resolved through a search suffix.
type SearchDomain struct {
	Suffix          string   // the search domain, e.g. corp.example
	SuffixAddresses []string // what host.suffix. resolves to
	RootedAddresses []string // what host. resolves to (empty: it does not resolve)
}

// ClientFacts are the plan's decisions the diagnosis words its verdicts with.
type ClientFacts struct {
	// Agent: the probe copies the agent's client; AgentTLS: tlscommon's own check (full or
	// certificate), not Go's.
	Agent, AgentTLS bool
	// Mode is the verification mode ("" is Go's own check).
	Mode string
	// CheckedHost is the host the certificate was checked against ("" when none was: through
	// a proxy the agent's full check has none).
	CheckedHost string
	// SSLDisabled: the module's ssl.enabled is false.
	SSLDisabled bool
	// TLSSettings name the ssl settings that narrow the handshake (supported_protocols,
	// cipher_suites).
	TLSSettings []string
	// MinVersion is the lowest TLS version the client offers.
	MinVersion uint16
	// RootsSource is autoops.probe.tls.roots.source; RootsWithSystem: the system roots are
	// trusted beside a CA setting of the probe's own.
	RootsSource     string
	RootsWithSystem bool
	// Pinned: ssl.ca_sha256 is set.
	Pinned bool
	// ConnectTimeout is the agent module's limit per address (0: the probe's timeout only).
	ConnectTimeout time.Duration
}
