package probe

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net"
	"strings"
	"time"
)

// Verification modes: the agent module's ssl.verification_mode, and the receiver's
// cluster.tls_verification_mode (whose full is Go's own check, the agent's strict).
const (
	VerifyFull        = "full"
	VerifyStrict      = "strict"
	VerifyCertificate = "certificate"
	VerifyNone        = "none"
)

// Verification is the rule a probe checks the server's certificate by, decided once in its
// plan. Agent: the rule is the agent module's (elastic-agent-libs tlscommon), not Go's.
type Verification struct {
	Mode string
	// Agent: tlscommon's own full/certificate checks (chain first, then the host with the
	// Common Name fallback); otherwise full is Go's check.
	Agent bool
	// Host is the name the certificate must hold: "" when the agent checks no host (through
	// a proxy its TLS configuration is built without one).
	Host string
	// Fingerprint is ssl.ca_trusted_fingerprint (or the receiver's), decoded: the presented
	// CA with this SHA-256 joins the roots (full and certificate only).
	Fingerprint []byte
	// Pins are ssl.ca_sha256, decoded: a verified chain must hold a CA whose
	// SubjectPublicKeyInfo hashes to one of them.
	Pins [][]byte
	// Roots are the trusted roots (nil: the system's).
	Roots *x509.CertPool
}

// PinMismatchError: the verified chain holds no certificate matching ssl.ca_sha256.
type PinMismatchError struct {
	Chain []*x509.Certificate
}

func (e *PinMismatchError) Error() string {
	return "provided CA certificate pins doesn't match any of the certificate authorities used to validate the certificate"
}

// ChainFirstError is tlscommon's verdict when the chain fails: it never reaches the host
// check, but the evidence names a host mismatch it would have met too.
type ChainFirstError struct {
	Err error
	// AlsoHost is the host mismatch behind the chain failure (nil when the host matches).
	AlsoHost *x509.HostnameError
}

func (e *ChainFirstError) Error() string { return e.Err.Error() }
func (e *ChainFirstError) Unwrap() error { return e.Err }

// Apply returns base configured for v (base is shared and never changed): base itself when v
// is Go's own check on base's roots, so that probes with one setting share one configuration.
func (v Verification) Apply(base *tls.Config) *tls.Config {
	goCheck := v.Mode == VerifyStrict || (!v.Agent && (v.Mode == VerifyFull || v.Mode == "") && v.Fingerprint == nil)
	if goCheck && len(v.Pins) == 0 && (v.Roots == nil || v.Roots == base.RootCAs) {
		return base
	}
	cfg := base.Clone()
	if v.Roots != nil {
		cfg.RootCAs = v.Roots
	}
	switch {
	case v.Mode == VerifyNone:
		cfg.InsecureSkipVerify = true
		return cfg
	case goCheck:
		// Go's own check; tlscommon adds only the pin, on Go's verified chains.
		if len(v.Pins) > 0 {
			pins := v.Pins
			cfg.VerifyConnection = func(cs tls.ConnectionState) error { return checkPins(pins, cs.VerifiedChains, cs.PeerCertificates) }
		}
		return cfg
	}
	cfg.InsecureSkipVerify = true
	rule := v
	cfg.VerifyConnection = func(cs tls.ConnectionState) error { return rule.verify(cs.PeerCertificates) }
	return cfg
}

// verify is tlscommon's full and certificate check (and the receiver's certificate mode and
// fingerprint): the chain against the roots (the pin with it), then the host.
func (v Verification) verify(certs []*x509.Certificate) error {
	if len(certs) == 0 {
		return errors.New("no certificate presented")
	}
	roots := withFingerprint(v.Roots, v.Fingerprint, certs)
	checkHost := v.Mode != VerifyCertificate && v.Host != ""
	if !v.Agent {
		// The receiver's own modes keep Go's check of the name, SAN only.
		host := ""
		if checkHost {
			host = v.Host
		}
		if err := VerifyChain(certs, roots, host); err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
		}
		return nil
	}
	chains, err := verifiedChains(certs, roots, "")
	if err == nil && len(v.Pins) > 0 {
		err = checkPins(v.Pins, chains, certs)
	}
	if err != nil {
		if checkHost {
			var hostErr x509.HostnameError
			if errors.As(AgentHostname(certs[0], v.Host), &hostErr) {
				err = &ChainFirstError{Err: err, AlsoHost: &hostErr}
			}
		}
		return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
	}
	if checkHost {
		if err := AgentHostname(certs[0], v.Host); err != nil {
			return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
		}
	}
	return nil
}

