package autoopsreceiver

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
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
