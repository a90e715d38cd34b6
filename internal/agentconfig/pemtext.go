package agentconfig

import "fmt"

// PEMText checks that text (a tls.*_pem value) holds a PEM block of kind, as PEMFile does for
// a file. The error never quotes the text: it may be a private key.
func PEMText(text, kind string) error {
	if !holdsPEM([]byte(text), kind) {
		return fmt.Errorf("holds no PEM %s block", kind)
	}
	return nil
}
