package diagnose

import (
	"crypto/tls"
	"crypto/x509"
	"net"
	"net/url"
	"slices"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
	scrubpkg "github.com/autoopsprobe/autoops-probe/internal/scrub"
)

// The rules and warnings of the agent's client (contract v5, "The module's TLS", "The module's
// HTTP client"): what tlscommon, the module's HTTP client and the exporter's trust do.

// tlsPinMismatch: the chain verified, but holds no CA whose key ssl.ca_sha256 pins.
func tlsPinMismatch(j *judgement) (string, bool) {
	pin, ok := errorAs[*probe.PinMismatchError](j)
	if !ok {
		return "", false
	}
	var names []string
	for _, c := range pin.Chain {
		names = append(names, scrubpkg.Name(c.Subject))
	}
	return sentence("the certificate of %s verified, but no certificate of its chain (%s) has the public key ssl.ca_sha256 pins", j.ev.ServerAddress, strings.Join(names, "; "))
}

// tlsVersionTooOld: the server, or a box in its place, offers only TLS versions the client
// does not allow: it chose one below the client's minimum, or refused the client's range
// with a protocol_version alert.
func tlsVersionTooOld(j *judgement) (string, bool) {
	if j.err == nil {
		return "", false
	}
	// Go refuses a ServerHello below its minimum in its own words; a server refusing the
	// client's range sends the protocol_version alert.
	chosenTooLow := strings.Contains(j.err.Error(), "server selected unsupported protocol version")
	if !chosenTooLow && probe.RemoteAlert(j.err) != "protocol version not supported" {
		return "", false
	}
	allowed := "TLS 1.2 and 1.3 (Go's minimum is 1.2, and the agent's too)"
	if c := j.ev.Client; c.MinVersion == tls.VersionTLS11 || slices.Contains(c.TLSSettings, "ssl.supported_protocols") {
		allowed = "only the versions ssl.supported_protocols lists"
	}
	return sentence("%s offers only TLS versions the client does not allow: it allows %s (%v)", j.ev.ServerAddress, allowed, j.inner)
}

// alsoMisnamed is the host mismatch the agent would meet after an unknown authority: its
// check reads the chain first, so the verdict is the authority, and the evidence names both.
func alsoMisnamed(j *judgement) string {
	chainFirst, ok := errorAs[*probe.ChainFirstError](j)
	if !ok || chainFirst.AlsoHost == nil {
		return ""
	}
	return "; its certificate does not name " + chainFirst.AlsoHost.Host + " either (it names " + certNames(chainFirst.AlsoHost.Certificate) + "), which the agent checks only once the chain is trusted"
}

// passedCertificate is the leaf a passing TLS exchange verified.
func passedCertificate(j *judgement) *x509.Certificate {
	if j.ev.Main.Err != nil || len(j.ev.Main.PeerChain) == 0 {
		return nil
	}
	return j.ev.Main.PeerChain[0]
}

// cnOnlyCertificate: the agent's full check accepted a certificate that names the host only in
// its Common Name; strict clients and other Go programs refuse it.
func cnOnlyCertificate(j *judgement) bool {
	leaf, c := passedCertificate(j), j.ev.Client
	if leaf == nil || !c.AgentTLS || c.CheckedHost == "" || net.ParseIP(c.CheckedHost) != nil {
		return false
	}
	return probe.OnlyCommonName(leaf) && probe.AgentHostname(leaf, c.CheckedHost) == nil
}

// hostnameUncheckedViaProxy: through a proxy the agent's full check compares no host, and
// this certificate does not name the one the probe asked for.
func hostnameUncheckedViaProxy(j *judgement) bool {
	leaf, c := passedCertificate(j), j.ev.Client
	if leaf == nil || !c.AgentTLS || c.Mode != probe.VerifyFull || c.CheckedHost != "" || j.ev.Proxy == "" {
		return false
	}
	return probe.AgentHostname(leaf, j.ev.ServerAddress) != nil
}

// redirected: the agent's module followed a redirect; the verdict is the final answer's.
func redirected(j *judgement) bool { return j.ev.Main.RedirectedTo != "" }

// redirectedTo names the host and path a followed redirect ended at ("" when none).
func redirectedTo(ev *probe.Evidence) string {
	u, err := url.Parse(ev.Main.RedirectedTo)
	if err != nil || ev.Main.RedirectedTo == "" {
		return ""
	}
	return u.Host + u.Path
}

// exporterCAOnlyRow: the agent's exporter trusts its tls.ca_file alone (configtls replaces
// the system roots), so an intake that is not inspected fails there.
func exporterCAOnlyRow(j *judgement) string {
	if c := j.ev.Client; j.ev.Probe == probe.OTLP && c.Agent && c.RootsSource == probe.RootsCAFile && !c.RootsWithSystem {
		return remedyExporterCAOnly
	}
	return ""
}

// sslDisabledRow: ssl.enabled: false dropped the module's CAs; the remedy names the setting.
func sslDisabledRow(j *judgement) string {
	if j.cluster() && j.ev.Client.SSLDisabled {
		return remedySSLDisabled
	}
	return ""
}

// Remedy rows of the agent's client.
const (
	remedyExporterCAOnly = "tls_intercepted/exporter_ca_only"
	remedySSLDisabled    = "/ssl_disabled"
)

