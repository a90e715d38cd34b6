package diagnose

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

// The contract's values come from metadata.yaml, which mirrors the contract's tables: every
// error.type and warning there must have a remedy row that names its source in the guide.
func TestEveryContractValueHasARemedy(t *testing.T) {
	raw, err := os.ReadFile("../../metadata.yaml")
	require.NoError(t, err)
	var md struct {
		Attributes map[string]struct {
			Enum []string `yaml:"enum"`
		} `yaml:"attributes"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &md))
	values := slices.Concat(md.Attributes["error.type"].Enum, md.Attributes["autoops.probe.warning"].Enum)
	require.Len(t, values, 31, "26 error types (with _OTHER) and 5 warnings in the contract")
	for _, v := range values {
		require.True(t, Known(v), "no remedy for %s", v)
		r := remedies[v]
		assert.NotEmpty(t, r.Guide, "%s: remedy does not say which guide row it comes from", v)
		assert.NotEmpty(t, Remedy(v, true), "%s: no cluster remedy", v)
		assert.NotEmpty(t, Remedy(v, false), "%s: no cloud remedy", v)
	}
	assert.Len(t, remedies, len(values), "a remedy row for a value the contract does not have")
}

func TestRemediesAreSentences(t *testing.T) {
	sentence := regexp.MustCompile(`^[A-Z].*[.)]$`)
	for v, r := range remedies {
		for _, text := range []string{r.Cluster, r.Cloud} {
			if text != "" {
				assert.Regexp(t, sentence, text, v)
			}
		}
	}
}
