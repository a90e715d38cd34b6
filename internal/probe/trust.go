package probe

import (
	"crypto/x509"
	"errors"
	"strings"
	"sync"
)

// Go's own places for the system roots on Linux (crypto/x509/root_linux.go, Go 1.26): the
// first bundle file that reads, then every file of every directory.
var (
	goCertFiles = []string{
		"/etc/ssl/certs/ca-certificates.crt",
		"/etc/pki/tls/certs/ca-bundle.crt",
		"/etc/ssl/ca-bundle.pem",
		"/etc/pki/tls/cacert.pem",
		"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
		"/etc/ssl/cert.pem",
	}
	goCertDirectories = []string{"/etc/ssl/certs", "/etc/pki/tls/certs"}
)

// Bounds on what the system roots may read: every file is bounded by the reader, their
// number and sum here.
const (
	maxRootFiles = 4096
	maxRootBytes = 64 << 20
)

// SystemRoots are the system roots a Go program builds in the copied environment: with
// SSL_CERT_FILE or SSL_CERT_DIR set there, from those (as crypto/x509's loadSystemRoots reads
// them); Pool nil means this process's own pool (the variables are not set).
type SystemRoots struct {
	Pool *x509.CertPool
	// Source is SSL_CERT_FILE or SSL_CERT_DIR (the variable that replaced Go's default), or
	// system.
	Source string
	// Empty: no certificate could be read from them.
	Empty bool
}

// FileReader reads a file whole, bounded; DirLister names a directory's entries.
type (
	FileReader func(path string) ([]byte, error)
	DirLister  func(dir string) ([]string, error)
)

// BuildSystemRoots is crypto/x509's loadSystemRoots over lookup (the agent's environment),
// read through read and list: SSL_CERT_FILE replaces the bundle files, SSL_CERT_DIR (a
// colon-separated list) the directories.
func BuildSystemRoots(lookup func(string) string, read FileReader, list DirLister) SystemRoots {
	file, dir := lookup("SSL_CERT_FILE"), lookup("SSL_CERT_DIR")
	if file == "" && dir == "" {
		return SystemRoots{Source: RootsSystem}
	}
	source := "SSL_CERT_DIR"
	files, dirs := goCertFiles, goCertDirectories
	if file != "" {
		files, source = []string{file}, "SSL_CERT_FILE"
	}
	if dir != "" {
		dirs = strings.Split(dir, ":")
	}
	pool := x509.NewCertPool()
	budget := rootBudget{files: maxRootFiles, bytes: maxRootBytes}
	for _, f := range files {
		if data, err := budget.read(read, f); err == nil {
			pool.AppendCertsFromPEM(data)
			break
		}
	}
	for _, d := range dirs {
		names, err := list(d)
		if err != nil {
			continue
		}
		for _, n := range names {
			if data, err := budget.read(read, d+"/"+n); err == nil {
				pool.AppendCertsFromPEM(data)
			}
		}
	}
	return SystemRoots{Pool: pool, Source: source, Empty: len(pool.Subjects()) == 0} //nolint:staticcheck // only counted
}

type rootBudget struct{ files, bytes int }

var errRootBudget = errors.New("the system roots' bound is reached")

func (b *rootBudget) read(read FileReader, path string) ([]byte, error) {
	if b.files <= 0 || b.bytes <= 0 {
		return nil, errRootBudget
	}
	b.files--
	data, err := read(path)
	b.bytes -= len(data)
	return data, err
}

// SystemRootsOfProcess is this process's system pool, looked up once, when first needed (the
// bundle does not change while the collector runs), and whether it holds nothing.
var systemRootsOnce = sync.OnceValues(func() (*x509.CertPool, bool) {
	pool, err := x509.SystemCertPool()
	return pool, err != nil || pool == nil || len(pool.Subjects()) == 0 //nolint:staticcheck // only counted
})

// SystemRootsOfProcess is this process's own system roots.
func SystemRootsOfProcess() (*x509.CertPool, bool) { return systemRootsOnce() }

// SystemPool is the plan's system roots: the copied environment's, or this process's.
func (tr Trust) SystemPool() (*x509.CertPool, bool) {
	if tr.System != nil && tr.System.Pool != nil {
		return tr.System.Pool, tr.System.Empty
	}
	return SystemRootsOfProcess()
}