var clientRemedies = map[string]remedy{
	TLSPinMismatch: {
		Meaning: "the certificate's chain verified, but holds no CA whose public key `ssl.ca_sha256` pins",
		Brief:   "update the pin to the CA that signs the cluster's certificate now, or the CA",
		Guide:   "contract v5: the module's TLS (ssl.ca_sha256)",
		Cluster: "The cluster's chain verified, but no certificate in it has the public key ssl.ca_sha256 pins: the CA changed, or the pin was taken from another certificate. Compute the pin of the issuing CA (openssl x509 -in ca.crt -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64) and put it in ssl.ca_sha256 on every autoops_es module, or remove the pin.",
		Cloud:   "The chain verified, but no certificate in it has the pinned public key: update the pin or the CA.",
	},
	TLSVersionTooOld: {
		Meaning: "the server, or a box in its place, offers only TLS versions the client does not allow (below 1.2 for Go, or outside `ssl.supported_protocols`)",
		Brief:   "cluster: enable TLS 1.2+ on it; cloud: exempt Elastic Cloud from the inspecting box or upgrade it; never lower the client's minimum",
		Guide:   "contract v5: Diagnosis v5 (tls_version_too_old)",
		Cluster: "The cluster (or a gateway in front of it) offers only TLS versions below what the agent allows (TLS 1.2 and 1.3 by default; TLS 1.0 never): enable TLS 1.2 or 1.3 on it (Elasticsearch: xpack.security.http.ssl.supported_protocols). If ssl.supported_protocols narrows the agent's range, widen it to what the cluster speaks.",
		Cloud:   "Elastic Cloud speaks TLS 1.2 and 1.3, so a box in the path answers in its place with an older version: exempt the Elastic Cloud URLs from that TLS-inspecting proxy or firewall, or upgrade it. Lowering the client's minimum would not help the agent, which allows nothing below TLS 1.2.",
	},
	remedyExporterCAOnly: {
		Guide: "contract v5: the agent's trust store (the exporter's tls.ca_file replaces the system roots)",
		Cloud: "The agent's otlphttp exporter trusts only its tls.ca_file: configtls replaces the system roots with it, so the intake's public certificate (not inspected) does not chain to it. Add include_system_ca_certs_pool: true to the exporter's tls settings, or remove ca_file if nothing inspects the path.",
	},
	TLSUnknownAuthority + remedySSLDisabled: {
		Guide:   "Test 1, row 'custom SSL/TLS configuration'; contract v5: ssl.enabled: false",
		Cluster: "The module's ssl.enabled is false, so the agent drops its whole ssl block (certificate_authorities included) and checks the cluster's certificate against the system roots only: remove ssl.enabled: false (or set it to true) so that ssl.certificate_authorities applies.",
	},
	TLSHostnameMismatch + remedySSLDisabled: {
		Guide:   "Test 1, row 'custom SSL/TLS configuration'; contract v5: ssl.enabled: false",
		Cluster: "The module's ssl.enabled is false, so the agent drops its whole ssl block (verification_mode included) and checks the host name: remove ssl.enabled: false (or set it to true) so that its ssl settings apply, or use a host name the certificate names.",
	},
}

var clientWarningRemedies = map[string]remedy{
	WarnCNOnlyCertificate: {
		Meaning: "the cluster's certificate names the host only in its subject's Common Name: the agent's full check accepts it, strict clients and other Go programs refuse it",
		Brief:   "reissue it with a subjectAltName at the next renewal",
		Guide:   "contract v5: the module's TLS (full falls back to the Common Name)",
		Cluster: "The cluster's certificate names its host only in the subject's Common Name, with no subjectAltName: the agent's default check (ssl.verification_mode: full) accepts it, but verification_mode: strict, curl and other Go programs refuse it. Reissue it with the host name as a subjectAltName at the next renewal (elasticsearch-certutil --dns).",
	},
	WarnAgentHostnameUncheckedViaProxy: {
		Meaning: "through a proxy the agent's full check compares no host name, and this certificate does not name the host: the agent accepts any certificate its CAs signed",
		Brief:   "fix the certificate's names, or go direct / use `strict`, where it would be refused",
		Guide:   "contract v5: the module's TLS (no host check through a proxy)",
		Cluster: "The request went through a proxy, where the agent's full check compares no host name (its TLS configuration is built without one), and the cluster's certificate does not name the host: the agent connects, but would accept any certificate its CAs signed, and would be refused going direct or with ssl.verification_mode: strict. Reissue the certificate with the host name, or check that the proxy reaches the right cluster.",
	},
	WarnRedirected: {
		Meaning: "the cluster endpoint redirected, and the agent's module followed it (as Go's client does); the verdict is the final answer's",
		Brief:   "point the module's hosts at the final URL",
		Guide:   "contract v5: the module's HTTP client (redirects)",
		Cluster: "The cluster endpoint answered with a redirect, which the agent's module follows (Authorization is kept only for the same host): point the module's hosts (AUTOOPS_ES_URL) at the URL it led to, so every request does not take the detour.",
	},
}

// narrowedBy names the module's ssl settings that narrowed a handshake that failed.
func narrowedBy(j *judgement) string {
	if len(j.ev.Client.TLSSettings) == 0 {
		return ""
	}
	return "; the agent's " + strings.Join(j.ev.Client.TLSSettings, " and ") + " narrow what it offers"
}
