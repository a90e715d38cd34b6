package scrub

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"regexp"
	"strings"
	"unicode/utf16"
)

// Name is a certificate's subject or issuer as Go prints it (RFC 4514), except for the
// attributes Go has no name for (emailAddress, a UID...), which it prints as hex DER
// ("1.2.840.113549.1.9.1=#16…"): a string there is written as text, so the scrubber reads it
// (a server's certificate is the server's to write, an echoed key included), and any other
// value is left out. Every subject and issuer that reaches an output goes through here.
func Name(n pkix.Name) string {
	s := n.String()
	if !strings.Contains(s, "=#") {
		return s
	}
	return hexAttribute.ReplaceAllStringFunc(s, func(attr string) string {
		oid, h, _ := strings.Cut(attr, "=#")
		der, err := hex.DecodeString(h)
		if err != nil {
			return attr
		}
		text, ok := derString(der)
		if !ok {
			return oid + "=(binary value left out)"
		}
		return oid + "=" + escapeRDN(text)
	})
}

// hexAttribute is an attribute Go printed as hex DER: a dotted OID, "=#", lower-case hex.
var hexAttribute = regexp.MustCompile(`\b[0-9]+(?:\.[0-9]+)+=#[0-9a-f]+`)

// derString reads a DER string value (UTF8String, PrintableString, IA5String, BMPString...).
func derString(der []byte) (string, bool) {
	var v asn1.RawValue
	if rest, err := asn1.Unmarshal(der, &v); err != nil || len(rest) > 0 || v.Class != asn1.ClassUniversal {
		return "", false
	}
	switch v.Tag {
	case asn1.TagUTF8String, asn1.TagPrintableString, asn1.TagIA5String, asn1.TagT61String,
		asn1.TagNumericString, 26 /* VisibleString */, asn1.TagGeneralString:
		return string(v.Bytes), true
	case asn1.TagBMPString:
		if len(v.Bytes)%2 != 0 {
			return "", false
		}
		units := make([]uint16, len(v.Bytes)/2)
		for i := range units {
			units[i] = uint16(v.Bytes[2*i])<<8 | uint16(v.Bytes[2*i+1])
		}
		return string(utf16.Decode(units)), true
	}
	return "", false
}

// escapeRDN escapes a value as Go's pkix does.
func escapeRDN(v string) string {
	var b strings.Builder
	for i, c := range v {
		switch {
		case strings.ContainsRune(`,+"\<>;`, c),
			c == ' ' && (i == 0 || i == len(v)-1),
			c == '#' && i == 0:
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
