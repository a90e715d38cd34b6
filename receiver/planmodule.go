package autoopsreceiver

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/youmark/pkcs8"

	"github.com/autoopsprobe/autoops-probe/internal/agentconfig"
	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// The module's connect timeout per address (Beats metricbeat/helper config.go).
const moduleConnectTimeout = 2 * time.Second

// moduleTimeouts: connect_timeout per address and timeout per request, the module's own or
// its defaults (the receiver's cluster.timeout, 10 s like the module's, bounds the run).
func moduleTimeouts(p *probe.Plan, mc *agentconfig.ModuleClient, run time.Duration) error {
	var err error
	if p.ConnectTimeout, err = moduleDuration(mc.ConnectTimeout, moduleConnectTimeout); err != nil {
		return err
	}
	p.Timeout, err = moduleDuration(mc.Timeout, run)
	return err
}

func moduleDuration(v agentconfig.Value, unset time.Duration) (time.Duration, error) {
	if !v.Set() {
		return unset, nil
	}
	d, err := time.ParseDuration(v.V)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%s: not a duration the agent reads (such as 10s)", v.From)
	}
	return d, nil
}

// metricbeatUserAgent is Beats' useragent.UserAgent("Metricbeat", ...): a WAF rule on it
// answers the probe as it answers the agent. The commit and build time are the agent's own,
// unknown here.
func metricbeatUserAgent(v agentconfig.Version) string {
	version := "unknown"
	if v.Known() {
		version = v.String()
	}
	return fmt.Sprintf("Elastic-Metricbeat/%s (%s; %s; unknown; unknown)", version, runtime.GOOS, runtime.GOARCH)
}

// moduleHeaders: the module's headers, then bearer_token_file's token, each overridden by
// the credentials (basic > api_key > bearer > headers.Authorization, as Beats' helper sets
// them in that order), with Metricbeat's User-Agent and origin.
func moduleHeaders(p *probe.Plan, mc *agentconfig.Cluster, v agentconfig.Version, files fileAccess) error {
	h := http.Header{}
	h.Set("User-Agent", metricbeatUserAgent(v))
	for name, val := range mc.Client.Headers {
		h.Set(name, val.V)
	}
	h.Set("X-Elastic-Product-Origin", "beats")
	if f := mc.Client.BearerTokenFile; f.Set() && p.Authorization == "" {
		raw, err := files.read(f.V)
		if err != nil {
			return fmt.Errorf("%s: %s cannot be read", f.From, f.V)
		}
		p.Authorization = probe.Secret("Bearer " + strings.TrimSpace(string(raw)))
	}
	p.Header = h
	if len(mc.Client.ProxyHeaders) > 0 {
		p.ProxyHeaders = http.Header{}
		for name, val := range mc.Client.ProxyHeaders {
			p.ProxyHeaders.Set(name, val.V)
		}
	}
	return nil
}

// tlsVersions are the names ssl.supported_protocols takes (tlscommon's tlsProtocolVersions).
var tlsVersions = map[string]uint16{
	"TLSv1.1": tls.VersionTLS11, "TLSv1.2": tls.VersionTLS12, "TLSv1.3": tls.VersionTLS13,
}

// supportedProtocols is the range the listed versions span (list is not empty); TLS 1.0 is
// never allowed.
func supportedProtocols(list []agentconfig.Value) (lo, hi uint16, err error) {
	vers, err := named(list, tlsVersions, "one of TLSv1.1, TLSv1.2, TLSv1.3")
	if err != nil {
		return 0, 0, err
	}
	return slices.Min(vers), slices.Max(vers), nil
}

// cipherSuiteNames are the names ssl.cipher_suites takes: tlscommon's
// (ECDHE-RSA-AES-128-GCM-SHA256: Go's name without TLS_ and WITH, in dashes) and Go's own.
// Built once, on first use.
var cipherSuiteNames = sync.OnceValue(func() map[string]uint16 {
	byName := map[string]uint16{}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		byName[s.Name] = s.ID
		short := strings.Replace(strings.TrimPrefix(s.Name, "TLS_"), "_WITH_", "_", 1)
		byName[strings.ReplaceAll(short, "_", "-")] = s.ID
	}
	return byName
})

func cipherSuites(list []agentconfig.Value) ([]uint16, error) {
	return named(list, cipherSuiteNames(), "a cipher suite the agent knows")
}

