package autoopsreceiver

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// parseFingerprint reads ca_trusted_fingerprint as the agent's module does: the hex SHA-256
// of a CA certificate, without separators.
func parseFingerprint(s string) ([]byte, error) {
	if strings.Contains(s, ":") {
		return nil, errors.New("write the SHA-256 as hex without colons (openssl x509 -fingerprint -sha256 prints it with them): the agent cannot read it otherwise")
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != sha256.Size {
		return nil, fmt.Errorf("not a SHA-256 fingerprint: %d hexadecimal digits are expected", 2*sha256.Size)
	}
	return b, nil
}

// withVerification applies the agent module's verification to base (shared, never changed):
// full alone is Go's own check, as the agent's strict; certificate checks the chain but not
// the host name; none checks nothing; a trusted fingerprint adds the matching CA that the
// server presents to the roots (full or certificate), as Beats' tlscommon does. host is the
// name the certificate must hold (the endpoint's, or tls.server_name_override): a connection's
// own state omits it for an IP address.
func withVerification(base *tls.Config, mode, fingerprint, host string) *tls.Config {
	fp, _ := parseFingerprint(fingerprint) // validated
	if (mode == "" || mode == VerifyFull) && fp == nil {
		return base
	}
	cfg := base.Clone()
	cfg.InsecureSkipVerify = true
	if mode == VerifyNone {
		return cfg
	}
	checkHost := mode != VerifyCertificate
	if base.ServerName != "" {
		host = base.ServerName
	}
	roots := base.RootCAs
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		return verifyChain(cs, roots, fp, checkHost, host)
	}
	return cfg
}

// verifyChain is Go's verification of the presented chain against roots (nil: the system's),
// plus the CA matching fingerprint, with or without the host name. Its failure is the same
// *tls.CertificateVerificationError Go's own check gives, so the diagnosis reads it alike.
func verifyChain(cs tls.ConnectionState, roots *x509.CertPool, fingerprint []byte, checkHost bool, host string) error {
	certs := cs.PeerCertificates
	if fingerprint != nil {
		for _, c := range certs {
			sum := sha256.Sum256(c.Raw)
			if c.IsCA && bytes.Equal(sum[:], fingerprint) {
				if roots == nil {
					roots, _ = x509.SystemCertPool()
				}
				if roots == nil {
					roots = x509.NewCertPool()
				}
				roots = roots.Clone()
				roots.AddCert(c)
				break
			}
		}
	}
	if !checkHost {
		host = ""
	}
	if err := probe.VerifyChain(certs, roots, host); err != nil {
		return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
	}
	return nil
}
