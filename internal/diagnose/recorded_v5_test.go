package diagnose

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"os"
	"syscall"
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// Recorded certificates for the rules table: testLeaf (es.corp, serial 1) and its renewal.
var (
	renewedLeaf = renewedLeafFor("es.corp")
	testCA      = &x509.Certificate{Raw: []byte("ca"), Subject: pkix.Name{CommonName: "Corp CA"}, IsCA: true, BasicConstraintsValid: true}
)

// leafFor is testLeaf made out for host.
func leafFor(host string) *x509.Certificate {
	c := *testLeaf
	c.Raw, c.DNSNames, c.Subject, c.SerialNumber = []byte("leaf "+host), []string{host}, pkix.Name{CommonName: host}, big.NewInt(1)
	return &c
}

// renewedLeafFor is the certificate that replaced leafFor(host): the same names, new bytes.
func renewedLeafFor(host string) *x509.Certificate {
	c := leafFor(host)
	c.Raw, c.SerialNumber = []byte("renewed "+host), big.NewInt(2)
	c.NotBefore, c.NotAfter = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC)
	return c
}

// holding: the CA setting holds these certificates.
func holding(certs ...*x509.Certificate) func(*probe.Evidence) {
	return func(ev *probe.Evidence) { ev.CAFileCertificates = certs }
}

// resolvedTo: the name resolved to addresses, and peer is the one connected to (or tried last).
func resolvedTo(peer string, addresses ...string) func(*probe.Evidence) {
	return func(ev *probe.Evidence) { ev.Main.PeerAddress, ev.Main.ResolvedAddresses = peer, addresses }
}

// noRouteAt: the cluster's name resolved to addrs, and connecting to each failed for want of
// a route.
func noRouteAt(addrs ...string) *evidence {
	return recorded(probe.Cluster, "https://es.corp:9200").failed(opErr("dial", os.NewSyscallError("connect", syscall.ENETUNREACH)), probe.Progress{DNSDone: true}).
		with(resolvedTo(addrs[len(addrs)-1], addrs...)).with(func(ev *probe.Evidence) { ev.Main.FailedAddresses = addrs })
}

// families: what the host routes, asked after that.
func families(family string, routed, otherRouted bool) func(*probe.Evidence) {
	return func(ev *probe.Evidence) {
		ev.Families = &probe.FamilyCheck{Family: family, Routed: routed, OtherRouted: otherRouted}
	}
}
