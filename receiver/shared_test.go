package autoopsreceiver

import (
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/autoopsprobe/autoops-probe/internal/probe"
)

// Instances sending the same secrets share one Redactor, and naming the same CA text one copy
// of it; other secrets get their own; the maps start again past maxShared.
func TestRedactorsAndCATextsAreShared(t *testing.T) {
	s := probe.Secrets{Values: []string{"t0ken-Sh4red-Value"}, Authorizations: []string{"ApiKey aWQ6c2VjcmV0"}}
	assert.Same(t, sharedRedactor(s), sharedRedactor(s))
	other := probe.Secrets{Values: []string{"an0ther-T0ken-Value"}, Authorizations: []string{"ApiKey aWQ6c2VjcmV0"}}
	assert.NotSame(t, sharedRedactor(s), sharedRedactor(other))
	assert.Equal(t, "x [REDACTED] y", sharedRedactor(other).Redact("x an0ther-T0ken-Value y"))

	a, b := []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"), []byte("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	assert.Same(t, &sharedPEM(a)[0], &sharedPEM(b)[0], "one copy of one text")

	var c sharedByHash[int]
	for i := range maxShared + 1 {
		c.get(sha256.Sum256(fmt.Append(nil, i)), func() int { return i })
	}
	assert.LessOrEqual(t, len(c.values), maxShared)
}
