package diagnose

import (
	"os"
	"regexp"
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
	errorTypes, warns := md.Attributes["error.type"].Enum, md.Attributes["autoops.probe.warning"].Enum
	require.Len(t, errorTypes, 35, "34 error types and _OTHER in the contract v2")
	require.Len(t, warns, 8, "8 warnings in the contract v2")
	check := func(table map[string]remedy, values []string, text func(string, bool) string) {
		for _, v := range values {
			r, ok := table[v]
			require.True(t, ok, "no remedy for %s", v)
			assert.NotEmpty(t, r.Guide, "%s: remedy does not say which guide row it comes from", v)
			assert.NotEmpty(t, text(v, true), "%s: no cluster remedy", v)
			assert.NotEmpty(t, text(v, false), "%s: no cloud remedy", v)
		}
		assert.Len(t, table, len(values), "a remedy row for a value the contract does not have")
	}
	check(remedies, errorTypes, Remedy)
	check(warningRemedies, warns, WarningRemedy)
}

func TestRemediesAreSentences(t *testing.T) {
	sentence := regexp.MustCompile(`^[A-Z].*[.)]$`)
	for _, table := range []map[string]remedy{remedies, warningRemedies} {
		for v, r := range table {
			for _, text := range []string{r.Cluster, r.Cloud} {
				if text != "" {
					assert.Regexp(t, sentence, text, v)
				}
			}
		}
	}
}