// verifiedChains verifies certs (leaf first, at least one) against roots (nil: the system's),
// for dnsName ("": no name check).
func verifiedChains(certs []*x509.Certificate, roots *x509.CertPool, dnsName string) ([][]*x509.Certificate, error) {
	inter := x509.NewCertPool()
	for _, c := range certs[1:] {
		inter.AddCert(c)
	}
	return certs[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, DNSName: dnsName, CurrentTime: time.Now()})
}

// withFingerprint adds the presented CA certificate whose SHA-256 is fingerprint to roots, as
// tlscommon's trustRootCA does; roots itself is never changed.
func withFingerprint(roots *x509.CertPool, fingerprint []byte, certs []*x509.Certificate) *x509.CertPool {
	if fingerprint == nil {
		return roots
	}
	for _, c := range certs {
		sum := sha256.Sum256(c.Raw)
		if c.IsCA && bytes.Equal(sum[:], fingerprint) {
			if roots == nil {
				roots, _ = SystemRootsOfProcess()
			}
			if roots == nil {
				roots = x509.NewCertPool()
			}
			roots = roots.Clone()
			roots.AddCert(c)
			break
		}
	}
	return roots
}

// checkPins is tlscommon's verifyCAPin: some certificate of some verified chain has a
// SubjectPublicKeyInfo whose SHA-256 is a pin.
func checkPins(pins [][]byte, chains [][]*x509.Certificate, presented []*x509.Certificate) error {
	for _, chain := range chains {
		for _, c := range chain {
			sum := sha256.Sum256(c.RawSubjectPublicKeyInfo)
			for _, p := range pins {
				if bytes.Equal(sum[:], p) {
					return nil
				}
			}
		}
	}
	var chain []*x509.Certificate
	if len(chains) > 0 {
		chain = chains[0]
	} else {
		chain = presented
	}
	return &PinMismatchError{Chain: chain}
}

// ParsePin reads one ssl.ca_sha256 value: the base64 SHA-256 of a SubjectPublicKeyInfo.
func ParsePin(s string) ([]byte, error) {
	b, err := base64.StdEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != sha256.Size {
		return nil, errors.New("not the base64 of a SHA-256 (44 characters ending in '=')")
	}
	return b, nil
}

// AgentHostname is tlscommon's verifyHostname: an IP host against the IP SANs (and an IP
// Common Name), a name against the DNS SANs, or against the Common Name when there is none.
func AgentHostname(cert *x509.Certificate, host string) error {
	if host == "" {
		return nil
	}
	ip := strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if parsed := net.ParseIP(ip); parsed != nil {
		for _, certIP := range cert.IPAddresses {
			if parsed.Equal(certIP) {
				return nil
			}
		}
		if cn := net.ParseIP(cert.Subject.CommonName); cn != nil && parsed.Equal(cn) {
			return nil
		}
		return x509.HostnameError{Certificate: cert, Host: host}
	}
	names := cert.DNSNames
	if OnlyCommonName(cert) {
		names = []string{cert.Subject.CommonName}
	}
	for _, name := range names {
		if matchHostname(name, host) {
			return nil
		}
	}
	return x509.HostnameError{Certificate: cert, Host: host}
}

// OnlyCommonName: the certificate has no DNS subjectAltName, so tlscommon reads its Common Name.
func OnlyCommonName(cert *x509.Certificate) bool {
	n := cert.DNSNames
	return (len(n) == 0 || len(n) == 1 && n[0] == "") && cert.Subject.CommonName != ""
}

// matchHostname is Go's (and tlscommon's) name match: case-insensitive, a leading "*."
// covering one label, a trailing dot ignored.
func matchHostname(pattern, host string) bool {
	pattern = strings.ToLower(strings.TrimSuffix(pattern, "."))
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if pattern == "" || host == "" {
		return false
	}
	p, h := strings.Split(pattern, "."), strings.Split(host, ".")
	if len(p) != len(h) {
		return false
	}
	for i := range p {
		if i == 0 && p[i] == "*" {
			continue
		}
		if p[i] != h[i] {
			return false
		}
	}
	return true
}