// curveTypes are the names ssl.curve_types takes (tlscommon's tlsCurveTypes).
var curveTypes = map[string]tls.CurveID{
	"P-256": tls.CurveP256, "P-384": tls.CurveP384, "P-521": tls.CurveP521, "X25519": tls.X25519,
}

func curvePreferences(list []agentconfig.Value) ([]tls.CurveID, error) {
	return named(list, curveTypes, "one of P-256, P-384, P-521, X25519")
}

// named looks each value up in table, naming the setting of one that is not there.
func named[T any](list []agentconfig.Value, table map[string]T, expected string) ([]T, error) {
	out := make([]T, 0, len(list))
	for _, v := range list {
		id, ok := table[v.V]
		if !ok {
			return nil, fmt.Errorf("%s: %q is not %s", v.From, v.V, expected)
		}
		out = append(out, id)
	}
	return out, nil
}

// moduleKeyPair loads ssl.certificate and ssl.key (paths or PEM text), decrypting the key
// with ssl.key_passphrase or the first line of ssl.key_passphrase_path, as tlscommon does for
// encrypted PKCS#8 and legacy PKCS#1 keys.
func moduleKeyPair(mc *agentconfig.Cluster, files fileAccess) (tls.Certificate, error) {
	if !mc.ClientCert.Set() || !mc.ClientKey.Set() {
		return tls.Certificate{}, fmt.Errorf("%s and %s.ssl.key go together: the agent needs both for mutual TLS", "ssl.certificate", "the module's")
	}
	certPEM, err := pemOrFile(mc.ClientCert, files)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := pemOrFile(mc.ClientKey, files)
	if err != nil {
		return tls.Certificate{}, err
	}
	pass := mc.Client.KeyPassphrase.V
	if f := mc.Client.KeyPassphrasePath; f.Set() {
		raw, err := files.read(f.V)
		if err != nil {
			return tls.Certificate{}, fmt.Errorf("%s: %s cannot be read", f.From, f.V)
		}
		pass, _, _ = strings.Cut(string(raw), "\n")
	}
	keyPEM, err = decryptKey(keyPEM, pass)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s: %w", mc.ClientKey.From, err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		// Go's message may quote neither key nor certificate; keep it generic anyway.
		return tls.Certificate{}, fmt.Errorf("%s and %s do not make a key pair the agent can use", mc.ClientCert.From, mc.ClientKey.From)
	}
	return cert, nil
}

func pemOrFile(v agentconfig.Value, files fileAccess) ([]byte, error) {
	if agentconfig.IsPEM(v.V) {
		return []byte(v.V), nil
	}
	raw, err := files.read(v.V)
	if err != nil {
		return nil, fmt.Errorf("%s: %s cannot be read", v.From, v.V)
	}
	return raw, nil
}

// decryptKey returns the key's PEM decrypted: an ENCRYPTED PRIVATE KEY (PKCS#8) or a legacy
// Proc-Type: 4,ENCRYPTED block; a key that is not encrypted is returned as it is.
func decryptKey(keyPEM []byte, pass string) ([]byte, error) {
	block, _ := pem.Decode(keyPEM)
	if block == nil {
		return nil, errors.New("holds no PEM key")
	}
	switch {
	case block.Type == "ENCRYPTED PRIVATE KEY":
		if pass == "" {
			return nil, errors.New("the key is encrypted: give ssl.key_passphrase or ssl.key_passphrase_path")
		}
		key, err := pkcs8.ParsePKCS8PrivateKey(block.Bytes, []byte(pass))
		if err != nil {
			return nil, errors.New("the key does not decrypt with the passphrase given")
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	case x509.IsEncryptedPEMBlock(block): //nolint:staticcheck // the legacy form the agent still reads
		if pass == "" {
			return nil, errors.New("the key is encrypted: give ssl.key_passphrase or ssl.key_passphrase_path")
		}
		der, err := x509.DecryptPEMBlock(block, []byte(pass)) //nolint:staticcheck // as above
		if err != nil {
			return nil, errors.New("the key does not decrypt with the passphrase given")
		}
		return pem.EncodeToMemory(&pem.Block{Type: block.Type, Bytes: der}), nil
	}
	return keyPEM, nil
}
