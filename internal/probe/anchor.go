package probe

import (
	"crypto/tls"
	"crypto/x509"
	"sync"
	"time"

	"github.com/autoopsprobe/autoops-probe/internal/scrub"
)

// The root a verified chain ended at (autoops.probe.tls.anchor.subject): Go's own
// verification keeps its chains; a check made by hand (the agent's tlscommon, the receiver's
// certificate mode or fingerprint) is asked again for them, once a minute per chain.

// anchorOfState is the anchor of a completed handshake ("" when nothing was verified).
func (t *Target) anchorOfState(cs *tls.ConnectionState) string {
	if len(cs.VerifiedChains) > 0 && len(cs.VerifiedChains[0]) > 0 {
		chain := cs.VerifiedChains[0]
		return t.subjectOf(chain[len(chain)-1])
	}
	if t.TLS == nil || !t.TLS.InsecureSkipVerify || t.Verify.Mode == VerifyNone || len(cs.PeerCertificates) == 0 {
		return ""
	}
	return t.byHandAnchor(cs.PeerCertificates)
}

// byHandAnchor verifies chain as the by-hand check does (its roots, the fingerprint's CA) and
// names the root it ends at.
func (t *Target) byHandAnchor(chain []*x509.Certificate) string {
	m := t.anchorMemo()
	m.Lock()
	defer m.Unlock()
	if time.Since(m.at) < trustMemoFor && sameChain(m.chain, chain) {
		return m.subject
	}
	m.subject = ""
	if chains, err := verifiedChains(chain, withFingerprint(t.Verify.Roots, t.Verify.Fingerprint, chain), ""); err == nil && len(chains[0]) > 0 {
		m.subject = scrub.Name(chains[0][len(chains[0])-1].Subject)
	}
	m.at, m.chain = time.Now(), chain
	return m.subject
}

// subjectOf is root's subject, named once while the chains keep ending at it (Go hands the
// same root from the pool run after run).
func (t *Target) subjectOf(root *x509.Certificate) string {
	m := t.anchorMemo()
	m.Lock()
	defer m.Unlock()
	if m.root != root {
		m.root, m.rootSubject = root, scrub.Name(root.Subject)
	}
	return m.rootSubject
}

// anchorMemo is what the target remembers of the roots its chains ended at.
type anchorMemo struct {
	sync.Mutex
	// at, chain, subject: the last chain verified by hand and its root's subject.
	at      time.Time
	chain   []*x509.Certificate
	subject string
	// root and rootSubject: the last root Go's own verification ended at.
	root        *x509.Certificate
	rootSubject string
}

func (t *Target) anchorMemo() *anchorMemo {
	t.anchor.once.Do(func() { t.anchor.memo = &anchorMemo{} })
	return t.anchor.memo
}
