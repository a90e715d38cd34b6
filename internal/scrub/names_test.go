package scrub

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var oidEmail = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}

// parsedSubject is the subject of a real certificate carrying attrs, as parsed back.
func parsedSubject(t *testing.T, attrs ...pkix.AttributeTypeAndValue) pkix.Name {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "es", ExtraNames: attrs},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	c, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	return c.Subject
}

// An attribute Go prints as hex DER (an emailAddress holding the API key, a BMPString, a
// value with characters RFC 4514 escapes) is read as text, so the scrubber removes the key;
// printed as Go prints it, the key would pass as hex.
func TestNamesHexDERIsReadBeforeScrubbing(t *testing.T) {
	r := NewRedactor(testSecrets())
	cred := b64([]byte(testAPIKey))
	subject := parsedSubject(t, pkix.AttributeTypeAndValue{Type: oidEmail, Value: cred})
	require.Contains(t, subject.String(), "1.2.840.113549.1.9.1=#", "Go prints it as hex DER")
	assert.Equal(t, subject.String(), r.Redact(subject.String()), "the scrubber cannot read hex")
	assert.Equal(t, "CN=es,1.2.840.113549.1.9.1="+Redacted, r.Redact(Name(subject)))

	bmp, err := asn1.Marshal(asn1.RawValue{Tag: asn1.TagBMPString, Bytes: utf16Bytes("key "+testToken+",x", true, false)})
	require.NoError(t, err)
	uid := asn1.ObjectIdentifier{0, 9, 2342, 19200300, 100, 1, 1}
	subject = parsedSubject(t, pkix.AttributeTypeAndValue{Type: uid, Value: asn1.RawValue{FullBytes: bmp}})
	assert.Equal(t, "CN=es,0.9.2342.19200300.100.1.1=key "+Redacted+"\\,x", r.Redact(Name(subject)))

	subject = pkix.Name{ExtraNames: []pkix.AttributeTypeAndValue{{Type: uid, Value: 42}}}
	assert.Equal(t, "0.9.2342.19200300.100.1.1=(binary value left out)", Name(subject), "not a string: left out")
	assert.Equal(t, "CN=es,O=x=#16", Name(pkix.Name{CommonName: "es", Organization: []string{"x=#16"}}), "text that only looks like hex stays")
}

// Every subject and issuer the module prints goes through Name: a new Subject.String() in
// non-test code would print hex DER the scrubber cannot read.
func TestNamesAreFormattedInOnePlace(t *testing.T) {
	root := filepath.Join("..", "..")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".") && path != root || d.Name() == "_build") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, filepath.Join("internal", "scrub")) {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, call := range []string{"Subject.String()", "Issuer.String()"} {
			assert.NotContains(t, string(src), call, "%s: format certificate names with scrub.Name", path)
		}
		return nil
	})
	require.NoError(t, err)
}
